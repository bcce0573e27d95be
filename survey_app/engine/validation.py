"""Check a participant's answers against a questionnaire; the server's word is final.

Answers arrive as strings from an HTML form or as JSON values from the sync API. They are
turned into typed values (Persian and Arabic-Indic digits accepted), calculations are
run, hidden questions are dropped, then required and constraint rules are checked.
"""

import datetime
import math
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

import jdatetime

from .definition import FormDefinition
from .definition import Question
from .definition import Text
from .expressions import Context
from .expressions import is_true
from .expressions import runner
from .texts import to_ascii_digits

MAX_TEXT_LENGTH = 5000


@dataclass(frozen=True)
class FieldError:
    """Why one answer was refused: a code the interface translates, or the form's own message."""

    code: str
    message: Text = field(default_factory=dict)


@dataclass
class Outcome:
    answers: dict = field(default_factory=dict)
    errors: dict[str, FieldError] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    hidden: set[str] = field(default_factory=set)  # not relevant with these answers (groups' members too)

    @property
    def ok(self) -> bool:
        return not self.errors


class InvalidValue(ValueError):
    """A value that cannot be read as the question's type; args[0] is the error code."""


def is_empty(value) -> bool:
    return value is None or value == "" or value == []


def parse_date(value) -> datetime.date:
    """Read an ISO date, or a Solar Hijri one (year before 1700) typed as Y/M/D or Y-M-D."""
    if isinstance(value, datetime.date):
        return value
    text = to_ascii_digits(str(value)).strip().replace("/", "-")
    try:
        year, month, day = (int(part) for part in text.split("-"))
        if year < 1700:
            return jdatetime.date(year, month, day).togregorian()
        return datetime.date(year, month, day)
    except (ValueError, TypeError, OverflowError) as exc:
        raise InvalidValue("date") from exc


def coerce(question: Question, choices: Sequence[str], value):
    """Return the typed value of one raw answer, or raise InvalidValue with an error code."""
    return coercer(question, choices)(value)


def coercer(question: Question, choices: Sequence[str]) -> Callable:
    """The reader of one question's raw answers, chosen once per question rather than per answer."""
    kind, options = question.type, tuple(choices)
    typed = _TYPED.get(kind)
    if kind == "rating":
        typed = _rating(question.rating_max)
    elif kind in ("select_one", "select_multiple"):
        typed = _select_one(frozenset(options)) if kind == "select_one" else _select_multiple(options)

    def read(value):
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
        elif value is None or value == []:  # is_empty
            return None
        return typed(value) if typed else value

    return read


def _text(value):
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise InvalidValue("text")
    if len(str(value)) > MAX_TEXT_LENGTH:
        raise InvalidValue("too_long")
    return str(value)


def _integer(value) -> int:
    number = _number(value)
    if not number.is_integer():
        raise InvalidValue("integer")
    return int(number)


def _rating(maximum: int) -> Callable:
    def read(value) -> int:
        number = _integer(value)
        if not 1 <= number <= maximum:
            raise InvalidValue("choice")
        return number

    return read


def _select_one(allowed: frozenset) -> Callable:
    def read(value) -> str:
        if str(value) not in allowed:
            raise InvalidValue("choice")
        return str(value)

    return read


def _select_multiple(options: tuple) -> Callable:
    allowed = frozenset(options)

    def read(value):
        items = value.split() if isinstance(value, str) else value
        if not isinstance(items, list) or any(str(item) not in allowed for item in items):
            raise InvalidValue("choice")
        picked = {str(item) for item in items}
        return [name for name in options if name in picked] or None

    return read


_TYPED: dict[str, Callable] = {
    "text": _text,
    "integer": _integer,
    "decimal": lambda value: _number(value, code="decimal"),
    "date": lambda value: parse_date(value).isoformat(),
}


def _number(value, code: str = "integer") -> float:
    if isinstance(value, bool):
        raise InvalidValue(code)
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError as exc:
            raise InvalidValue(code) from exc
    else:
        try:
            number = float(to_ascii_digits(str(value)).replace(",", "").strip())
        except (ValueError, OverflowError) as exc:
            raise InvalidValue(code) from exc
    if not math.isfinite(number):
        raise InvalidValue(code)
    return number


