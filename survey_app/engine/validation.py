"""Check a participant's answers against a questionnaire; the server's word is final.

Answers arrive as strings from an HTML form or as JSON values from the sync API. They are
turned into typed values (Persian and Arabic-Indic digits accepted), calculations are
run, hidden questions are dropped, then required and constraint rules are checked.
"""

import datetime
import math
import re
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

import jdatetime

from .compiled_form import compile_form
from .definition import META_TYPES
from .definition import FormDefinition
from .definition import Question
from .definition import Text
from .expression_values import to_str
from .expressions import iso_day
from .structured_check import compile_structured
from .texts import to_ascii_digits

MAX_TEXT_LENGTH = 5000
# What no database column of text can hold: NUL (PostgreSQL refuses it) and halves of a surrogate pair
# (not text at all: they cannot be written as UTF-8). validation.js checks the same characters.
UNSTORABLE_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


def storable_text(text: str) -> bool:
    """Tell whether a text can be stored as it is in SQLite and PostgreSQL alike."""
    return UNSTORABLE_CHARACTERS.search(text) is None


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
    # Inside a repeat's instances, errors and hidden items are named by path: "repeat/0/question".

    @property
    def ok(self) -> bool:
        return not self.errors


class InvalidValue(ValueError):
    """A value that cannot be read as the question's type; args[0] is the error code."""


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


def typed_reader(question: Question, choices: Sequence[str]) -> Callable | None:
    """The reader of one question's non-empty raw answers, or None where the value is kept as sent."""
    kind, options = question.type, tuple(choices)
    if kind == "rating":
        return _rating(question.rating_max)
    if kind == "select_one":
        return _select_one(frozenset(options))
    if kind == "select_multiple":
        return _select_multiple(options)
    if kind == "rank":
        return _rank(options)
    if kind == "range":
        return _range(question.parameters)
    if kind in META_TYPES:
        return _text
    return _TYPED.get(kind)


def _text(value):
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise InvalidValue("text")
    if len(str(value)) > MAX_TEXT_LENGTH:
        raise InvalidValue("too_long")
    if not storable_text(str(value)):
        raise InvalidValue("characters")
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
        if not isinstance(items, list):
            raise InvalidValue("choice")
        picked = {item if type(item) is str else str(item) for item in items}
        if not picked <= allowed:
            raise InvalidValue("choice")
        return [name for name in options if name in picked] or None

    return read


def _rank(options: tuple) -> Callable:
    """Read an order of options: each once, all of them (as ODK's rank asks)."""
    def read(value):
        items = value.split() if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            raise InvalidValue("choice")
        items = [item for item in items if item]
        if not items:
            return None
        if sorted(items) != sorted(options):
            raise InvalidValue("rank")
        return items

    return read


def _range(parameters: dict) -> Callable:
    """Read a slider's value: a number from start to end, on a step."""
    start, end, step = (float(parameters.get(key, default)) for key, default in
                        (("start", 1), ("end", 10), ("step", 1)))

    def read(value):
        number = _number(value, code="decimal")
        steps = (number - start) / step
        if not start <= number <= end or abs(steps - round(steps)) > 1e-9:
            raise InvalidValue("range")
        return int(number) if number.is_integer() else number

    return read


def _geopoint(value) -> str:
    """Read 'latitude longitude [altitude [accuracy]]' (ODK's geopoint), kept as that string."""
    parts = to_ascii_digits(str(value)).replace(",", " ").split()
    try:
        numbers = [float(part) for part in parts]
    except ValueError as exc:
        raise InvalidValue("geopoint") from exc
    if not 2 <= len(numbers) <= 4 or not all(math.isfinite(n) for n in numbers) \
            or not -90 <= numbers[0] <= 90 or not -180 <= numbers[1] <= 180:
        raise InvalidValue("geopoint")
    return " ".join(to_str(n) for n in numbers)  # as JavaScript's String(n), so both sides store the same


# A file answer's name as the phone or the server gives it: a short safe name with an extension.
FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}\.[a-z0-9]{1,5}")


def _file_name(value) -> str:
    """Read a photo's or file's name (its bytes are checked with the record, answer_files.py)."""
    if not isinstance(value, str) or not FILE_NAME.fullmatch(value):
        raise InvalidValue("file_name")
    return value


def _acknowledge(value) -> str:
    if str(value).strip().lower() not in ("ok", "1", "true", "yes", "on"):
        raise InvalidValue("choice")
    return "OK"


def _clock(pattern: str, code: str) -> Callable:
    def read(value) -> str:
        text = to_ascii_digits(str(value)).strip()
        if not re.fullmatch(pattern, text):
            raise InvalidValue(code)
        return text

    return read


_TYPED: dict[str, Callable] = {
    "geopoint": _geopoint,
    "acknowledge": _acknowledge,
    "image": _file_name,
    "file": _file_name,
    "time": _clock(r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?", "time"),
    "datetime": _clock(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?"
                       r"(Z|[+-][0-9]{2}:?[0-9]{2})?", "datetime"),
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


def checker(form: FormDefinition) -> Callable[[dict, str], Outcome]:
    """Return the questionnaire's compiled checker: check(raw answers, today as YYYY-MM-DD) -> Outcome.

    A definition never changes, so it is compiled once (``compiled_form``) and a batch of a thousand
    records reuses the same function.
    """
    entry = _CHECKERS.get(id(form))
    if entry is None or entry[0] is not form:
        if len(_CHECKERS) > 256:
            _CHECKERS.clear()
        readers = {question.name: typed_reader(question, [c.name for c in form.choices_for(question)])
                   for question, _ in form.walk_all() if question.is_input}
        # Repeats and choice filters are read rule by rule (held to the compiled checker's outcomes).
        compile_ = compile_structured if form.has_repeats or form.has_choice_filters else compile_form
        check = compile_(form, readers=readers, field_error=FieldError, invalid_value=InvalidValue, outcome=Outcome)
        if fixed := read_only_answers(form):
            check = _keeping_read_only(check, fixed)
        entry = _CHECKERS[id(form)] = (form, check)
    return entry[1]


def read_only_answers(form: FormDefinition) -> dict[str, str]:
    """A read-only question's answer is its default, whatever a phone or a web form sent."""
    return {question.name: question.default or "" for question in form.questions()
            if question.read_only and question.is_input}


def _keeping_read_only(check: Callable, fixed: dict[str, str]) -> Callable:
    def check_read_only(raw, today):
        return check({**raw, **fixed} if isinstance(raw, dict) else raw, today)

    return check_read_only


_CHECKERS: dict[int, tuple[FormDefinition, Callable]] = {}  # the form is kept so its id is not reused


def validate(form: FormDefinition, raw: dict, *, today: datetime.date | None = None) -> Outcome:
    """Type, compute, apply relevance and check every answer; keep only what is shown."""
    return checker(form)(raw, iso_day(today or datetime.date.today()))

