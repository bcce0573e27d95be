"""Running pairs and per-question sums of a knowledge check, so its results page reads a few rows.

Pairing every score when the page is asked for took 3.4 s for 100,000 pairs. Instead, in
the transaction that stores a batch's scores, each participant's current pair is kept in
AssessmentPair (the latest pre-test and post-test, chosen by `pairing.pair` itself over
that participant's stored scores, so a late or repeated submission replaces the right side
whatever the sync order), and AssessmentQuestionTally keeps each workshop's points per phase
and question of the submissions those pairs hold: a side that is replaced takes its points
out and the new one puts its own in. Pair rows are written before the scores are read and,
on PostgreSQL, locked in key order, so two batches for one participant queue rather than
miss each other. `rebuild` recomputes both from the scores (migration, rows seeded directly).
"""

from collections import defaultdict

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field
from sqlmodel import SQLModel

from ..engine.scoring import counts
from .pairing import POST
from .pairing import PRE
from .pairing import Taken
from .pairing import pair
from .pairing import read_scores


class AssessmentPair(SQLModel, table=True):
    """A participant's current pre-test and post-test (either may be missing) in one workshop.

    alone is the submission's UUID when it has no participant code (it pairs with nothing),
    else ''. percent is the score as a percentage of that submission's maximum.
    """

    form_id: str = Field(primary_key=True, max_length=100)
    workshop: str = Field(primary_key=True, max_length=100)
    participant: str = Field(primary_key=True, max_length=16)
    alone: str = Field(primary_key=True, max_length=36)
    pre_uuid: str | None = Field(default=None, max_length=36)
    pre_lang: str | None = Field(default=None, max_length=20)
    pre_percent: float | None = None
    pre_passed: bool | None = None
    post_uuid: str | None = Field(default=None, max_length=36)
    post_lang: str | None = Field(default=None, max_length=20)
    post_percent: float | None = None
    post_passed: bool | None = None


class AssessmentQuestionTally(SQLModel, table=True):
    """Points, maxima, answers and full marks of one question in one workshop and phase.

    answered counts submissions, or instances for a question inside a repeat (scoring.counts).
    """

    form_id: str = Field(primary_key=True, max_length=100)
    workshop: str = Field(primary_key=True, max_length=100)
    phase: str = Field(primary_key=True, max_length=4)
    question: str = Field(primary_key=True)
    points: float = 0.0
    maximum: float = 0.0
    answered: int = 0
    full: int = 0


PAIR_KEY = ("form_id", "workshop", "participant", "alone")
TALLY_KEY = ("form_id", "workshop", "phase", "question")


def _insert(connection):
    return pg_insert if connection.dialect.name == "postgresql" else sqlite_insert


def _side(taken: Taken | None, phase: str) -> dict:
    if taken is None:
        return {f"{phase}_uuid": None, f"{phase}_lang": None, f"{phase}_percent": None, f"{phase}_passed": None}
    return {f"{phase}_uuid": taken.uuid, f"{phase}_lang": taken.lang, f"{phase}_percent": taken.percent,
            f"{phase}_passed": taken.passed}


def _count(sums: dict, form_id: str, taken: Taken, sign: int) -> None:
    """Add (sign 1) or take out (-1) a submission's per-question points."""
    for name, value in taken.questions.items():
        points, maximum, answers, full = counts(value)
        if not maximum:
            continue
        entry = sums[(form_id, taken.workshop, taken.phase, name)]
        entry[0] += sign * points
        entry[1] += sign * maximum
        entry[2] += sign * answers
        entry[3] += sign * full


def _write_tally(connection, sums: dict) -> None:
    rows = [dict(zip(TALLY_KEY, key, strict=True), points=p, maximum=m, answered=n, full=f)
            for key, (p, m, n, f) in sorted(sums.items()) if n or f or p or m]
    if not rows:
        return
    table = AssessmentQuestionTally.__table__
    statement = _insert(connection)(table)
    statement = statement.on_conflict_do_update(index_elements=list(TALLY_KEY), set_={
        name: table.c[name] + statement.excluded[name] for name in ("points", "maximum", "answered", "full")})
    connection.execute(statement, rows)


