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

from . import expression_source
from .expression_parser import FUNCTION_ARITY
from .expression_parser import MAX_DEPTH
from .expression_parser import ExpressionError
from .expression_parser import Node
from .expression_parser import parse
from .expression_values import normalize
from .expression_values import truthy

__all__ = [
    "FUNCTION_ARITY",
    "MAX_DEPTH",
    "ExpressionError",
    "Node",
    "evaluate",
    "evaluate_bool",
    "iso_day",
    "parse",
    "references",
]

_Compiled = Callable[[Mapping[str, Any], Any, str], Any]  # (answers, current, today) -> value


@lru_cache(maxsize=2048)
def _compiled(node_or_text: Node | str) -> _Compiled:
    """The expression as a Python function (written once per expression, see ``expression_source``)."""
    return expression_source.function(_as_node(node_or_text))


def _iso_today(today: Any) -> str:
    """Accept a date (or an ISO string, as the shared test vectors use)."""
    if isinstance(today, str):
        return today
    return iso_day(today if isinstance(today, date) else date.today())


def iso_day(day: date) -> str:
    """A day as the language's today() gives it: YYYY-MM-DD."""
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
    return _compiled(node_or_text)(answers or {}, normalize(current), _iso_today(today))


def evaluate_bool(
    node_or_text: Node | str,
    answers: Mapping[str, Any] | None,
    *,
    current: Any = None,
    today: date | str | None = None,
) -> bool:
    """Evaluate for ``relevant``/``constraint``/``required``, which need a yes/no."""
    value = evaluate(node_or_text, answers, current=current, today=today)
    return truthy(value)

