"""Dates in the expression language, as ODK counts them: days since 1970-01-01.

A date answer is text (``2026-11-22``); where a number is needed it is the count of days since
1970-01-01, so ``today() - ${dob}`` is an age in days and ``today() + 7`` a day a week ahead.
A date-time (``2026-11-22T10:30:00.000+03:30``) is the same count with the time as a fraction of
a day, in UTC when it carries an offset (as written when it does not). The arithmetic is done on
integers first and divided once, in the same order as ``static/js/expression_values.js`` (reading)
and ``static/js/expression_calendar.js`` (writing),
so both engines give the same floats.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

_DATE_RE = re.compile(r"(-?[0-9]{4,6})-([0-9]{1,2})-([0-9]{1,2})")
_DATETIME_RE = re.compile(
    r"(-?[0-9]{4,6})-([0-9]{1,2})-([0-9]{1,2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?"
    r"(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?")
DAY_MS = 86_400_000
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed")  # 1970-01-01 was a Thursday
MAX_DAYS = 100_000_000  # about 270,000 years: the milliseconds stay exact floats in JavaScript


def days_from_civil(year: int, month: int, day: int) -> int:
    """Days from 1970-01-01 to a proleptic Gregorian date (no library: the JS engine does the same)."""
    year -= month <= 2
    era = year // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(days: int) -> tuple[int, int, int]:
    """The (year, month, day) a count of days since 1970-01-01 falls on."""
    days += 719468
    era = days // 146097
    doe = days - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + (3 if mp < 10 else -9)
    return yoe + era * 400 + (month <= 2), month, day


def _valid(year: int, month: int, day: int) -> bool:
    if not 1 <= month <= 12 or day < 1:
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return day <= (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]


def parse(text: str) -> tuple[int, int, int, int, int, int, int, int] | None:
    """(year, month, day, hour, minute, second, millisecond, offset in minutes) of a date or date-time."""
    text = text.strip(" \t\r\n")
    match = _DATE_RE.fullmatch(text) or _DATETIME_RE.fullmatch(text)
    if match is None:
        return None
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    if not _valid(year, month, day):
        return None
    if match.re is _DATE_RE:
        return year, month, day, 0, 0, 0, 0, 0
    hour, minute, second = int(match[4]), int(match[5]), int(match[6] or 0)
    millisecond = int(((match[7] or "") + "000")[:3])
    if hour > 23 or minute > 59 or second > 59:
        return None
    return year, month, day, hour, minute, second, millisecond, _offset(match[8])


def _offset(zone: str | None) -> int:
    if not zone or zone == "Z":
        return 0
    digits = zone[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
    return -minutes if zone[0] == "-" else minutes


@lru_cache(maxsize=4096)
def to_days(text: str) -> float | None:
    """Days since 1970-01-01 of a date or date-time text (None when it is neither).

    Remembered: a batch holds few distinct dates (today, the session days), read in every record.
    """
    parts = parse(text)
    if parts is None:
        return None
    year, month, day, hour, minute, second, millisecond, offset = parts
    days = days_from_civil(year, month, day)
    if not (hour or minute or second or millisecond or offset):
        return float(days)
    ms = ((hour * 60 + minute - offset) * 60 + second) * 1000 + millisecond
    return days + ms / DAY_MS


def date_text(days: float) -> str | float:
    """The date a number of days falls on (the fraction dropped toward zero), as ODK's date() does."""
    if not math.isfinite(days) or abs(days) > MAX_DAYS:
        return math.nan
    year, month, day = civil_from_days(math.trunc(days))
    return f"{_year(year)}-{month:02d}-{day:02d}"


def datetime_text(days: float) -> str | float:
    """The UTC date-time a number of days stands for: YYYY-MM-DDTHH:MM:SS.mmmZ."""
    if not math.isfinite(days) or abs(days) > MAX_DAYS:
        return math.nan
    year, month, day, hour, minute, second, ms = _fields(days)
    return f"{_year(year)}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}.{ms:03d}Z"


def _year(year: int) -> str:
    return f"{year:04d}" if year >= 0 else f"-{-year:04d}"


def _fields(days: float) -> tuple[int, int, int, int, int, int, int]:
    total = math.floor(days * DAY_MS + 0.5)
    whole, ms = divmod(total, DAY_MS)
    year, month, day = civil_from_days(whole)
    seconds, millisecond = divmod(ms, 1000)
    return year, month, day, seconds // 3600, seconds // 60 % 60, seconds % 60, millisecond


def fields_of(value: str | float) -> tuple[int, ...] | None:
    """Calendar fields of a date text (as written, offset ignored) or of a number of days (UTC)."""
    if isinstance(value, str):
        parts = parse(value)
        return None if parts is None else parts[:7]
    if not math.isfinite(value) or abs(value) > MAX_DAYS:
        return None
    return _fields(value)


def format_fields(fields: tuple[int, ...], pattern: str) -> str:
    """ODK's format-date: %Y %y %m %n %b %d %e %H %h %M %S %3 %a %%; other text kept."""
    year, month, day, hour, minute, second, ms = fields
    codes = {
        "Y": _year(year), "y": f"{year % 100:02d}", "m": f"{month:02d}", "n": str(month),
        "b": MONTHS[month - 1], "d": f"{day:02d}", "e": str(day), "H": f"{hour:02d}", "h": str(hour),
        "M": f"{minute:02d}", "S": f"{second:02d}", "3": f"{ms:03d}",
        "a": WEEKDAYS[days_from_civil(year, month, day) % 7], "%": "%",
    }
    out, i = [], 0
    while i < len(pattern):
        if pattern[i] == "%" and i + 1 < len(pattern) and pattern[i + 1] in codes:
            out.append(codes[pattern[i + 1]])
            i += 2
        else:
            out.append(pattern[i])
            i += 1
    return "".join(out)
