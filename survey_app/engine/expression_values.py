"""Values of the expression language: how answers become numbers, text and yes/no, and compare.

The rules are listed in the docstring of ``expressions``; ``static/js/expressions.js`` follows the same
ones, and ``tests/data/expression_vectors.json`` holds both engines to them.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_DOWN
from decimal import ROUND_HALF_UP
from decimal import Context
from decimal import Decimal
from functools import lru_cache
from typing import Any

from .expression_dates import to_days

NAN = float("nan")
_NUMBER_RE = re.compile(r"[ \t\r\n]*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[ \t\r\n]*")
_SPLIT_RE = re.compile(r"[ \t\r\n]+")
_DECIMAL = Context(prec=800)


class Nodeset(tuple):
    """Several values of one reference: a question inside a repeat read from outside it, or the instances.

    Functions such as ``sum`` and ``count`` take all of them; anywhere a single value is needed the
    first one is used (XPath 1.0), and a nodeset is true when it is not empty.
    """

    __slots__ = ()


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


_PLAIN = frozenset({str, bool, int, float, type(None)})


def normalize(v: Any) -> Any:
    """Reduce any input to the value types the semantics are defined on."""
    if type(v) in _PLAIN:  # most answers: checked first, as this runs for every reference
        return v
    if v is None or isinstance(v, (str, bool)) or _is_number(v):
        return v
    if isinstance(v, Nodeset):
        return Nodeset(item if type(item) in _PLAIN else normalize(item) for item in v)
    if isinstance(v, (list, tuple)):
        return [i if isinstance(i, str) else to_str(_scalar(i)) for i in v]
    return None


def _scalar(v: Any) -> Any:
    return v if isinstance(v, (bool, int, float)) else None


def first(v: Any) -> Any:
    """The value a nodeset stands for where one value is needed: its first item."""
    if isinstance(v, Nodeset):
        return v[0] if v else ""
    return v


def truthy(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    if _is_number(v):
        return v == v and v != 0
    return isinstance(v, (str, list, Nodeset)) and len(v) > 0


def to_num(v: Any) -> float:
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if _is_number(v):
        try:
            return float(v)
        except OverflowError:  # huge int
            return math.inf if v > 0 else -math.inf
    if isinstance(v, str):
        return _text_to_num(v) if len(v) <= 40 else _read_number(v)
    if isinstance(v, Nodeset):
        return to_num(v[0]) if v else NAN
    return NAN


def _read_number(text: str) -> float:
    if _NUMBER_RE.fullmatch(text):
        return float(text.strip(" \t\r\n"))
    days = to_days(text)
    return NAN if days is None else days


_text_to_num = lru_cache(maxsize=4096)(_read_number)  # short texts (numbers, dates) recur in every record


def _format_float(x: float) -> str:
    """Format like JavaScript's Number#toString so both engines print the same."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    parts = Decimal(repr(abs(x))).normalize().as_tuple()
    digits = "".join(map(str, parts.digits))
    k, n = len(digits), int(parts.exponent) + len(digits)
    sign = "-" if x < 0 else ""
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return f"{sign}{digits[:n]}.{digits[n:]}"
    if -6 < n <= 0:
        return f"{sign}0.{'0' * -n}{digits}"
    mantissa = digits if k == 1 else f"{digits[0]}.{digits[1:]}"
    return f"{sign}{mantissa}e{'+' if n > 0 else '-'}{abs(n - 1)}"


def to_str(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int) and abs(v) < 10**21:
        return str(v)
    if _is_number(v):
        return _format_float(to_num(v))
    if isinstance(v, Nodeset):
        return to_str(v[0]) if v else ""
    return " ".join(v) if isinstance(v, list) else ""


def is_empty(v: Any) -> bool:
    return v is None or (isinstance(v, (str, list)) and len(v) == 0)


def items(v: Any) -> list[str]:
    v = first(v)
    source = v if isinstance(v, list) else _SPLIT_RE.split(to_str(v))
    return [i for i in source if i]


def equal(x: Any, y: Any) -> bool:
    x, y = first(x), first(y)
    x = to_str(x) if isinstance(x, list) else x
    y = to_str(y) if isinstance(y, list) else y
    if isinstance(x, bool) or isinstance(y, bool):
        return truthy(x) == truthy(y)
    if _is_number(x) or _is_number(y):
        a, b = to_num(x), to_num(y)
        return a == b or abs(a - b) < 1e-12  # ODK's tolerance: 6.1 - 7.8 = -1.7
    return to_str(x) == to_str(y)


def div(x: float, y: float) -> float:
    """Division as in ODK (Java doubles): x div 0 is an infinity, 0 div 0 is NaN."""
    if y == 0:
        if x == 0 or x != x:
            return NAN
        return math.copysign(math.inf, x) * math.copysign(1.0, y)
    return x / y


def mod(x: float, y: float) -> float:
    return NAN if y == 0 or math.isinf(x) else math.fmod(x, y)


def trunc(x: float) -> float:
    return float(math.trunc(x)) if math.isfinite(x) else x


def round_odk(value: Any, places: Any = 0) -> float:
    """Round as ODK does: on the number's shortest decimal form, halves toward +infinity.

    2.5 -> 3, -2.5 -> -2, round(1.005, 2) -> 1.01 (the decimal 1.005, not its binary neighbour).
    More than 30 places either way gives NaN.
    """
    x, n = to_num(value), trunc(to_num(places))
    if math.isnan(n) or abs(n) > 30:
        return NAN
    if not math.isfinite(x):
        return x
    scaled = Decimal(repr(x)).scaleb(int(n), _DECIMAL)
    if abs(scaled) >= 2**52:  # no fraction left at this scale
        return x
    mode = ROUND_HALF_UP if x >= 0 else ROUND_HALF_DOWN
    whole = scaled.quantize(Decimal(1), rounding=mode, context=_DECIMAL)
    result = float(whole.scaleb(-int(n), _DECIMAL))
    return -0.0 if result == 0 and x < 0 else result
