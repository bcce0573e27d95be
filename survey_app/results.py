"""Statistics of a questionnaire's answers, every number from an aggregate query (no Flask).

Answers are JSON documents, and submissions are never loaded one by one into Python: counts
come from GROUP BY over answer values, means and extremes from avg/min/max. SQLite reads
the JSON with json_each and json_extract; PostgreSQL with jsonb_each_text,
jsonb_array_elements_text and ->>, and gives the median with percentile_cont. Where the two
differ there is one function per dialect, picked by the session's dialect name. SQLite's
median is read from the grouped distribution (one row per distinct value, a short list).

Questions are worded as in the current version (or the version filtered on). Answers given
in older versions count under the same question name, and questions or options that only
older versions had are listed after the others. A day is the UTC day a submission was sent
(or received, when the phone did not say when it was sent).
"""

import datetime
import math
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field

from sqlalchemy import Date
from sqlalchemy import Integer
from sqlalchemy import Numeric
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import case
from sqlalchemy import cast
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import literal_column
from sqlalchemy import true
from sqlmodel import Session
from sqlmodel import select

from .engine.definition import Choice
from .engine.definition import Question
from .engine.texts import Resolved
from .engine.texts import resolve
from .forms_store import definition_of
from .models import Form
from .models import FormVersion
from .models import Submission

CHOICE, LIKERT, MULTIPLE, RATING = "choice", "likert", "multiple", "rating"
NUMBER, DATE, TEXT = "number", "date", "text"
KINDS = {"select_one": CHOICE, "select_multiple": MULTIPLE, "rating": RATING, "integer": NUMBER,
         "decimal": NUMBER, "date": DATE, "text": TEXT}
MAX_BINS = 10
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
class NumberStats:
    count: int = 0
    mean: float | None = None
    median: float | None = None
    minimum: float | None = None
    maximum: float | None = None


@dataclass
class QuestionSummary:
    item: Item
    answered: int = 0
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


def versions_of(*, session: Session, form_id: str) -> list[FormVersion]:
    """Return every published version of a questionnaire, newest first."""
    query = select(FormVersion).where(FormVersion.form_id == form_id).order_by(FormVersion.number.desc())
    return list(session.exec(query))


def items_of(*, session: Session, form_id: str, version: str | None = None) -> list[Item]:
    """List the questions that take an answer or compute one, gathered over every version."""
    versions = versions_of(session=session, form_id=form_id)
    record = session.get(Form, form_id)
    wanted = version or (record.current_version if record else None)
    versions.sort(key=lambda v: v.version != wanted)  # stable: the primary first, then newest first
    definitions = [definition_of(v) for v in versions]
    seen, items = set(), []
    for index, definition in enumerate(definitions):
        for question in definition.questions():
            if question.name in seen or not (question.is_input or question.type == "calculate"):
                continue
            seen.add(question.name)
            items.append(Item(question, (), definition.default_language, retired=index > 0))
    return [_with_options(item, definitions) for item in items]


def _with_options(item: Item, definitions) -> Item:
    options, names = [], set()
    for definition in definitions:
        question = definition.question(item.name)
        if question is None or question.type != item.question.type:
            continue
        for choice in definition.choices_for(question):
            if choice.name not in names:
                names.add(choice.name)
                options.append(choice)
    return Item(item.question, tuple(options), item.default_language, item.retired)


def answered_at():
    """When a submission was sent, or received when the phone did not say."""
    return func.coalesce(Submission.submitted_at, Submission.received_at)


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
        where.append(answered_at() >= datetime.datetime.combine(filters.date_from, MIDNIGHT))
    if filters.date_to:
        end = filters.date_to + datetime.timedelta(days=1)
        where.append(answered_at() < datetime.datetime.combine(end, MIDNIGHT))
    return where


def dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def response_counts(*, session: Session) -> dict[str, int]:
    """Count the submissions of every questionnaire."""
    query = select(Submission.form_id, func.count()).group_by(Submission.form_id)
    return dict(session.exec(query).all())


def count(*, session: Session, form_id: str, filters: Filters) -> int:
    query = select(func.count()).select_from(Submission).where(*conditions(form_id, filters))
    return session.exec(query).one()


def summarise(*, session: Session, form_id: str, filters: Filters) -> Summary:
    """Count the responses, per day and per question, with the filters applied."""
    where = conditions(form_id, filters)
    name = dialect(session)
    items = [item for item in items_of(session=session, form_id=form_id, version=filters.version) if item.kind]
    summaries = {item.name: QuestionSummary(item) for item in items}
    for key, number in ANSWERED[name](session, where, list(summaries)):
        summaries[key].answered = number
    for counter, kinds in ((SCALAR_COUNTS, (CHOICE, LIKERT, RATING)), (MULTIPLE_COUNTS, (MULTIPLE,))):
        names = [item.name for item in items if item.kind in kinds]
        _fill_counts([summaries[n] for n in names], counter[name](session, where, names))
    for summary in summaries.values():
        if summary.kind in (RATING, NUMBER):
            summary.stats = NUMBER_STATS[name](session, where, summary.item.name)
        if summary.kind == NUMBER:
            summary.bins = _bins(session, where, summary)
        if summary.kind == DATE:
            summary.first, summary.last = _date_range(session, where, summary.item.name)
    total = session.exec(select(func.count()).select_from(Submission).where(*where)).one()
    return Summary(total, per_day(session=session, where=where), list(summaries.values()))


