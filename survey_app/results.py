"""Statistics of a questionnaire's answers, read from running tallies (no Flask).

Submissions are never scanned for a summary: every count, mean, median, range and date comes
from the tallies kept at ingestion (tallies.py), grouped over the filters, which are all key
columns of the tallies. A number question's tally is its distribution (one row per distinct
value), which gives count, mean, median, extremes and ranges exactly (see stats.py).

Questions are worded as in the current version (or the version filtered on). Answers given
in older versions count under the same question name, and questions or options that only
older versions had are listed after the others. A day is the UTC day a submission was sent
(or received, when the phone did not say when it was sent).
"""

import datetime
from collections.abc import Callable
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field

from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import and_
from sqlalchemy import cast
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import or_
from sqlmodel import Session
from sqlmodel import select

from . import answer_files
from . import stats
from . import tallies
from .engine.definition import Choice
from .engine.definition import Question
from .engine.texts import Resolved
from .engine.texts import resolve
from .forms_store import definition_of
from .models import AnswerTally
from .models import Form
from .models import FormVersion
from .models import Submission
from .models import SubmissionTally
from .stats import CHOICE
from .stats import DATE
from .stats import LIKERT
from .stats import MULTIPLE
from .stats import NUMBER
from .stats import RATING
from .stats import TEXT
from .stats import NumberStats

KINDS = {"select_one": CHOICE, "select_multiple": MULTIPLE, "rating": RATING, "integer": NUMBER,
         "decimal": NUMBER, "date": DATE, "text": TEXT, "image": TEXT, "file": TEXT}
