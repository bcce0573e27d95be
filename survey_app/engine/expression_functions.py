"""The functions of the expression language: one table of name, arity and implementation.

``static/js/expressions.js`` (the core rows every page has) and ``static/js/expression_functions.js``
(the rest, loaded with questionnaires that use them) hold the same table under the same names; a new function
is one row in each and a few lines of ``tests/data/expression_vectors.json``. An implementation
takes the evaluation ``Context`` and the values of its arguments, and never raises.

Where a function needs more than its arguments (today, the time, the repeat instance, attached
files) it reads the ``Context``, which whoever evaluates an expression supplies; see ``Context``
for what the repeats code provides.
"""

from __future__ import annotations

import math
import random
import re
import secrets
import string
import uuid as uuid_module
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from types import MappingProxyType
from typing import Any
from typing import NamedTuple

from . import expression_dates as dates
from . import expression_regex
from . import expression_repeats as repeats
from .expression_values import NAN
from .expression_values import Nodeset
from .expression_values import first
from .expression_values import is_empty
from .expression_values import items
from .expression_values import round_odk
from .expression_values import to_num
from .expression_values import to_str
from .expression_values import trunc
from .expression_values import truthy

_EMPTY: Mapping = MappingProxyType({})
_SPACES = re.compile(r"[ \t\r\n]+")
_TOKEN_CHARACTERS = string.ascii_letters + string.digits


def local_now() -> str:
    """This machine's time as ODK writes a date-time: 2026-11-22T10:30:00.000+03:30."""
    return datetime.now().astimezone().isoformat(timespec="milliseconds")


@dataclass(slots=True)
class Context:
    """What an expression may read besides the answers it names.

    Contract with the repeats code: answers hold one value per question; a question inside a
    repeat, read from outside it, is a ``Nodeset`` of its instances' values, and the repeat's own
    name a ``Nodeset`` of its instances. Inside an instance the caller hands the instance's own
    answers over the outer ones, and sets ``position`` (1-based) and ``values`` (a question's value
    in every instance, which ``indexed-repeat`` needs even from inside an instance).
    """

    today: str = ""
    now: str = ""  # empty: this machine's time when now() is asked
    position: int = 1
    values: Callable[[str], Any] | None = None
    attachments: Mapping[str, Sequence[Mapping[str, str]]] = field(default_factory=dict)  # CSV name -> rows
    choice_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # question -> option -> label
    instances: Mapping[str, Sequence[Mapping[str, str]]] = field(default_factory=dict)  # list -> items (instance())


class Function(NamedTuple):
    low: int
    high: int | None  # None: any number of arguments
    run: Callable[..., Any]  # run(context, *argument values)
    returns: str = ""  # "number" or "boolean" when the result always is one (lets callers skip conversions)
    reference_first: bool = False  # the first argument must be a ${question}


def _join(ctx, separator, *values) -> str:
    spread = values[0] if len(values) == 1 and isinstance(values[0], Nodeset) else values
    return to_str(separator).join(to_str(value) for value in spread)


def _concat(ctx, *values) -> str:
    spread = values[0] if len(values) == 1 and isinstance(values[0], Nodeset) else values
    return "".join(to_str(value) for value in spread)


def _substr(ctx, text, start, end=None) -> str:
    """ODK's substr: 0-based start, end not included, negative counts from the end."""
    text = to_str(text)
    n = len(text)
    low, high = _index(start, n), n if end is None else _index(end, n)
    return text[low:high] if low <= high else ""


def _index(value, n: int) -> int:
    x = trunc(to_num(value))
    if x != x:
        return 0
    x = int(max(-n - 1, min(n + 1, x)))
    return min(max(0, n + x if x < 0 else x), n)


def _before(ctx, text, part) -> str:
    text, part = to_str(text), to_str(part)
    at = text.find(part)
    return text[:at] if at >= 0 else ""


def _after(ctx, text, part) -> str:
    text, part = to_str(text), to_str(part)
    at = text.find(part)
    return text[at + len(part):] if at >= 0 else ""


def _translate(ctx, text, source, target) -> str:
    source, target = to_str(source), to_str(target)
    table: dict[int, int | None] = {}
    for i, char in enumerate(source):
        table.setdefault(ord(char), ord(target[i]) if i < len(target) else None)
    return to_str(text).translate(table)


def _selected_at(ctx, value, index) -> str:
    chosen, i = items(value), trunc(to_num(index))
    return chosen[int(i)] if i == i and 0 <= i < len(chosen) else ""


def _boolean_from_string(ctx, value) -> bool:
    text = to_str(value)
    return text.lower() == "true" or text == "1"


