"""Read stored scores and pair each participant's pre-test with their post-test.

Pairing is done when results are read, by (workshop, questionnaire, participant code), so it
does not depend on the order in which phones and laptops synced: a post-test that arrived
before its pre-test pairs all the same. A participant who sent a phase twice (a second
response on the same phone) is counted once, with the latest answers of that phase. A
submission without a code, or without its other half, still counts on its own side.
"""

import datetime
from dataclasses import dataclass

import orjson
from sqlalchemy import bindparam
from sqlalchemy import text

PRE, POST = "pre", "post"


@dataclass(frozen=True, slots=True)
class Taken:
    """One scored submission."""

    uuid: str
    workshop: str
    lang: str
    phase: str
    participant: str
    points: float
    maximum: float
    passed: bool | None
    questions: dict
    answered_at: datetime.datetime | str

    @property
    def percent(self) -> float | None:
        return 100 * self.points / self.maximum if self.maximum else None


@dataclass(frozen=True, slots=True)
class Pair:
    """A participant's pre-test and post-test in one workshop; either may be missing."""

    workshop: str
    participant: str
    pre: Taken | None
    post: Taken | None

    @property
    def lang(self) -> str:
        return (self.post or self.pre).lang

    @property
    def gain(self) -> float | None:
        """Post-test minus pre-test, in percentage points of the maximum."""
        if self.pre is None or self.post is None or self.pre.percent is None or self.post.percent is None:
            return None
        return self.post.percent - self.pre.percent


def read_scores(*, session, form_id: str, workshops: list[str] | None = None,
                participants: list[str] | None = None) -> list[Taken]:
    """The scores of a questionnaire's submissions (of some workshops, participant codes only, when given).

    Read with plain SQL, the per-question JSON decoded by orjson: through the ORM's column types
    the read took ten times longer than everything else on the results page. answered_at is
    kept as the driver gives it (text in SQLite, a time in PostgreSQL): it only orders one
    participant's submissions, within one database.
    """
    found = []
    for uuid, workshop, lang, phase, code, points, maximum, passed, questions, at in (
            _rows(session.connection(), form_id, workshops, participants)):
        if isinstance(questions, str | bytes):
            questions = orjson.loads(questions)
        found.append(Taken(uuid, workshop, lang, phase, code, points, maximum,
                           None if passed is None else bool(passed), questions, at))
    return found


_COLUMNS = ("SELECT submission_uuid, workshop, lang, phase, participant, points, maximum, passed, questions, "
            "answered_at FROM assessmentscore WHERE form_id = ")


def _rows(connection, form_id: str, workshops: list[str] | None, participants: list[str] | None = None):
    """The rows as plain tuples: SQLite's own cursor (a third of the time), else SQLAlchemy's."""
    workshops = None if workshops is None else list(workshops)
    participants = None if participants is None else list(participants)
    if connection.dialect.name != "sqlite":
        statement = text(_COLUMNS + ":form_id" + (" AND workshop IN :workshops" if workshops is not None else "")
                         + (" AND participant IN :participants" if participants is not None else ""))
        if workshops is not None:
            statement = statement.bindparams(bindparam("workshops", expanding=True))
        if participants is not None:
            statement = statement.bindparams(bindparam("participants", expanding=True))
        return connection.execute(statement, {"form_id": form_id, "workshops": workshops,
                                              "participants": participants}).all()
    sql = (_COLUMNS + "?" + (f" AND workshop IN ({','.join('?' * len(workshops))})" if workshops is not None else "")
           + (f" AND participant IN ({','.join('?' * len(participants))})" if participants is not None else ""))
    cursor = connection.connection.cursor()  # the session's own transaction
    try:
        cursor.execute(sql, [form_id, *(workshops or ()), *(participants or ())])
        return cursor.fetchall()
    finally:
        cursor.close()


def pair(scores: list[Taken]) -> list[Pair]:
    """Pair pre- and post-tests by (workshop, code); submissions with no phase are left out."""
    latest: dict[tuple, dict[str, Taken]] = {}
    for taken in scores:
        if taken.phase not in (PRE, POST):
            continue
        key = (taken.workshop, taken.participant) if taken.participant else (taken.workshop, "", taken.uuid)
        sides = latest.setdefault(key, {})
        known = sides.get(taken.phase)
        if known is None or (taken.answered_at, taken.uuid) > (known.answered_at, known.uuid):
            sides[taken.phase] = taken
    return [Pair(key[0], key[1], sides.get(PRE), sides.get(POST))
            for key, sides in sorted(latest.items(), key=lambda item: item[0])]