def _fill_counts(summaries: list[QuestionSummary], rows) -> None:
    """Put grouped counts in option order; values no version offers come last, as stored."""
    found: dict[str, dict[str, int]] = {summary.item.name: {} for summary in summaries}
    for key, value, number in rows:
        values = found[key]
        values[_as_text(value)] = values.get(_as_text(value), 0) + number
    for summary in summaries:
        values = found[summary.item.name]
        summary.counts = [(choice.name, values.pop(choice.name, 0)) for choice in summary.item.options]
        summary.counts += sorted(values.items())


def _as_text(value) -> str:
    """Write a grouped JSON value as its code: 4, 4.0 and "4" are the same answer."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def per_day(*, session: Session, where: list) -> list[tuple[datetime.date, int]]:
    """Count submissions per UTC day; days without any are filled in over a short span."""
    day = DAY[dialect(session)](answered_at())
    rows = session.exec(select(day, func.count()).where(*where).group_by(day).order_by(day)).all()
    counts = {_as_date(value): number for value, number in rows}
    if not counts:
        return []
    first, last = min(counts), max(counts)
    if (last - first).days > GAP_FILL_DAYS:
        return sorted(counts.items())
    days = (first + datetime.timedelta(days=n) for n in range((last - first).days + 1))
    return [(d, counts.get(d, 0)) for d in days]


def _as_date(value) -> datetime.date:
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _bins(session: Session, where: list, summary: QuestionSummary) -> list[tuple[float, float, int]]:
    """Group numbers into at most MAX_BINS equal ranges, counted by the database."""
    stats = summary.stats
    if not stats or not stats.count:
        return []
    low, high = stats.minimum, stats.maximum
    whole = summary.item.question.type == "integer"
    if whole:
        width = max(1, math.ceil((high - low + 1) / MAX_BINS))
        bins = math.ceil((high - low + 1) / width)
    else:
        bins = MAX_BINS if high > low else 1
        width = (high - low) / bins or 1.0
    number = NUMBER_VALUE[dialect(session)](summary.item.name)
    bucket = BUCKET[dialect(session)](number, low, width)
    rows = session.exec(select(bucket, func.count()).where(*where, number.is_not(None)).group_by(bucket)).all()
    counts = [0] * bins
    for index, number_in in rows:
        counts[min(int(index), bins - 1)] += number_in
    upper = (lambda i: low + (i + 1) * width - 1) if whole else (lambda i: low + (i + 1) * width)
    return [(low + i * width, min(upper(i), high), counts[i]) for i in range(bins)]


def _date_range(session: Session, where: list, name: str) -> tuple[str | None, str | None]:
    value = TEXT_VALUE[dialect(session)](name)
    return tuple(session.exec(select(func.min(value), func.max(value)).where(*where)).one())


def text_answers(*, session: Session, form_id: str, filters: Filters, name: str,
                 page: int = 1, per_page: int = 20) -> list[TextAnswer]:
    """Return one page of a question's written answers, newest first."""
    value = TEXT_VALUE[dialect(session)](name)
    query = (
        select(value, answered_at(), Submission.workshop, Submission.lang)
        .where(*conditions(form_id, filters), value.is_not(None), value != "")
        .order_by(answered_at().desc(), Submission.id.desc())
        .offset((max(page, 1) - 1) * per_page).limit(per_page)
    )
    return [TextAnswer(*row) for row in session.exec(query).all()]


def count_answered(*, session: Session, form_id: str, filters: Filters, name: str) -> int:
    value = TEXT_VALUE[dialect(session)](name)
    query = select(func.count()).where(*conditions(form_id, filters), value.is_not(None), value != "")
    return session.exec(query).one()


# --- SQLite: json_each, json_extract, json_type --------------------------------------------


def _path(name: str) -> str:
    return f'$."{name}"'  # question names never contain a double quote (see the loader's NAME_RE)


def _answers_sqlite():
    return func.json_each(Submission.answers).table_valued("key", "value", "type", name="answer")


def _answered_sqlite(session, where, names):
    answer = _answers_sqlite()
    query = (select(answer.c.key, func.count()).select_from(Submission).join(answer, true())
             .where(*where, answer.c.key.in_(names), answer.c.type != "null").group_by(answer.c.key))
    return session.exec(query).all()


def _scalar_counts_sqlite(session, where, names):
    answer = _answers_sqlite()
    query = (select(answer.c.key, answer.c.value, func.count()).select_from(Submission).join(answer, true())
             .where(*where, answer.c.key.in_(names), answer.c.type.not_in(("array", "object", "null")))
             .group_by(answer.c.key, answer.c.value))
    return session.exec(query).all()


