"""Running counts of submissions and answers, so results never scan every submission.

A submission adds one to its row of SubmissionTally, and to AnswerTally one per question
answered (kind "a"), per scalar value ("n" a JSON number, "s" a string or boolean) and per
option picked in a list ("m"). Free text is not counted value by value (only an empty text
is, so that written answers can be told from empty ones); nor are computed values: which
questions count their values is read from the submission's own version (COUNTED_TYPES).
A JSON true or false counts as "true" or "false", the number 4.0 as "4".

Answers inside repeats count under their own question's name, once per instance: a household
with three children adds three to each question about a child that was answered, so shares of a
question inside a repeat are shares of the instances that answered it (``instance_answers``).

`add` runs inside the transaction that inserts the submissions, so the counts are never out
of step with the table: both commit or neither does. It sums a batch in Python first, then
writes one upsert per distinct key, in key order (concurrent batches lock rows in the same
order, so they queue instead of deadlocking). `rebuild` recomputes everything from the
submissions with the same rules (repair, migration, rows seeded straight into the table).
"""

import datetime
import functools
import json
from collections import Counter
from collections import defaultdict

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .engine.loader import load_dict
from .models import AnswerTally
from .models import FormVersion
from .models import Submission
from .models import SubmissionTally

# Question types whose answers are codes, numbers or dates: few distinct values, counted one by one.
COUNTED_TYPES = {"select_one", "select_multiple", "rating", "integer", "decimal", "date"}
SCALAR_TYPES = frozenset({str, int, float, bool})  # exact types: hashable, counted as values_of says
MAX_VALUE = 200  # longer values (never a code) are counted as answered only
NO_WORKSHOP = ""
ANSWERED, NUMBER, SCALAR, PICKED = "a", "n", "s", "m"
SUBMISSION_KEY = ("form_id", "form_version", "workshop", "lang", "day")
ANSWER_KEY = (*SUBMISSION_KEY, "question", "kind", "value")
REBUILD_CHUNK = 5_000

_COUNTED: dict[tuple[str, str], frozenset[str]] = {}  # versions never change, so neither does this
_REPEATS: dict[tuple[str, str], frozenset[str]] = {}  # the names of a version's repeats


def add(*, session, rows: list[dict], inserted: set[str]) -> None:
    """Count the rows just inserted (the first of each UUID in `inserted`) in this transaction.

    rows are the submission rows as built for the insert (form_id, form_version, workshop,
    lang, answers, submitted_at, uuid); their day is when they were sent, or when the
    database received them (read back, only for rows that did not say).
    """
    new, seen = [], set()
    for row in rows:
        if row["uuid"] in inserted and row["uuid"] not in seen:
            seen.add(row["uuid"])
            new.append(row)
    if not new:
        return
    connection = session.connection()
    unsent = [row["uuid"] for row in new if row.get("submitted_at") is None]
    received = dict(connection.execute(select(Submission.uuid, Submission.answered_at)
                                       .where(Submission.uuid.in_(unsent))).all()) if unsent else {}
    counts = Counts()
    for row in new:
        moment = row.get("submitted_at") or received[row["uuid"]]
        counts.add(connection, row, utc_day(moment))
    counts.write(connection)


def utc_day(moment: datetime.datetime) -> datetime.date:
    """The UTC day of a stored time (a time without offset is UTC, as SQLite keeps them)."""
    if moment.tzinfo is not None and moment.tzinfo is not datetime.UTC:
        moment = moment.astimezone(datetime.UTC)
    return moment.date()