@dataclass(frozen=True, slots=True)
class _Step:
    """One question of a compiled form: its expressions parsed once, its reader chosen once."""

    question: Question
    name: str
    is_input: bool
    groups: frozenset[str]
    read: Callable | None  # raw answer -> typed value (inputs only)
    relevant: Callable | None  # these take an expressions.Context
    calculation: Callable | None
    required: Callable | None
    constraint: Callable | None
    checked: bool  # an input with a rule: required or constraint


@dataclass(frozen=True, slots=True)
class _Plan:
    names: frozenset[str]
    steps: tuple[_Step, ...]
    inputs: tuple[_Step, ...]


def _compile(form: FormDefinition) -> _Plan:
    def run(text):
        return runner(text) if text else None

    steps = tuple(
        _Step(question, question.name, question.is_input, frozenset(p.name for p in parents),
              coercer(question, [c.name for c in form.choices_for(question)]) if question.is_input else None,
              run(question.relevant), run(question.calculation) if question.type == "calculate" else None,
              run(question.required), run(question.constraint),
              question.is_input and bool(question.required or question.constraint))
        for question, parents in form.walk()
    )
    return _Plan(frozenset(step.name for step in steps), steps, tuple(step for step in steps if step.is_input))


def _plan(form: FormDefinition) -> _Plan:
    """Return the compiled plan of a definition; a batch of a thousand records reuses one."""
    entry = _PLANS.get(id(form))
    if entry is None or entry[0] is not form:
        if len(_PLANS) > 256:
            _PLANS.clear()
        entry = _PLANS[id(form)] = (form, _compile(form))
    return entry[1]


_PLANS: dict[int, tuple[FormDefinition, _Plan]] = {}  # the form is kept so its id is not reused


def validate(form: FormDefinition, raw: dict, *, today: datetime.date | None = None) -> Outcome:
    """Type, compute, apply relevance and check every answer; keep only what is shown."""
    today = today or datetime.date.today()
    plan = _plan(form)
    outcome = Outcome(unknown=sorted(raw.keys() - plan.names))
    values, format_errors = {}, {}
    for step in plan.inputs:
        try:
            values[step.name] = step.read(raw.get(step.name))
        except InvalidValue as exc:
            values[step.name] = None
            format_errors[step.name] = FieldError(exc.args[0])
    # One context for every expression of this record: they all read the same (live) values.
    context = Context(values, None, today.isoformat())  # YYYY-MM-DD
    hidden: set[str] = set()
    for step in plan.steps:
        if (step.groups and not hidden.isdisjoint(step.groups)) or (
            step.relevant and not is_true(step.relevant(context))
        ):
            hidden.add(step.name)
            values.pop(step.name, None)
        elif step.calculation:
            values[step.name] = _calculated(step.calculation(context))
        elif step.checked or (format_errors and step.name in format_errors):
            _check(step, values, format_errors, outcome, context)
    outcome.answers = {k: v for k, v in values.items() if v is not None and v != "" and v != []}  # not is_empty
    outcome.hidden = hidden
    return outcome


def _calculated(result):
    if isinstance(result, float):
        if not math.isfinite(result):
            return None
        if result.is_integer():
            return int(result)
    return result


def _check(step: _Step, values: dict, format_errors: dict, outcome: Outcome, context: Context) -> None:
    name = step.name
    if name in format_errors:
        outcome.errors[name] = format_errors[name]
        return
    value = values.get(name)
    if value is None or value == "" or value == []:  # is_empty, inline: this runs for every answer
        if step.required and is_true(step.required(context)):
            outcome.errors[name] = FieldError("required", step.question.required_message)
    elif step.constraint:
        context.current = value  # typed by its reader: already a value the expressions take as is
        if not is_true(step.constraint(context)):
            outcome.errors[name] = FieldError("constraint", step.question.constraint_message)
        context.current = None  # relevance and calculations have no current answer
