"""Score a batch's new submissions to knowledge checks, in the transaction that stores them.

Only questionnaires with scored questions are scored; the scorer of each version is made
once (a version never changes). The rows carry what pairing needs (workshop, phase, code),
so results never read or rescore answers.
"""

from sqlalchemy import insert
from sqlalchemy import select

from ..engine.loader import load_dict
from ..engine.scoring import passed
from ..engine.scoring import score
from ..engine.scoring import scored_questions
from ..models import AssessmentScore
from ..models import FormVersion
from ..models import utcnow
from . import tally

_SCORERS: dict[tuple[str, str], tuple | None] = {}


def scorer(connection, form_id: str, version: str):
    """(definition, scored questions) of a version, or None when it is not an assessment."""
    key = (form_id, version)
    if key not in _SCORERS:
        document = connection.execute(select(FormVersion.definition).where(
            FormVersion.form_id == form_id, FormVersion.version == version)).scalar_one_or_none()
        if len(_SCORERS) > 1000:
            _SCORERS.clear()
        form = None if document is None else load_dict(document)
        questions = scored_questions(form) if form else ()
        _SCORERS[key] = (form, questions) if questions else None
    return _SCORERS[key]


def add(*, session, rows: list[dict], inserted: set[str]) -> int:
    """Score the rows just inserted (first of each UUID); return how many were scored."""
    connection, found, seen, received = session.connection(), [], set(), utcnow()
    for row in rows:
        if row["uuid"] not in inserted or row["uuid"] in seen:
            continue
        seen.add(row["uuid"])
        known = scorer(connection, row["form_id"], row["form_version"])
        if known is None:
            continue
        form, questions = known
        result = score(questions, row["answers"], row.get("hidden") or ())
        found.append({
            "submission_uuid": row["uuid"], "form_id": row["form_id"], "form_version": row["form_version"],
            "workshop": row["workshop"] or "", "lang": row["lang"], "phase": row.get("phase") or "",
            "participant": row.get("participant") or "", "points": result.points, "maximum": result.maximum,
            "passed": passed(form, result), "questions": result.questions,
            "answered_at": row.get("submitted_at") or received,
        })
    if found:
        connection.execute(insert(AssessmentScore), found)
        tally.update(session=session, scored=found)
    return len(found)