def _date(ctx, value) -> Any:
    """A date: the day a date-time text is written on, or the day a number of days falls on."""
    value = first(value)
    if value is None or value == "":
        return ""
    if isinstance(value, str) and (parts := dates.parse(value)):
        return dates.date_text(dates.days_from_civil(*parts[:3]))
    return dates.date_text(to_num(value))


def _date_time(ctx, value) -> Any:
    value = first(value)
    if value is None or value == "":
        return ""
    if isinstance(value, str) and dates.parse(value):
        return value.strip(" \t\r\n")
    return dates.datetime_text(to_num(value))


def _decimal_date_time(ctx, value) -> Any:
    value = first(value)
    return "" if value is None or value == "" else to_num(value)


def _decimal_time(ctx, value) -> Any:
    value = first(value)
    if value is None or value == "":
        return ""
    if isinstance(value, str) and (parts := dates.parse(value)):
        hour, minute, second, millisecond = parts[3:7]
        return (((hour * 60 + minute) * 60 + second) * 1000 + millisecond) / dates.DAY_MS
    number = to_num(value)
    return number - math.floor(number) if math.isfinite(number) else NAN


def _format_date(ctx, value, pattern) -> str:
    value = first(value)
    fields = dates.fields_of(value if isinstance(value, str) and dates.parse(value) else to_num(value))
    return "" if fields is None else dates.format_fields(fields, to_str(pattern))


def _uuid(ctx, length=None) -> str:
    if length is None:
        return str(uuid_module.uuid4())
    n = trunc(to_num(length))
    n = int(n) if n == n and 0 < n <= 1000 else 0
    return "".join(secrets.choice(_TOKEN_CHARACTERS) for _ in range(n))


def _now(ctx) -> str:
    return ctx.now or local_now()


def _pulldata(ctx, file, column, key_column, key) -> str:
    """The `column` of the first row of an attached CSV whose `key_column` is `key`; '' when none."""
    rows = ctx.attachments.get(to_str(file)) or ()
    column, key_column, key = to_str(column), to_str(key_column), to_str(key)
    for row in rows:
        if row.get(key_column) == key:
            return to_str(row.get(column))
    return ""


def _choice_name(ctx, value, question) -> str:
    name = to_str(question).strip(" \t\r\n")
    if name.startswith("${") and name.endswith("}"):
        name = name[2:-1]
    return ctx.choice_labels.get(name, _EMPTY).get(to_str(value), "")


def _once(ctx, current, value) -> Any:
    return value if is_empty(current) else current


def _math(function: Callable[..., float], fallback: Callable[..., float] = lambda *numbers: NAN) -> Callable:
    """A function of numbers; where Python's math raises, `fallback` gives what JavaScript's Math gives."""
    def run(ctx, *values) -> float:
        numbers = [to_num(value) for value in values]
        try:
            return float(function(*numbers))
        except (ValueError, OverflowError):
            return fallback(*numbers)
    return run


def _whole(function: Callable[[float], float]) -> Callable[[float], float]:
    return lambda x: function(x) if math.isfinite(x) else x


def _log(x: float) -> float:
    return -math.inf if x == 0 else NAN


def _pow(x: float, y: float) -> float:
    if math.isinf(y) and abs(x) == 1:
        return NAN  # JavaScript: (+-1) ** Infinity is NaN
    return math.pow(x, y)


def _pow_fallback(x: float, y: float) -> float:
    odd = y % 2 == 1
    if x == 0:  # zero to a negative power
        return -math.inf if odd and math.copysign(1.0, x) < 0 else math.inf
    if x < 0 and y != math.trunc(y):  # a negative number to a fraction
        return NAN
    return -math.inf if x < 0 and odd else math.inf  # overflow