def _multiple_counts_sqlite(session, where, names):
    answer = _answers_sqlite()
    array = case((answer.c.type == "array", answer.c.value), else_=literal("[]"))
    picked = func.json_each(array).table_valued("value", name="picked")
    query = (select(answer.c.key, picked.c.value, func.count()).select_from(Submission)
             .join(answer, true()).join(picked, true())
             .where(*where, answer.c.key.in_(names)).group_by(answer.c.key, picked.c.value))
    return session.exec(query).all()


def _number_sqlite(name: str):
    kind = func.json_type(Submission.answers, _path(name))
    return case((kind.in_(("integer", "real")), func.json_extract(Submission.answers, _path(name))))


def _text_sqlite(name: str):
    return cast(func.json_extract(Submission.answers, _path(name)), Text)


def _number_stats_sqlite(session, where, name) -> NumberStats:
    number = _number_sqlite(name)
    found = session.exec(select(func.count(number), func.avg(number), func.min(number), func.max(number))
                         .where(*where)).one()
    distribution = session.exec(select(number, func.count()).where(*where, number.is_not(None))
                                .group_by(number).order_by(number)).all()
    return NumberStats(found[0], *_floats(found[1], median_of(distribution), found[2], found[3]))


def median_of(distribution: list[tuple[float, int]]) -> float | None:
    """Return the median of grouped values (value, count) sorted by value, as percentile_cont does."""
    total = sum(number for _value, number in distribution)
    if not total:
        return None
    wanted, seen, middle = ((total - 1) // 2, total // 2), 0, []
    for value, number in distribution:
        middle += [value for position in wanted if seen <= position < seen + number]
        seen += number
    return sum(middle) / 2


# --- PostgreSQL: jsonb_each_text, jsonb_array_elements_text, ->>, percentile_cont -------------


def _answers_postgresql():
    return func.jsonb_each_text(Submission.answers).table_valued("key", "value", name="answer")


def _answered_postgresql(session, where, names):
    answer = _answers_postgresql()
    query = (select(answer.c.key, func.count()).select_from(Submission).join(answer, true())
             .where(*where, answer.c.key.in_(names), answer.c.value.is_not(None)).group_by(answer.c.key))
    return session.exec(query).all()


def _scalar_counts_postgresql(session, where, names):
    answer = func.jsonb_each(Submission.answers).table_valued("key", "value", name="answer")
    kind = func.jsonb_typeof(answer.c.value)
    value = answer.c.value.op("#>>")(literal_column("'{}'"))  # the JSON scalar as text
    query = (select(answer.c.key, value, func.count()).select_from(Submission).join(answer, true())
             .where(*where, answer.c.key.in_(names), kind.in_(("string", "number", "boolean")))
             .group_by(answer.c.key, value))
    return session.exec(query).all()


def _multiple_counts_postgresql(session, where, names):
    answer = func.jsonb_each(Submission.answers).table_valued("key", "value", name="answer")
    array = case((func.jsonb_typeof(answer.c.value) == "array", answer.c.value),
                 else_=literal_column("'[]'::jsonb"))
    picked = func.jsonb_array_elements_text(array).table_valued("value", name="picked")
    query = (select(answer.c.key, picked.c.value, func.count()).select_from(Submission)
             .join(answer, true()).join(picked, true())
             .where(*where, answer.c.key.in_(names)).group_by(answer.c.key, picked.c.value))
    return session.exec(query).all()


def _field_postgresql(name: str, operator: str):
    return Submission.answers.op(operator)(literal(name, String))


def _number_postgresql(name: str):
    kind = func.jsonb_typeof(_field_postgresql(name, "->"))
    return case((kind == "number", cast(_field_postgresql(name, "->>"), Numeric)))


def _text_postgresql(name: str):
    return _field_postgresql(name, "->>")


def _number_stats_postgresql(session, where, name) -> NumberStats:
    number = _number_postgresql(name)
    median = func.percentile_cont(0.5).within_group(number)
    found = session.exec(select(func.count(number), func.avg(number), median, func.min(number), func.max(number))
                         .where(*where)).one()
    return NumberStats(found[0], *_floats(*found[1:]))


def _floats(*values) -> list[float | None]:
    return [None if value is None else float(value) for value in values]


ANSWERED = {"sqlite": _answered_sqlite, "postgresql": _answered_postgresql}
SCALAR_COUNTS = {"sqlite": _scalar_counts_sqlite, "postgresql": _scalar_counts_postgresql}
MULTIPLE_COUNTS = {"sqlite": _multiple_counts_sqlite, "postgresql": _multiple_counts_postgresql}
NUMBER_STATS = {"sqlite": _number_stats_sqlite, "postgresql": _number_stats_postgresql}
NUMBER_VALUE = {"sqlite": _number_sqlite, "postgresql": _number_postgresql}
TEXT_VALUE = {"sqlite": _text_sqlite, "postgresql": _text_postgresql}
DAY = {"sqlite": func.date, "postgresql": lambda moment: cast(func.timezone("UTC", moment), Date)}
BUCKET = {
    "sqlite": lambda number, low, width: cast((number - low) / width, Integer),
    "postgresql": lambda number, low, width: func.floor((number - low) / width),
}
