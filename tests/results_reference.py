"""The statistics as they were computed before running tallies: full scans of the JSON answers.

Kept only for the tests, as the reference the tally-based summary must equal: counts from
GROUP BY over answer values (SQLite json_each, PostgreSQL jsonb_each_text), means and
extremes from avg/min/max, PostgreSQL's median from percentile_cont.
"""

import datetime
import math

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

from survey_app.models import Submission
from survey_app.results import CHOICE
from survey_app.results import DATE
from survey_app.results import GAP_FILL_DAYS
from survey_app.results import LIKERT
from survey_app.results import MIDNIGHT
from survey_app.results import MULTIPLE
from survey_app.results import NUMBER
from survey_app.results import RATING
from survey_app.results import Filters
from survey_app.results import NumberStats
from survey_app.results import QuestionSummary
from survey_app.results import Summary
from survey_app.results import dialect
from survey_app.results import items_of
from survey_app.stats import MAX_BINS
from survey_app.stats import median_of


def answered_at():
    return func.coalesce(Submission.submitted_at, Submission.received_at)


def conditions(form_id: str, filters: Filters) -> list:
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


def text_answers(*, session: Session, form_id: str, filters: Filters, name: str, page: int = 1, per_page: int = 20):
    value = TEXT_VALUE[dialect(session)](name)
    query = (
        select(value, answered_at(), Submission.workshop, Submission.lang)
        .where(*conditions(form_id, filters), value.is_not(None), value != "")
        .order_by(answered_at().desc(), Submission.id.desc())
        .offset((max(page, 1) - 1) * per_page).limit(per_page)
    )
    return [(*row, "", "") for row in session.exec(query).all()]  # no submission name asked for, no file


def count_answered(*, session: Session, form_id: str, filters: Filters, name: str) -> int:
    value = TEXT_VALUE[dialect(session)](name)
    query = select(func.count()).where(*conditions(form_id, filters), value.is_not(None), value != "")
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