def update(*, session, scored: list[dict]) -> None:
    """Bring the pairs and sums up to date with scores just inserted (rows of AssessmentScore)."""
    connection = session.connection()
    new = [row for row in scored if row["phase"] in (PRE, POST)]
    if not new:
        return
    keys = sorted({(row["form_id"], row["workshop"], row["participant"], "" if row["participant"]
                    else row["submission_uuid"]) for row in new})
    table = AssessmentPair.__table__
    connection.execute(_insert(connection)(table).on_conflict_do_nothing(index_elements=list(PAIR_KEY)),
                       [dict(zip(PAIR_KEY, key, strict=True)) for key in keys])
    coded = defaultdict(set)  # a submission without a code is new: its UUID was never scored before
    for form_id, workshop, participant, _alone in keys:
        if participant:
            coded[(form_id, workshop)].add(participant)
    known = {}
    for (form_id, workshop), participants in sorted(coded.items()):
        query = select(table).where(table.c.form_id == form_id, table.c.workshop == workshop, table.c.alone == "",
                                    table.c.participant.in_(sorted(participants))).order_by(table.c.participant)
        if connection.dialect.name == "postgresql":
            query = query.with_for_update()
        for row in connection.execute(query).all():
            known[tuple(row[:4])] = row._mapping
    scores = defaultdict(list)
    for (form_id, workshop), participants in sorted(coded.items()):
        scores[form_id] += read_scores(session=session, form_id=form_id, workshops=[workshop],
                                       participants=sorted(participants))
    for row in new:
        if not row["participant"]:
            scores[row["form_id"]].append(_taken(row))
    sums = defaultdict(lambda: [0.0, 0.0, 0, 0])
    rows = []
    for form_id, taken_list in sorted(scores.items()):
        by_uuid = {taken.uuid: taken for taken in taken_list}
        for one in pair(taken_list):
            alone = "" if one.participant else (one.pre or one.post).uuid
            before = known.get((form_id, one.workshop, one.participant, alone))
            for phase, taken in ((PRE, one.pre), (POST, one.post)):
                old = before[f"{phase}_uuid"] if before is not None else None
                if old == (taken.uuid if taken else None):
                    continue
                if old is not None and old in by_uuid:
                    _count(sums, form_id, by_uuid[old], -1)
                if taken is not None:
                    _count(sums, form_id, taken, 1)
            rows.append({**dict(zip(PAIR_KEY, (form_id, one.workshop, one.participant, alone), strict=True)),
                         **_side(one.pre, PRE), **_side(one.post, POST)})
    _write_pairs(connection, rows)
    _write_tally(connection, sums)


def _taken(row: dict) -> Taken:
    return Taken(row["submission_uuid"], row["workshop"], row["lang"], row["phase"], row["participant"],
                 row["points"], row["maximum"], row["passed"], row["questions"], row["answered_at"])


def _write_pairs(connection, rows: list[dict]) -> None:
    if not rows:
        return
    table = AssessmentPair.__table__
    statement = _insert(connection)(table)
    sides = [name for name in rows[0] if name not in PAIR_KEY]
    connection.execute(statement.on_conflict_do_update(
        index_elements=list(PAIR_KEY), set_={name: statement.excluded[name] for name in sides}), rows)


def rebuild(*, session, form_id: str | None = None) -> None:
    """Recompute the pairs and sums from the stored scores (of one questionnaire, or all)."""
    connection = session.connection()
    for model in (AssessmentPair, AssessmentQuestionTally):
        statement = delete(model)
        connection.execute(statement if form_id is None else statement.where(model.form_id == form_id))
    forms = [form_id] if form_id is not None else [
        name for (name,) in connection.exec_driver_sql("SELECT DISTINCT form_id FROM assessmentscore").all()]
    for name in forms:
        sums = defaultdict(lambda: [0.0, 0.0, 0, 0])
        rows = []
        for one in pair(read_scores(session=session, form_id=name)):
            alone = "" if one.participant else (one.pre or one.post).uuid
            for taken in (one.pre, one.post):
                if taken is not None:
                    _count(sums, name, taken, 1)
            rows.append({**dict(zip(PAIR_KEY, (name, one.workshop, one.participant, alone), strict=True)),
                         **_side(one.pre, PRE), **_side(one.post, POST)})
        for first in range(0, len(rows), 5000):
            connection.execute(AssessmentPair.__table__.insert(), rows[first:first + 5000])
        _write_tally(connection, sums)
