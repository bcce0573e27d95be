"""Expression language of questionnaire definitions (``relevant``, ``constraint``, ``calculation``...).

The same language is implemented in ``survey_app/static/js/expressions.js`` for the
offline browser client; both are checked against ``tests/data/expression_vectors.json``
so a form behaves identically online and offline, and both follow ODK (JavaRosa, Enketo).

Syntax: ``${name}`` answers (name: ASCII letter or ``_``, then letters, digits,
``_ - .``), ``.`` the current answer, ``..`` its parent (for ``position(..)``), numbers
(``3``, ``2.5``, ``.5``, ``123.``), strings in single or double quotes (no escapes), operators
(lowest precedence first) ``or``; ``and``; ``= !=``; ``< <= > >=``; ``+ -``; ``* div mod``;
unary ``-``; parentheses and the functions of ``expression_functions.FUNCTIONS``. After a
value, ``and or div mod`` are operators even without a space (``1and1``). Whitespace is
space, tab, CR, LF. Names are case-sensitive. Nesting is limited to ``MAX_DEPTH``; a chain of
one operator (``a or b or c ...``) counts once; an expression has at most ``MAX_LENGTH``
characters. A ``regex()`` whose pattern is a literal is checked when the expression is read.

Values: an answer is None, str, int, float, bool, a list of str (a select_multiple) or a
``Nodeset`` (several values: a question inside a repeat read from outside it). Anything else
is treated as None. Empty = None, "" or [].

- boolean: None/""/[] false; numbers non-zero and not NaN; non-empty str/list/Nodeset true.
- number: int/float as is (always as float), bool 1/0, str matching
  ``[+-]?(digits[.digits] | .digits)`` after stripping ASCII whitespace; a date
  ``YYYY-MM-DD`` is its days since 1970-01-01, a date-time the same with the time as a
  fraction of a day (UTC when it has an offset); else NaN. A Nodeset: its first value.
- string: None "", bool "true"/"false", numbers formatted like JavaScript's
  ``String(x)`` (3.0 -> "3", 1e21 -> "1e+21", NaN -> "NaN"), list joined by " ".
- ``< <= > >=`` compare numbers (so dates compare as days); NaN compares false.
- ``= !=``: lists are first replaced by their string form; then bool on either side
  compares booleans, a number on either side compares numbers (NaN equals nothing),
  else strings. ``!=`` is always the negation of ``=``.
- arithmetic is on floats: ``today() - ${dob}`` is days, ``today() + 1`` a number of days
  (``date()`` makes it a date again); ``x div 0`` is +-Infinity and ``0 div 0`` NaN, as in
  ODK; ``x mod 0`` is NaN; ``mod`` takes the sign of the dividend.
- ``round(x[, n])`` rounds the number's shortest decimal form, halves toward +infinity (ODK);
  ``int`` truncates toward zero; ``coalesce(a, b)`` returns b when a is empty or NaN.
- ``regex(x, pattern)`` is true when the *whole* of x matches (ODK Collect), see ``expression_regex``.

Parsing raises ``ExpressionError``; evaluation never raises.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from . import expression_source
from .expression_attachments import choice_labels
from .expression_functions import BROWSER_CORE
from .expression_functions import Context
from .expression_instances import instances_for
from .expression_instances import used_instances
from .expression_parser import FUNCTION_ARITY
from .expression_parser import MAX_DEPTH
from .expression_parser import ExpressionError
from .expression_parser import Node
from .expression_parser import parse
from .expression_values import Nodeset
from .expression_values import normalize
from .expression_values import to_str
from .expression_values import truthy

__all__ = [
    "FUNCTION_ARITY",
    "MAX_DEPTH",
    "Context",
    "ExpressionError",
    "Node",
    "Nodeset",
    "browser_modules",
    "browser_tables",
    "instance_namer",
    "evaluate",
    "evaluate_bool",
    "iso_day",
    "parse",
    "references",
]

_Compiled = Callable[[Mapping[str, Any], Any, Context], Any]  # (answers, current, context) -> value


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


BROWSER_FUNCTIONS = "js/expression_functions.js"
_FIELDS = ("relevant", "constraint", "required", "calculation", "choice_filter", "repeat_count")


def browser_modules(form) -> list[str]:
    """Static JavaScript modules a questionnaire's page needs besides the core, to keep plain pages light."""
    for question, _ in form.walk_all():  # rules inside repeats too
        for field in _FIELDS:
            text = getattr(question, field, None)
            if text and isinstance(text, str) and _functions(text) - BROWSER_CORE:
                return [BROWSER_FUNCTIONS]
    return [BROWSER_FUNCTIONS] if used_instances(form) else []  # instance() is read by a module of its own