GAP_FILL_DAYS = 120
MIDNIGHT = datetime.time(tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Filters:
    """Which submissions count: a workshop, a range of days (both included), a language, a version."""

    workshop: str | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    lang: str | None = None
    version: str | None = None

    def as_dict(self) -> dict:
        """The filters in use, as plain data for the audit log."""
        return {key: value.isoformat() if isinstance(value, datetime.date) else value
                for key, value in asdict(self).items() if value}


@dataclass(frozen=True)
class Item:
    """One question as results and exports show it, with the options of every version."""

    question: Question
    options: tuple[Choice, ...]
    default_language: str
    retired: bool = False
    in_repeat: bool = False  # counted once per instance; its written answers are read in the exports

    @property
    def name(self) -> str:
        return self.question.name

    @property
    def kind(self) -> str:
        if self.question.type == "select_one" and "likert" in self.question.appearance:
            return LIKERT
        return KINDS.get(self.question.type, "")

    def label(self, lang: str) -> Resolved:
        return resolve(self.question.label, lang, self.default_language) or Resolved(self.name, "en")

    def option_label(self, name: str, lang: str) -> str:
        """Word an option in `lang`; a value no version offers is shown as it was stored."""
        choice = next((c for c in self.options if c.name == name), None)
        return (choice and resolve(choice.label, lang, self.default_language).text) or name


@dataclass
class QuestionSummary:
    item: Item
    answered: int = 0
    written: int = 0  # answered with something other than an empty text
    counts: list[tuple[str, int]] = field(default_factory=list)
    stats: NumberStats | None = None
    bins: list[tuple[float, float, int]] = field(default_factory=list)
    first: str | None = None
    last: str | None = None

    @property
    def kind(self) -> str:
        return self.item.kind

    def share(self, count: int) -> float:
        """Return a count as a part of those who answered this question (0..1)."""
        return count / self.answered if self.answered else 0.0


@dataclass
class Summary:
    total: int
    per_day: list[tuple[datetime.date, int]]
    questions: list[QuestionSummary]


@dataclass(frozen=True)
class TextAnswer:
    text: str
    at: datetime.datetime | None
    workshop: str | None
    lang: str
    name: str = ""  # the submission's instance_name, when its questionnaire has one
    file: str = ""  # a photo or file answer: the sha256 it is kept under (answer_files.py)


def versions_of(*, session: Session, form_id: str) -> list[FormVersion]:
    """Return every published version of a questionnaire, newest first."""
    query = select(FormVersion).where(FormVersion.form_id == form_id).order_by(FormVersion.number.desc())
    return list(session.exec(query))


def items_of(*, session: Session, form_id: str, version: str | None = None,
             inside_repeats: bool = False) -> list[Item]:
    """List the questions that take an answer or compute one, gathered over every version.

    Questions inside repeats are listed only when asked for: results count them per instance
    (see tallies), exports give them tables of their own (exports_repeats).
    """
    versions = versions_of(session=session, form_id=form_id)
    record = session.get(Form, form_id)
    wanted = version or (record.current_version if record else None)
    versions.sort(key=lambda v: v.version != wanted)  # stable: the primary first, then newest first
    definitions = [definition_of(v) for v in versions]
    seen, items = set(), []
    for index, definition in enumerate(definitions):
        walked = definition.walk_all() if inside_repeats else definition.walk()
        for question, parents in walked:
            if question.name in seen or not (question.is_input or question.type == "calculate"):
                continue
            seen.add(question.name)
            items.append(Item(question, (), definition.default_language, retired=index > 0,
                              in_repeat=any(parent.type == "repeat" for parent in parents)))
    return [_with_options(item, definitions) for item in items]


def _with_options(item: Item, definitions) -> Item:
    """Give an item the options of every version, the primary's first (a choice in any version counts)."""
    options, names = [], set()
    for definition in definitions:
        question = definition.question(item.name)
        if question is None or not question.is_choice:
            continue
        for choice in definition.choices_for(question):
            if choice.name not in names:
                names.add(choice.name)
                options.append(choice)
    return Item(item.question, tuple(options), item.default_language, item.retired, item.in_repeat)


def conditions(form_id: str, filters: Filters) -> list:
    """Return the WHERE conditions that pick a questionnaire's submissions under these filters."""
    where = [Submission.form_id == form_id]
    if filters.workshop:
        where.append(Submission.workshop == filters.workshop)
    if filters.lang:
        where.append(Submission.lang == filters.lang)
    if filters.version:
        where.append(Submission.form_version == filters.version)
    if filters.date_from:
        where.append(Submission.answered_at >= datetime.datetime.combine(filters.date_from, MIDNIGHT))
    if filters.date_to:
        end = filters.date_to + datetime.timedelta(days=1)
        where.append(Submission.answered_at < datetime.datetime.combine(end, MIDNIGHT))
    return where


def tally_conditions(table, form_id: str, filters: Filters) -> list:
    """The same filters on a tally: every one of them is a key column (days are UTC days)."""
    where = [table.form_id == form_id]
    if filters.workshop:
        where.append(table.workshop == filters.workshop)
    if filters.lang:
        where.append(table.lang == filters.lang)
    if filters.version:
        where.append(table.form_version == filters.version)
    if filters.date_from:
        where.append(table.day >= filters.date_from)
    if filters.date_to:
        where.append(table.day <= filters.date_to)
    return where


def dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def response_counts(*, session: Session) -> dict[str, int]:
    """Count the submissions of every questionnaire."""
    query = select(SubmissionTally.form_id, func.sum(SubmissionTally.n)).group_by(SubmissionTally.form_id)
    return {form_id: int(number) for form_id, number in session.exec(query).all()}


def count(*, session: Session, form_id: str, filters: Filters) -> int:
    query = select(func.sum(SubmissionTally.n)).where(*tally_conditions(SubmissionTally, form_id, filters))
    return int(session.exec(query).one() or 0)


def workshops_answered(*, session: Session, form_id: str) -> set[str]:
    """The workshop codes that have answers to a questionnaire."""
    query = select(SubmissionTally.workshop).where(
        SubmissionTally.form_id == form_id, SubmissionTally.workshop != tallies.NO_WORKSHOP).distinct()
    return set(session.exec(query).all())


def summarise(*, session: Session, form_id: str, filters: Filters) -> Summary:
    """Count the responses, per day and per question, with the filters applied."""
    items = [item for item in items_of(session=session, form_id=form_id, version=filters.version,
                                       inside_repeats=True) if item.kind]
    summaries = {item.name: QuestionSummary(item) for item in items}
    found: dict[str, dict[str, dict[str, int]]] = {name: {} for name in summaries}
    query = (select(AnswerTally.question, AnswerTally.kind, AnswerTally.value, func.sum(AnswerTally.n))
             .where(*tally_conditions(AnswerTally, form_id, filters), AnswerTally.question.in_(list(summaries)))
             .group_by(AnswerTally.question, AnswerTally.kind, AnswerTally.value))
    for question, kind, value, number in session.exec(query).all():
        found[question].setdefault(kind, {})[value] = int(number)
    for name, summary in summaries.items():
        stats.fill(summary, found[name])
    days = per_day(session=session, form_id=form_id, filters=filters)
    return Summary(sum(number for _day, number in days), days, list(summaries.values()))


def per_day(*, session: Session, form_id: str, filters: Filters) -> list[tuple[datetime.date, int]]:
    """Count submissions per UTC day; days without any are filled in over a short span."""
    day = SubmissionTally.day
    query = (select(day, func.sum(SubmissionTally.n)).where(*tally_conditions(SubmissionTally, form_id, filters))
             .group_by(day).order_by(day))
    counts = {_as_date(value): int(number) for value, number in session.exec(query).all()}
    if not counts:
        return []
    first, last = min(counts), max(counts)
    if (last - first).days > GAP_FILL_DAYS:
        return sorted(counts.items())
    days = (first + datetime.timedelta(days=n) for n in range((last - first).days + 1))
    return [(d, counts.get(d, 0)) for d in days]


def _as_date(value) -> datetime.date:
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def text_answers(*, session: Session, form_id: str, filters: Filters, name: str, page: int = 1, per_page: int = 20,
                 namer: Callable[[dict], str] | None = None, files: bool = False) -> list[TextAnswer]:
    """Return one page of a question's written answers, newest first.

    The newest come first in the index (form_id, answered_at, id), so a page reads the index
    backwards and stops once it has its rows instead of sorting every submission.
    """
    value = _text_value(session, name)
    columns = [value, Submission.answered_at, Submission.workshop, Submission.lang]
    if namer or files:  # the whole answers only where a name is computed from them, or a file looked up
        columns.append(Submission.answers)
    query = (
        select(*columns)
        .where(*conditions(form_id, filters), value.is_not(None), value != "")
        .order_by(Submission.answered_at.desc(), Submission.id.desc())
        .offset((max(page, 1) - 1) * per_page).limit(per_page)
    )
    return [TextAnswer(*row[:4], namer(row[4]) if namer else "",
                       answer_files.files_of(row[4]).get(row[0], {}).get("sha256", "") if files else "")
            for row in session.exec(query).all()]


def count_answered(*, session: Session, form_id: str, filters: Filters, name: str) -> int:
    """Count the written answers to a question (an empty text is not one), from the tally."""
    query = (select(AnswerTally.kind, func.sum(AnswerTally.n))
             .where(*tally_conditions(AnswerTally, form_id, filters), AnswerTally.question == name,
                    or_(AnswerTally.kind == tallies.ANSWERED,
                        and_(AnswerTally.kind == tallies.SCALAR, AnswerTally.value == "")))
             .group_by(AnswerTally.kind))
    found = {kind: int(number) for kind, number in session.exec(query).all()}
    return found.get(tallies.ANSWERED, 0) - found.get(tallies.SCALAR, 0)


def _text_value(session: Session, name: str):
    """A question's answer as text: json_extract on SQLite, ->> on PostgreSQL."""
    if dialect(session) == "postgresql":
        return Submission.answers.op("->>")(literal(name, String))
    return cast(func.json_extract(Submission.answers, f'$."{name}"'), Text)  # names never hold a double quote