class Counts:
    """A batch's counts before they are written: per key prefix, submissions and answer values."""

    def __init__(self):
        self.submissions: Counter = Counter()
        self.answers: dict[tuple, Counter] = defaultdict(Counter)
        # Scalar answers are counted once per (question, type, value) and only turned into their
        # keys (answered, value) when written: one count per answer instead of two. The type is
        # part of the key because True == 1 == 1.0 are counted under different codes. A list of
        # strings (options picked) is counted the same way, as (question, list, the strings).
        self.scalars: dict[tuple, Counter] = defaultdict(Counter)
        # prefix -> (counted questions, scalars, repeats)
        self._prefixes: dict[tuple, tuple[frozenset, Counter, frozenset | None]] = {}

    def add(self, connection, row, day: datetime.date) -> None:
        """Count one submission."""
        prefix = (row["form_id"], row["form_version"], row["workshop"] or NO_WORKSHOP, row["lang"], day)
        self.submissions[prefix] += 1
        known = self._prefixes.get(prefix)
        if known is None:
            counted = counted_questions(connection, row["form_id"], row["form_version"])
            repeats = _REPEATS.get((row["form_id"], row["form_version"]))
            known = self._prefixes[prefix] = (counted, self.scalars[prefix], repeats)
        counted, scalars, repeats = known
        for question, value in instance_answers(row["answers"], repeats) if repeats else row["answers"].items():
            kind = type(value)
            if value is None:
                continue
            if question not in counted:  # only whether it is answered, and empty
                scalars[question, None, value == ""] += 1
            elif kind in SCALAR_TYPES:
                scalars[question, kind, value] += 1
            elif kind is list and all(type(item) is str for item in value):
                scalars[question, list, tuple(value)] += 1
            else:
                into = self.answers[prefix]
                into[question, ANSWERED, ""] += 1
                for kind, code in values_of(value):
                    if len(code) <= MAX_VALUE:
                        into[question, kind, code] += 1

    def fold(self) -> None:
        """Turn the scalar counts into the keys they count under."""
        for prefix, scalars in self.scalars.items():
            into = self.answers[prefix]
            for (question, kind, value), number in scalars.items():
                into[question, ANSWERED, ""] += number
                if kind is None:
                    if value:
                        into[question, SCALAR, ""] += number
                    continue
                if kind is list:
                    for item in value:
                        if len(item) <= MAX_VALUE:
                            into[question, PICKED, item] += number
                    continue
                for kind, code in values_of(value):
                    if len(code) <= MAX_VALUE:
                        into[question, kind, code] += number
        self.scalars.clear()
        self._prefixes.clear()  # they hold the scalars just folded

    def write(self, connection) -> None:
        """Add the counts to the tallies: one upsert per distinct key, in key order."""
        self.fold()
        answers = {(*prefix, *key): number for prefix, counts in self.answers.items() for key, number in counts.items()}
        for model, columns, counts in ((SubmissionTally, SUBMISSION_KEY, self.submissions),
                                       (AnswerTally, ANSWER_KEY, answers)):
            if not counts:
                continue
            connection.execute(_upsert(model, columns, connection.dialect.name),
                               [{**dict(zip(columns, key, strict=True)), "n": number}
                                for key, number in sorted(counts.items())])


@functools.cache
def _upsert(model, columns: tuple[str, ...], dialect: str):
    """The statement that adds counts to a tally, made once (making it costs more than running it)."""
    table = model.__table__
    statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    return statement.on_conflict_do_update(index_elements=list(columns), set_={"n": table.c.n + statement.excluded.n})


def values_of(value) -> list[tuple[str, str]]:
    """The (kind, code) pairs one answer counts under; 4, 4.0 are both the number "4"."""
    if isinstance(value, list):
        return [(PICKED, code(item)) for item in value]
    if isinstance(value, bool):
        return [(SCALAR, code(value))]
    if isinstance(value, (int, float)):
        return [(NUMBER, code(value))]
    if isinstance(value, str):
        return [(SCALAR, value)]
    return []


def code(value) -> str:
    """Write a JSON value as the text it is counted under."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float, str)):
        return str(value)
    if value is None:
        return "None"
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def counted_questions(connection, form_id: str, version: str) -> frozenset[str]:
    """Names of a version's questions whose values are counted (see COUNTED_TYPES)."""
    key = (form_id, version)
    if key not in _COUNTED:
        definition = connection.execute(select(FormVersion.definition).where(
            FormVersion.form_id == form_id, FormVersion.version == version)).scalar_one_or_none()
        if definition is None:  # not published here (only rows written around the app): values uncounted
            return frozenset()
        if len(_COUNTED) > 1000:
            _COUNTED.clear()
            _REPEATS.clear()
        walked = [question for question, _ in load_dict(definition).walk_all()]
        _REPEATS[key] = frozenset(q.name for q in walked if q.type == "repeat")
        _COUNTED[key] = frozenset(q.name for q in walked if q.type in COUNTED_TYPES)
    return _COUNTED[key]


def instance_answers(answers: dict, repeats: frozenset[str]):
    """Each (question, answer) of a submission, those in every instance of its repeats too."""
    for question, value in answers.items():
        if question in repeats and isinstance(value, list):
            for instance in value:
                if isinstance(instance, dict):
                    yield from instance_answers(instance, repeats)
        else:
            yield question, value


def rebuild(*, connection) -> int:
    """Recount every tally from the submissions table; return how many submissions were read."""
    connection.execute(delete(AnswerTally))
    connection.execute(delete(SubmissionTally))
    columns = (Submission.form_id, Submission.form_version, Submission.workshop, Submission.lang,
               Submission.answers, Submission.answered_at)
    versions = connection.execute(select(FormVersion.form_id, FormVersion.version)).all()
    for form_id, version in versions:  # read before the submissions stream, on the same connection
        counted_questions(connection, form_id, version)
    counts, read = Counts(), 0
    result = connection.execute(select(*columns).execution_options(yield_per=REBUILD_CHUNK))
    for form_id, version, workshop, lang, answers, moment in result:
        row = {"form_id": form_id, "form_version": version, "workshop": workshop, "lang": lang, "answers": answers}
        counts.add(connection, row, utc_day(moment))
        read += 1
    counts.write(connection)
    return read