def browser_tables(form) -> dict:
    """What pulldata() and jr:choice-name() read on the phone, sent only with a questionnaire that calls them.

    The same rows and labels the server's ``Context`` holds (engine/compiled_form.py), so both sides
    compute the same value; empty for every other questionnaire, whose page stays as light as before.
    """
    used: set[str] = set()
    for question, _ in form.walk_all():
        for field in _FIELDS:
            text = getattr(question, field, None)
            if text and isinstance(text, str):
                used |= _functions(text)
    tables = {}
    if "pulldata" in used and form.attachments:
        tables["attachments"] = {name: [dict(row) for row in rows] for name, rows in form.attachments.items()}
    if "jr:choice-name" in used:
        tables["choiceLabels"] = choice_labels(form)
    if instances := instances_for(form):
        tables["instances"] = instances
    return tables


def _functions(text: str) -> set[str]:
    try:
        return _values_of(parse(text), "call")
    except ExpressionError:
        return set()


def references(text_or_node: Node | str) -> set[str]:
    """Names an expression depends on, so callers know what to re-evaluate."""
    return _values_of(_as_node(text_or_node), "ref")


def _values_of(root: Node, kind: str) -> set[str]:
    """The values of every node of one kind in an expression tree (function names, referenced names)."""
    found: set[str] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node.kind == kind:
            found.add(str(node.value))
        stack.extend(node.args)
    return found


def evaluate(
    node_or_text: Node | str,
    answers: Mapping[str, Any] | None,
    *,
    current: Any = None,
    today: date | str | None = None,
    context: Context | None = None,
) -> Any:
    """Compute the raw value; never raises for any answer values (only parse errors).

    ``context`` gives what the answers do not (repeat position, attached files, now); its
    ``today`` is filled from ``today`` when empty.
    """
    if context is None:
        context = Context(today=_iso_today(today))
    elif not context.today:
        context.today = _iso_today(today)
    return _compiled(node_or_text)(answers or {}, normalize(current), context)


def evaluate_bool(
    node_or_text: Node | str,
    answers: Mapping[str, Any] | None,
    *,
    current: Any = None,
    today: date | str | None = None,
    context: Context | None = None,
) -> bool:
    """Evaluate for ``relevant``/``constraint``/``required``, which need a yes/no."""
    value = evaluate(node_or_text, answers, current=current, today=today, context=context)
    return truthy(value)


MAX_INSTANCE_NAME = 200  # characters: a name is shown in lists and exported in one cell


def instance_namer(form) -> Callable[[Mapping[str, Any]], str]:
    """Name submissions as the settings' ``instance_name`` says (ODK), with the questionnaire's attached rows
    and option labels; a questionnaire without one, or an expression that does not parse, names nothing ('')."""
    if not form.instance_name:
        return lambda answers: ""
    try:
        node = parse(form.instance_name)
    except ExpressionError:
        return lambda answers: ""
    tables = {"attachments": form.attachments, "choice_labels": choice_labels(form),
              "instances": instances_for(form)}

    def name(answers: Mapping[str, Any]) -> str:
        value = evaluate(node, answers if isinstance(answers, Mapping) else {}, context=Context(**tables))
        return " ".join(to_str(value).split())[:MAX_INSTANCE_NAME]

    return name
