"""Values of the expression language: how answers become numbers, text and yes/no, and compare.

The rules are listed in the docstring of ``expressions``; ``static/js/expressions.js`` follows the same
ones, and ``tests/data/expression_vectors.json`` holds both engines to them.
"""

from __future__ import annotations

import math
import operator
import re
from decimal import Decimal
from typing import Any

NAN = float("nan")
_NUMBER_RE = re.compile(r"[ \t\r\n]*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[ \t\r\n]*")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SPLIT_RE = re.compile(r"[ \t\r\n]+")
_COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


_PLAIN = frozenset({str, bool, int, float, type(None)})


def normalize(v: Any) -> Any:
    """Reduce any input to the value types the semantics are defined on."""
    if type(v) in _PLAIN:  # most answers: checked first, as this runs for every reference
        return v
    if v is None or isinstance(v, (str, bool)) or _is_number(v):
        return v
    if isinstance(v, (list, tuple)):
        return [i if isinstance(i, str) else to_str(_scalar(i)) for i in v]
    return None


def _scalar(v: Any) -> Any:
    return v if isinstance(v, (bool, int, float)) else None


def truthy(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    if _is_number(v):
        return v == v and v != 0
    return isinstance(v, (str, list)) and len(v) > 0


def to_num(v: Any) -> float:
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if _is_number(v):
        try:
            return float(v)
        except OverflowError:  # huge int
            return math.inf if v > 0 else -math.inf
    if isinstance(v, str) and _NUMBER_RE.fullmatch(v):
        return float(v.strip(" \t\r\n"))
    return NAN


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
    return " ".join(v) if isinstance(v, list) else ""


def is_empty(v: Any) -> bool:
    return v is None or (isinstance(v, (str, list)) and len(v) == 0)


def items(v: Any) -> list[str]:
    source = v if isinstance(v, list) else _SPLIT_RE.split(to_str(v))
    return [i for i in source if i]


def equal(x: Any, y: Any) -> bool:
    x = to_str(x) if isinstance(x, list) else x
    y = to_str(y) if isinstance(y, list) else y
    if isinstance(x, bool) or isinstance(y, bool):
        return truthy(x) == truthy(y)
    if _is_number(x) or _is_number(y):
        return to_num(x) == to_num(y)
    return to_str(x) == to_str(y)


def is_date(v: Any) -> bool:
    return isinstance(v, str) and _DATE_RE.fullmatch(v) is not None


def compare(op: str, x: Any, y: Any) -> bool:
    if is_date(x) and is_date(y):
        return _COMPARE[op](x, y)
    return _COMPARE[op](to_num(x), to_num(y))  # NaN compares false


def div(x: float, y: float) -> float:
    return NAN if y == 0 else x / y


def mod(x: float, y: float) -> float:
    return NAN if y == 0 or math.isinf(x) else math.fmod(x, y)


def trunc(x: float) -> float:
    return float(math.trunc(x)) if math.isfinite(x) else x


def round_away(value: Any, places: Any = 0) -> float:
    """Round half away from zero, with the same float steps as the JS engine."""
    x, n = to_num(value), to_num(places)
    if math.isnan(n):
        return NAN
    if not math.isfinite(x):
        return x
    digits = int(max(-300.0, min(300.0, n)))
    scale = float(10 ** abs(digits))
    scaled = abs(x) * scale if digits >= 0 else abs(x) / scale
    if not scaled < 2.0**52:  # already integral at this scale (or overflowed)
        return x
    whole = math.floor(scaled + 0.5)
    result = whole / scale if digits >= 0 else whole * scale
    return -result if x < 0 else result


def regex(value: Any, pattern: Any) -> bool:
    try:
        return re.search(to_str(pattern), to_str(value)) is not None
    except (re.error, RecursionError, OverflowError, ValueError):
        return False