FUNCTIONS: dict[str, Function] = {
    # yes/no
    "true": Function(0, 0, lambda ctx: True, "boolean"),
    "false": Function(0, 0, lambda ctx: False, "boolean"),
    "not": Function(1, 1, lambda ctx, x: not truthy(x), "boolean"),
    "boolean": Function(1, 1, lambda ctx, x: truthy(x), "boolean"),
    "boolean-from-string": Function(1, 1, _boolean_from_string, "boolean"),
    "if": Function(3, 3, lambda ctx, c, a, b: a if truthy(c) else b),
    "coalesce": Function(2, 2, lambda ctx, a, b: b if is_empty(first(a)) or first(a) != first(a) else a),
    "once": Function(1, 1, _once),
    # choices
    "selected": Function(2, 2, lambda ctx, x, option: to_str(option).strip(" \t\r\n") in items(x), "boolean"),
    "count-selected": Function(1, 1, lambda ctx, x: float(len(items(x))), "number"),
    "selected-at": Function(2, 2, _selected_at),
    "jr:choice-name": Function(2, 2, _choice_name),
    "checklist": Function(2, None, repeats.checklist, "boolean"),
    "weighted-checklist": Function(2, None, repeats.weighted_checklist, "boolean"),
    # numbers
    "number": Function(1, 1, lambda ctx, x: to_num(x), "number"),
    "int": Function(1, 1, lambda ctx, x: trunc(to_num(x)), "number"),
    "round": Function(1, 2, lambda ctx, x, n=0: round_odk(x, n), "number"),
    "floor": Function(1, 1, _math(_whole(math.floor)), "number"),
    "ceiling": Function(1, 1, _math(_whole(math.ceil)), "number"),
    "abs": Function(1, 1, _math(abs), "number"),
    "pow": Function(2, 2, _math(_pow, _pow_fallback), "number"),
    "exp": Function(1, 1, _math(math.exp, lambda x: math.inf), "number"),
    "exp10": Function(1, 1, _math(lambda x: _pow(10.0, x), lambda x: math.inf), "number"),
    "log": Function(1, 1, _math(math.log, _log), "number"),
    "log10": Function(1, 1, _math(math.log10, _log), "number"),
    "sqrt": Function(1, 1, _math(math.sqrt), "number"),
    "sin": Function(1, 1, _math(math.sin), "number"),
    "cos": Function(1, 1, _math(math.cos), "number"),
    "tan": Function(1, 1, _math(math.tan), "number"),
    "asin": Function(1, 1, _math(math.asin), "number"),
    "acos": Function(1, 1, _math(math.acos), "number"),
    "atan": Function(1, 1, _math(math.atan), "number"),
    "atan2": Function(2, 2, _math(math.atan2), "number"),
    "pi": Function(0, 0, lambda ctx: math.pi, "number"),
    "random": Function(0, 0, lambda ctx: random.random(), "number"),  # noqa: S311 - not a secret
    # text
    "string": Function(1, 1, lambda ctx, x: to_str(x)),
    "concat": Function(0, None, _concat),
    "join": Function(1, None, _join),
    "string-length": Function(0, 1, lambda ctx, x: float(len(to_str(x))), "number"),  # no argument: `.`
    "normalize-space": Function(0, 1, lambda ctx, x: _SPACES.sub(" ", to_str(x)).strip(" ")),
    "contains": Function(2, 2, lambda ctx, x, part: to_str(part) in to_str(x), "boolean"),
    "starts-with": Function(2, 2, lambda ctx, x, part: to_str(x).startswith(to_str(part)), "boolean"),
    "ends-with": Function(2, 2, lambda ctx, x, part: to_str(x).endswith(to_str(part)), "boolean"),
    "substr": Function(2, 3, _substr),
    "substring-before": Function(2, 2, _before),
    "substring-after": Function(2, 2, _after),
    "translate": Function(3, 3, _translate),
    "regex": Function(2, 2, lambda ctx, x, pattern: expression_regex.matches(to_str(x), to_str(pattern)),
                      "boolean"),
    "uuid": Function(0, 1, _uuid),
    "pulldata": Function(4, 4, _pulldata),
    # dates
    "today": Function(0, 0, lambda ctx: ctx.today),
    "now": Function(0, 0, _now),
    "date": Function(1, 1, _date),
    "date-time": Function(1, 1, _date_time),
    "decimal-date-time": Function(1, 1, _decimal_date_time),
    "decimal-time": Function(1, 1, _decimal_time),
    "format-date": Function(2, 2, _format_date),
    "format-date-time": Function(2, 2, _format_date),
    # several values (repeats)
    "sum": Function(1, 1, repeats.sum_of, "number"),
    "count": Function(1, 1, repeats.count, "number"),
    "count-non-empty": Function(1, 1, repeats.count_non_empty, "number"),
    "min": Function(1, None, repeats.extreme(min), "number"),
    "max": Function(1, None, repeats.extreme(max), "number"),
    "position": Function(0, 1, lambda ctx, node=None: float(ctx.position), "number"),
    "indexed-repeat": Function(3, 3, repeats.indexed_repeat, reference_first=True),
}

BROWSER_CORE = frozenset({
    "true", "false", "not", "if", "coalesce", "selected", "count-selected", "number", "int", "round", "string",
    "concat", "string-length", "today",
})
"""The functions every phone page has (static/js/expressions.js); the others come with
static/js/expression_functions.js, which a page loads only for a questionnaire that uses them."""
