"""Expression language of questionnaire definitions (``relevant``, ``constraint``, ...).

The same language is implemented in ``survey_app/static/js/expressions.js`` for the
offline browser client; both are checked against ``tests/data/expression_vectors.json``
so a form behaves identically online and offline.

Syntax: ``${name}`` answers (name: ASCII letter or ``_``, then letters, digits,
``_ - .``), ``.`` the current answer, numbers (``3``, ``2.5``, ``.5``), strings in
single or double quotes (no escapes), operators (lowest precedence first) ``or``;
``and``; ``= !=``; ``< <= > >=``; ``+ -``; ``* div mod``; unary ``-``; parentheses
and the functions listed in ``FUNCTION_ARITY``. Whitespace is space, tab, CR, LF.
Keywords and function names are case-sensitive. Nesting is limited to ``MAX_DEPTH``.

Values (ODK-like): an answer is None, str, int, float, bool or a list of str.
Anything else (dicts, dates, objects...) is treated as None; list items that are not
str become their string form (nested lists become ""). Empty = None, "" or [].

- boolean: None/""/[] false; numbers non-zero and not NaN; non-empty str/list true.
- number: int/float as is (always as float), bool 1/0, str matching
  ``[+-]?(digits[.digits] | .digits)`` after stripping ASCII whitespace; else NaN.
- string: None "", bool "true"/"false", numbers formatted like JavaScript's
  ``String(x)`` (3.0 -> "3", 1e21 -> "1e+21", NaN -> "NaN"), list joined by " ".
- ``< <= > >=``: ISO dates (two str values of the form YYYY-MM-DD) compare as
  strings; otherwise as numbers, false if either is NaN.
- ``= !=``: lists are first replaced by their string form; then bool on either side
  compares booleans, a number on either side compares numbers (NaN equals nothing),
  else strings. ``!=`` is always the negation of ``=``.
- arithmetic is on floats; ``x div 0`` and ``x mod 0`` are NaN; ``mod`` takes the
  sign of the dividend (JavaScript ``%``).
- selected/count-selected split strings on ASCII whitespace; empty items are ignored.
- ``round(x[, n])`` rounds half away from zero; ``int`` truncates toward zero;
  ``coalesce(a, b)`` returns b when a is empty; ``concat`` takes one or more args.
- ``regex`` is ``re.search``; an invalid pattern gives false. Character classes such
  as ``\\d`` and ``\\w`` differ from JavaScript on non-ASCII text: prefer ``[0-9]``.

Parsing raises ``ExpressionError``; evaluation never raises.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from .expression_parser import FUNCTION_ARITY
from .expression_parser import MAX_DEPTH
from .expression_parser import ExpressionError
from .expression_parser import Node
from .expression_parser import parse
from .expression_values import _ARITHMETIC
from .expression_values import _COMPARE
from .expression_values import _compare
from .expression_values import _equal
from .expression_values import _is_date
from .expression_values import _is_empty
from .expression_values import _items
from .expression_values import _normalize
from .expression_values import _regex
from .expression_values import _round
from .expression_values import _to_num
from .expression_values import _to_str
from .expression_values import _trunc
from .expression_values import _truthy

__all__ = [
    "FUNCTION_ARITY",
    "MAX_DEPTH",
    "Context",
    "ExpressionError",
    "Node",
    "evaluate",
    "evaluate_bool",
    "evaluator",
    "is_true",
    "parse",
    "references",
    "runner",
]

class _Context:
    """What an expression is evaluated against (a slotted class: made once per evaluation)."""

    __slots__ = ("answers", "current", "today")

    def __init__(self, answers: Mapping[str, Any], current: Any, today: str) -> None:
        self.answers, self.current, self.today = answers, current, today


Context = _Context  # for callers of ``runner``


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "not": lambda ctx, x: not _truthy(x),
    "selected": lambda ctx, items, v: _to_str(v) in _items(items),
    "count-selected": lambda ctx, x: float(len(_items(x))),
    "string-length": lambda ctx, x: float(len(_to_str(x))),
    "regex": lambda ctx, x, pattern: _regex(x, pattern),
    "today": lambda ctx: ctx.today,
    "if": lambda ctx, cond, a, b: a if _truthy(cond) else b,
    "number": lambda ctx, x: _to_num(x),
    "int": lambda ctx, x: _trunc(_to_num(x)),
    "string": lambda ctx, x: _to_str(x),
    "true": lambda ctx: True,
    "false": lambda ctx: False,
    "coalesce": lambda ctx, a, b: b if _is_empty(a) else a,
    "concat": lambda ctx, *args: "".join(_to_str(a) for a in args),
    "round": lambda ctx, x, n=0: _round(x, n),
}


def _lookup(answers: Any, name: str) -> Any:
    if type(answers) is dict or isinstance(answers, Mapping):
        return _normalize(answers.get(name))
    return None


_Compiled = Callable[[_Context], Any]


def _compile(node: Node) -> _Compiled:
    """Turn a tree into nested closures, so evaluating it does no dispatch on node kinds."""
    kind, value = node.kind, node.value
    if kind in ("num", "str"):
        return lambda ctx: value
    if kind == "ref":
        name = str(value)
        return lambda ctx: _lookup(ctx.answers, name)
    if kind == "cur":
        return lambda ctx: ctx.current
    if kind == "neg":
        inner = _compile(node.args[0])
        return lambda ctx: -_to_num(inner(ctx))
    if kind == "op":
        if value in _COMPARE and (compiled := _compile_comparison(str(value), *node.args)):
            return compiled
        return _compile_op(str(value), *map(_compile, node.args))
    function, parts = _FUNCTIONS[str(value)], tuple(map(_compile, node.args))
    if not parts:
        return lambda ctx: function(ctx)
    if len(parts) == 1:
        (only,) = parts
        return lambda ctx: function(ctx, only(ctx))
    if len(parts) == 2:
        first, second = parts
        return lambda ctx: function(ctx, first(ctx), second(ctx))
    return lambda ctx: function(ctx, *[part(ctx) for part in parts])


def _compile_op(op: str, left: _Compiled, right: _Compiled) -> _Compiled:
    if op == "or":
        return lambda ctx: _truthy(left(ctx)) or _truthy(right(ctx))
    if op == "and":
        return lambda ctx: _truthy(left(ctx)) and _truthy(right(ctx))
    if op == "=":
        return lambda ctx: _equal(left(ctx), right(ctx))
    if op == "!=":
        return lambda ctx: not _equal(left(ctx), right(ctx))
    if op in _COMPARE:
        return lambda ctx: _compare(op, left(ctx), right(ctx))
    arithmetic = _ARITHMETIC[op]
    return lambda ctx: arithmetic(_to_num(left(ctx)), _to_num(right(ctx)))


def _compile_comparison(op: str, left: Node, right: Node) -> _Compiled | None:
    """Compare with a literal that is not a date as numbers straight away (``${age} >= 15``)."""
    compare = _COMPARE[op]
    if right.kind in ("num", "str") and not _is_date(right.value):
        value, number = _compile(left), _to_num(right.value)
        return lambda ctx: compare(_to_num(value(ctx)), number)
    if left.kind in ("num", "str") and not _is_date(left.value):
        number, value = _to_num(left.value), _compile(right)
        return lambda ctx: compare(number, _to_num(value(ctx)))
    return None


@lru_cache(maxsize=2048)
def _compiled_text(text: str) -> _Compiled:
    return _compile(parse(text))


def _compiled(node_or_text: Node | str) -> _Compiled:
    return _compile(node_or_text) if isinstance(node_or_text, Node) else _compiled_text(node_or_text)


def _iso_today(today: Any) -> str:
    """Accept a date (or an ISO string, as the shared test vectors use)."""
    if isinstance(today, str):
        return today
    day = today if isinstance(today, date) else date.today()
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def _as_node(node_or_text: Node | str) -> Node:
    return node_or_text if isinstance(node_or_text, Node) else parse(node_or_text)


def references(text_or_node: Node | str) -> set[str]:
    """Names an expression depends on, so callers know what to re-evaluate."""
    found: set[str] = set()
    stack = [_as_node(text_or_node)]
    while stack:
        node = stack.pop()
        if node.kind == "ref":
            found.add(str(node.value))
        stack.extend(node.args)
    return found


def evaluate(
    node_or_text: Node | str,
    answers: Mapping[str, Any] | None,
    *,
    current: Any = None,
    today: date | str | None = None,
) -> Any:
    """Compute the raw value; never raises for any answer values (only parse errors)."""
    ctx = _Context(answers or {}, _normalize(current), _iso_today(today))
    return _compiled(node_or_text)(ctx)


def evaluator(node_or_text: Node | str) -> Callable[[Mapping[str, Any] | None, Any, str], Any]:
    """Compile an expression once, for callers that run it many times (validating a batch).

    The result takes (answers, current, today as YYYY-MM-DD) and returns what ``evaluate`` would.
    """
    run = _compiled(node_or_text)
    return lambda answers, current, today: run(_Context(answers or {}, _normalize(current), today))


def runner(node_or_text: Node | str) -> Callable[[Context], Any]:
    """Compile an expression to run against a ``Context`` its caller keeps (one per record validated).

    The context holds answers of the value types listed above (as ``validation`` types them), the
    current answer likewise, and today as YYYY-MM-DD; run(context) returns what ``evaluate`` would.
    """
    return _compiled(node_or_text)


def evaluate_bool(
    node_or_text: Node | str,
    answers: Mapping[str, Any] | None,
    *,
    current: Any = None,
    today: date | str | None = None,
) -> bool:
    """Evaluate for ``relevant``/``constraint``/``required``, which need a yes/no."""
    value = evaluate(node_or_text, answers, current=current, today=today)
    return _truthy(value)


is_true = _truthy  # the yes/no of a value, for callers of ``evaluator``
