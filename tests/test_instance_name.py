"""The settings' instance_name names each submission: on the quarantine page and as a column of exports."""

import csv
import json
import uuid

import pytest
from sqlmodel import select

from survey_app.engine.expressions import instance_namer
from survey_app.engine.loader import load_dict
from survey_app.models import QuarantinedRecord

from .test_results import sign_in

FORM = {
    "form_id": "visit", "title": "Visit",
    "settings": {"default_language": "en",
                 "instance_name": "concat(${family}, ' - ', jr:choice-name(${place}, '${place}'))"},
    "survey": [{"type": "text", "name": "family", "label": "Family"},
               {"type": "integer", "name": "size", "label": "Size", "constraint": ". < 30"},
               {"type": "select_one places", "name": "place", "label": "Place"}],
    "choices": {"places": [{"name": "hr", "label": "Herat"}, {"name": "kb", "label": "Kabul"}]},
}


@pytest.fixture
def app_config(app_config, tmp_path):
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "visit.yaml").write_text(json.dumps(FORM), encoding="utf-8")  # JSON is YAML
    return {**app_config, "SURVEY_FORMS_DIR": str(folder)}


def record(client, **answers) -> dict:
    versions = {form["form_id"]: form["version"] for form in client.get("/api/v1/forms").get_json()["forms"]}
    return {"uuid": str(uuid.uuid4()), "form_id": "visit", "form_version": versions["visit"], "lang": "en",
            "started_at": "2026-01-05T09:00:00Z", "submitted_at": "2026-01-05T09:07:30Z", "workshop": None,
            "answers": answers}


def sync(client, *records) -> list:
    response = client.post("/api/v1/sync", json={"source": "phone-1", "submissions": list(records)})
    assert response.status_code == 200, response.get_json()
    return [result["status"] for result in response.get_json()["results"]]


def test_the_name_is_computed_from_the_answers_with_the_option_labels():
    name = instance_namer(load_dict(FORM))
    assert name({"family": "  Rahimi ", "place": "kb"}) == "Rahimi - Kabul"
    assert name(None) == "-"
    assert instance_namer(load_dict({**FORM, "settings": {"default_language": "en"}}))({"family": "x"}) == ""


def test_a_kept_aside_record_shows_its_name(client, session):
    assert sync(client, record(client, family="Karimi", size=40, place="hr")) == ["rejected"]
    (kept,) = session.exec(select(QuarantinedRecord.id)).all()
    session.rollback()  # end the read: on SQLite it holds the write lock
    sign_in(client, session)
    page = client.get(f"/organise/quarantine/{kept}?lang=en").data.decode()
    assert "Submission name" in page and "Karimi - Herat" in page


def test_exports_have_a_column_with_each_submissions_name(app, client, tmp_path):
    assert sync(client, record(client, family="Ahmadi", size=4, place="kb")) == ["stored"]
    output = tmp_path / "visit.csv"
    result = app.test_cli_runner().invoke(args=["export", "visit", "-o", str(output)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(output.open(encoding="utf-8-sig")))
    assert [row["instance_name"] for row in rows] == ["Ahmadi - Kabul"]
    assert list(rows[0])[list(rows[0]).index("source") + 1] == "instance_name"
    json_output = tmp_path / "visit.json"
    result = app.test_cli_runner().invoke(args=["export", "visit", "--format", "json", "-o", str(json_output)])
    assert result.exit_code == 0, result.output
    assert "\"instance_name\": \"Ahmadi - Kabul\"" in json_output.read_text(encoding="utf-8")


def test_written_answers_are_listed_with_their_submissions_name(client, session):
    assert sync(client, record(client, family="Ahmadi", size=4, place="kb")) == ["stored"]
    session.rollback()
    sign_in(client, session)
    page = client.get("/organise/results/visit/answers/family?lang=en").data.decode()
    assert "<bdi>Ahmadi - Kabul</bdi>" in page
