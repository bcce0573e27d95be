"""Shared by the assessment tests: an app with the knowledge check, records for it, a batch sender."""

import uuid
from pathlib import Path

from survey_app.forms_store import get_version
from survey_app.submissions import apply_batch

FORMS = Path(__file__).parent / "data" / "assessment_forms"
FORM = "knowledge_check"
RIGHT = {"q1": "a", "q2": "a", "q3": ["passport", "visa"], "more": "no"}  # 4 of 4 points
WRONG = {"q1": "b", "q2": "b", "q3": ["passport"], "more": "no"}  # 0 of 4


def record(session, answers, *, phase=None, participant=None, workshop="ABCD2345", at="2026-11-20T09:00:00Z",
           lang="en", **extra) -> dict:
    version = get_version(session=session, form_id=FORM).version
    found = {"uuid": str(uuid.uuid4()), "form_id": FORM, "form_version": version, "lang": lang,
             "started_at": at, "submitted_at": at, "workshop": workshop, "answers": answers, **extra}
    if phase:
        found["phase"] = phase
    if participant:
        found["participant"] = participant
    return found


def send(session, *records, source="phone-1") -> list[str]:
    return [r.status for r in apply_batch(session=session, records=list(records), source=source)]
