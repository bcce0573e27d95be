"""A record naming a workshop code this server does not know is stored, with a warning in its result."""

import datetime
import uuid

from survey_app.forms_store import get_version
from survey_app.models import Workshop


def record(version: str, workshop: str) -> dict:
    return {"uuid": str(uuid.uuid4()), "form_id": "sample_feedback", "form_version": version, "lang": "fa",
            "workshop": workshop, "started_at": "2026-11-22T09:00:00Z", "submitted_at": "2026-11-22T09:10:00Z",
            "answers": {"overall": "4"}}


def test_an_unknown_workshop_code_is_stored_with_a_warning(client, session):
    version = get_version(session=session, form_id="sample_feedback").version
    session.add(Workshop(code="KNOWN234", title="Known", start_date=datetime.date(2026, 11, 1),
                         end_date=datetime.date(2026, 11, 30), form_ids=["sample_feedback"], languages=["fa"]))
    session.commit()
    response = client.post("/api/v1/sync", json={"source": "phone-1", "submissions": [
        record(version, "NOSUCH99"), record(version, "KNOWN234"), record(version, None)]})
    unknown, known, none = response.get_json()["results"]
    assert unknown["status"] == "stored" and unknown["warnings"] == {"workshop": "unknown_workshop"}
    assert known["status"] == none["status"] == "stored"
    assert "warnings" not in known and "warnings" not in none
