"""The participant's side of a knowledge check: the code block on the page, and their own score.

The phase comes from the link the organiser hands out (`?phase=pre` or `?phase=post`). The
page offers a fresh participant code (the phone's module, participant-code.js, replaces it
with the code the phone remembers); a participant on another phone types the code from
their card. Posted, both travel as the record's `phase` and `participant`.
"""

import secrets

from sqlmodel import select

from ..engine.scoring import is_assessment
from ..models import AssessmentScore
from .codes import DIGITS
from .codes import LETTERS
from .codes import PHASES
from .codes import normalise

PHASE_FIELD, CODE_FIELD = "_phase", "_participant"


def new_code() -> str:
    """A random participant code, e.g. KMTR47."""
    return "".join(secrets.choice(LETTERS) for _ in range(4)) + "".join(secrets.choice(DIGITS) for _ in range(2))


def code_block(definition, *, posted: bool, values, facilitator: bool = False) -> dict | None:
    """What the participant-code block shows (None for a questionnaire that is no knowledge check).

    A facilitator entering the test after the course types each participant's code from their card,
    so the box starts empty there; everywhere else it starts with a new code, as the phone does.
    """
    if not is_assessment(definition):
        return None
    phase = values.get(PHASE_FIELD if posted else "phase")
    typed = (values.get(CODE_FIELD) or "").strip() if posted else ""
    code = normalise(typed) if typed else None
    fresh = "" if facilitator and phase == "post" else new_code()
    return {"phase": phase if phase in PHASES else "", "code": code or typed or fresh,
            "error": bool(typed) and code is None}


def metadata(formdata) -> dict:
    """The record's assessment metadata from a posted page (nothing for other questionnaires)."""
    found = {}
    if formdata.get(PHASE_FIELD):
        found["phase"] = formdata[PHASE_FIELD]
    if formdata.get(CODE_FIELD):
        found["participant"] = formdata[CODE_FIELD]
    return found


def own_score(*, session, definition, uuid: str | None):
    """A post-test's score to show its participant, when the organiser allows it; else None."""
    if not uuid or not definition.assessment.get("show_score"):
        return None
    row = session.exec(select(AssessmentScore).where(AssessmentScore.submission_uuid == uuid.lower(),
                                                     AssessmentScore.form_id == definition.form_id)).first()
    if row is None or row.phase != "post" or not row.maximum:
        return None
    return row
