"""Read stored scores and pair each participant's pre-test with their post-test.

Pairing is done when results are read, by (workshop, questionnaire, participant code), so it
does not depend on the order in which phones and laptops synced: a post-test that arrived
before its pre-test pairs all the same. A participant who sent a phase twice (a second
response on the same phone) is counted once, with the latest answers of that phase. A
submission without a code, or without its other half, still counts on its own side.
"""

import datetime
from dataclasses import dataclass

from sqlmodel import select

from ..models import AssessmentScore

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
    answered_at: datetime.datetime

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


def read_scores(*, session, form_id: str, workshops: list[str] | None = None) -> list[Taken]:
    """The scores of a questionnaire's submissions (of some workshops only, when given)."""
    query = select(AssessmentScore.submission_uuid, AssessmentScore.workshop, AssessmentScore.lang,
                   AssessmentScore.phase, AssessmentScore.participant, AssessmentScore.points,
                   AssessmentScore.maximum, AssessmentScore.passed, AssessmentScore.questions,
                   AssessmentScore.answered_at).where(AssessmentScore.form_id == form_id)
    if workshops is not None:
        query = query.where(AssessmentScore.workshop.in_(workshops))
    return [Taken(*row) for row in session.exec(query)]


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
