"""Answers with repeats through the sync API: stored nested, refused with the path of the wrong answer, fixed."""

import json
import uuid

import pytest
from sqlmodel import select

from survey_app.models import QuarantinedRecord
from survey_app.models import Submission

from .conftest import DATA
from .test_results import sign_in


@pytest.fixture
def app_config(app_config):
    return {**app_config, "SURVEY_FORMS_DIR": str(DATA / "structure_forms")}


def household_record(client, **answers) -> dict:
    versions = {form["form_id"]: form["version"] for form in client.get("/api/v1/forms").get_json()["forms"]}
    base = {"province": "kerman", "county": "bam", "children_count": 1, "child": [{"child_name": "Sara"}],
            "member": [{"member_name": "Ali", "phone": [{"phone_number": "09123456"}]}]}
    return {"uuid": str(uuid.uuid4()), "form_id": "household_visit", "form_version": versions["household_visit"],
            "lang": "en", "started_at": "2026-01-05T09:00:00Z", "submitted_at": "2026-01-05T09:07:30Z",
            "workshop": None, "answers": {**base, **answers}}


def sync(client, *records):
    response = client.post("/api/v1/sync", json={"source": "phone-1", "submissions": list(records)})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"]


def test_a_synced_record_keeps_its_instances(client, session):
    (result,) = sync(client, household_record(client))
    assert result["status"] == "stored"
    (submission,) = session.exec(select(Submission)).all()
    assert submission.answers["member"] == [{"member_name": "Ali", "phone": [{"phone_number": "09123456"}]}]


def test_a_wrong_answer_inside_an_instance_is_refused_by_its_path_and_kept_aside(client, session):
    record = household_record(client, member=[{"member_name": "Ali", "phone": [{"phone_number": "12"}]}],
                              county="meybod")
    (result,) = sync(client, record)
    assert result["status"] == "rejected"
    assert result["errors"] == {"member/0/phone/0/phone_number": "constraint", "county": "choice"}
    (kept,) = session.exec(select(QuarantinedRecord.id)).all()
    session.rollback()  # end the read: on SQLite it holds the write lock
    sign_in(client, session)
    page = client.get(f"/organise/quarantine/{kept}?lang=en")
    assert page.status_code == 200
    assert "member/0/phone/0/phone_number" in page.data.decode()
    fixed = {**record["answers"], "county": "bam",
             "member": [{"member_name": "Ali", "phone": [{"phone_number": "1234"}]}]}
    version = f"household_visit/{record['form_version']}"
    response = client.post(f"/organise/quarantine/{kept}", data={
        "version": version, "lang": "en", "workshop": "", "note": "fixed", "answers": json.dumps(fixed)})
    assert response.status_code == 302
    session.expire_all()
    (submission,) = session.exec(select(Submission)).all()
    assert submission.answers["member"][0]["phone"] == [{"phone_number": "1234"}]
