"""The quarantine: reasons in plain words, fix and accept, discard; records are never changed or lost."""

import datetime
import json
import uuid

import pytest
from sqlmodel import select

from survey_app import create_app
from survey_app.forms_store import get_version
from survey_app.models import AuditEvent
from survey_app.models import QuarantineDecision
from survey_app.models import QuarantinedRecord
from survey_app.models import Submission
from survey_app.models import Workshop
from survey_app.submissions import apply_record

from .test_results import sign_in

FORM = "sample_feedback"
TODAY = datetime.date(2027, 1, 15)


@pytest.fixture
def version(session) -> str:
    """The current version's id; the transaction is ended so the app can write."""
    found = get_version(session=session, form_id=FORM).version
    session.commit()
    return found


def send(session, record) -> int:
    """Send a record as a phone would; return the id of the quarantined copy."""
    apply_record(session=session, record=record, source="phone-7", today=TODAY)
    session.commit()
    found = session.exec(select(QuarantinedRecord.id).order_by(QuarantinedRecord.id.desc())).first()
    session.commit()
    return found


def record_of(version, **changes) -> dict:
    record = {"uuid": str(uuid.uuid4()), "form_id": FORM, "form_version": version, "lang": "fa",
              "started_at": "2026-11-22T09:00:00Z", "submitted_at": "2026-11-22T09:10:00Z",
              "answers": {"overall": "4", "age": "سی"}}
    record.update(changes)
    return record


def fresh(session, model, *where):
    """Read a table as it is now, then end the transaction so the app can write (rows stay readable)."""
    session.expire_all()
    rows = session.exec(select(model).where(*where)).all()
    for row in rows:
        session.expunge(row)
    session.commit()
    return rows


def fix(client, record_id, answers, **fields):
    data = {"version": fields.pop("version", None), "lang": "fa", "workshop": "", "note": "typed by phone",
            "answers": answers if isinstance(answers, str) else json.dumps(answers, ensure_ascii=False), **fields}
    return client.post(f"/organise/quarantine/{record_id}", data={k: v for k, v in data.items() if v is not None})


@pytest.fixture
def closed(session):
    """A workshop that closed before the test records were started."""
    session.add(Workshop(code="CLOS2222", title="Closed", start_date=datetime.date(2026, 10, 1),
                         end_date=datetime.date(2026, 10, 2), form_ids=[FORM], languages=["fa"],
                         closed_at=datetime.datetime(2026, 10, 2, tzinfo=datetime.UTC)))
    session.commit()
    return "CLOS2222"


@pytest.fixture
def rejected(session, version):
    return send(session, record_of(version))


def version_value(version: str) -> str:
    return f"{FORM}/{version}"


def test_list_shows_pending_records_with_reasons_in_plain_words(client, session, version, rejected, closed):
    send(session, record_of(version, answers={"overall": "4"}, workshop=closed))
    sign_in(client, session)
    body = client.get("/organise/quarantine?lang=en").data.decode()
    assert "Age: Please write a whole number, for example 12." in body
    assert "The workshop CLOS2222 had closed before these answers were started." in body
    assert "Waiting for a decision (2)" in body


def test_fix_and_accept_stores_the_corrected_answers_through_the_usual_checks(client, session, version, rejected):
    sign_in(client, session)
    original = fresh(session, QuarantinedRecord)[0]
    page = client.get(f"/organise/quarantine/{rejected}?lang=en").data.decode()
    assert "&#34;age&#34;: &#34;سی&#34;" in page  # the answers to fix, escaped, Persian intact
    response = fix(client, rejected, {"overall": "4", "age": "۳۰"}, version=version_value(version))
    assert response.status_code == 302
    (stored,) = fresh(session, Submission)
    assert stored.uuid == original.payload["uuid"] and stored.answers == {"overall": 4, "age": 30, "low_score": 0}
    assert stored.source == "phone-7"
    (decision,) = fresh(session, QuarantineDecision)
    assert (decision.record_id, decision.decision) == (rejected, "accepted")
    assert decision.decided_by == "organiser@example.org" and decision.note == "typed by phone"
    (kept,) = fresh(session, QuarantinedRecord)
    assert (kept.payload, kept.reasons, kept.status) == (original.payload, original.reasons, "rejected")
    (event,) = fresh(session, AuditEvent, AuditEvent.action == "quarantine_accepted")
    assert event.detail["record_id"] == rejected and event.detail["uuid"] == stored.uuid


def test_answers_still_wrong_are_shown_next_to_the_field_and_nothing_new_is_kept_aside(client, session, version,
                                                                                      rejected):
    sign_in(client, session)
    response = fix(client, rejected, {"overall": "9", "age": "30"}, version=version_value(version))
    body = response.data.decode()
    assert response.status_code == 200
    assert 'id="error-answers"' in body and "Please pick one of the options." in body
    assert len(fresh(session, QuarantinedRecord)) == 1
    assert fresh(session, Submission) == [] and fresh(session, QuarantineDecision) == []


@pytest.mark.parametrize(("answers", "message"), [
    ("{age: 30", "This is not valid JSON"),
    ("[1, 2]", "Please write the answers as one JSON object"),
    ("", "Please give the answers."),
])
def test_answers_that_are_not_a_json_object_are_refused_next_to_the_field(client, session, version, rejected,
                                                                          answers, message):
    sign_in(client, session)
    body = fix(client, rejected, answers, version=version_value(version)).data.decode()
    assert message in body
    assert fresh(session, Submission) == []


def test_a_conflict_is_accepted_as_a_new_submission_and_the_stored_one_stays(client, session, version):
    first = record_of(version, answers={"overall": "5"})
    send(session, first)
    conflict = send(session, {**first, "answers": {"overall": "2"}})
    sign_in(client, session)
    page = client.get(f"/organise/quarantine/{conflict}?lang=en").data.decode()
    assert "Another submission with the same ID is already stored, with different answers." in page
    assert "It will be stored as a new submission with a new ID" in page
    assert fix(client, conflict, {"overall": "2"}, version=version_value(version)).status_code == 302
    stored = {s.uuid: s.answers for s in fresh(session, Submission)}
    assert len(stored) == 2 and stored[first["uuid"]]["overall"] == 5
    assert sorted(answers["overall"] for answers in stored.values()) == [2, 5]


def test_closed_workshop_can_be_cleared_to_accept_the_answers(client, session, version, closed):
    late = send(session, record_of(version, answers={"overall": "3"}, workshop=closed))
    sign_in(client, session)
    refused = fix(client, late, {"overall": "3"}, version=version_value(version), workshop=closed)
    assert "The workshop CLOS2222 had closed before these answers were started." in refused.data.decode()
    assert fix(client, late, {"overall": "3"}, version=version_value(version)).status_code == 302
    assert [s.workshop for s in fresh(session, Submission)] == [None]


def test_a_record_that_was_not_an_object_can_be_fixed_by_choosing_the_questionnaire(client, session, version):
    broken = send(session, ["not", "a", "record"])
    sign_in(client, session)
    assert "The record is not a JSON object." in client.get(f"/organise/quarantine/{broken}?lang=en").data.decode()
    assert fix(client, broken, {"overall": "1"}, version=version_value(version)).status_code == 302
    (stored,) = fresh(session, Submission)
    assert stored.form_id == FORM and len(stored.uuid) == 36


def test_discard_keeps_the_record_and_writes_the_audit_event(client, session, rejected):
    sign_in(client, session)
    response = client.post(f"/organise/quarantine/{rejected}/discard", data={"discard-note": "a test send"})
    assert response.status_code == 302
    assert len(fresh(session, QuarantinedRecord)) == 1
    (decision,) = fresh(session, QuarantineDecision)
    assert (decision.decision, decision.note) == ("discarded", "a test send")
    (event,) = fresh(session, AuditEvent, AuditEvent.action == "quarantine_discarded")
    assert event.detail["record_id"] == rejected and event.actor == "organiser@example.org"
    assert "Waiting for a decision (0)" in client.get("/organise/quarantine?lang=en").data.decode()
    assert "discarded" in client.get("/organise/quarantine?show=decided&lang=en").data.decode()


def test_a_record_is_decided_only_once(client, session, version, rejected):
    sign_in(client, session)
    client.post(f"/organise/quarantine/{rejected}/discard", data={})
    response = fix(client, rejected, {"overall": "4"}, version=version_value(version))
    assert response.status_code == 302
    assert fresh(session, Submission) == []
    assert client.post(f"/organise/quarantine/{rejected}/discard", data={}).status_code == 302
    assert [d.decision for d in fresh(session, QuarantineDecision)] == ["discarded"]


@pytest.mark.parametrize("action", ["", "/discard"])
def test_posts_without_a_csrf_token_are_refused(app_config, session, version, rejected, action):
    app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    client = app.test_client()
    sign_in(client, session)
    data = {"version": version_value(version), "lang": "fa", "answers": '{"overall": "4"}'}
    assert client.post(f"/organise/quarantine/{rejected}{action}", data=data).status_code == 400
    assert fresh(session, QuarantineDecision) == [] and fresh(session, Submission) == []
    app.extensions["survey_engine"].dispose()


@pytest.mark.parametrize(("method", "path"), [("get", "/organise/quarantine"), ("get", "/organise/quarantine/1"),
                                              ("post", "/organise/quarantine/1"),
                                              ("post", "/organise/quarantine/1/discard")])
def test_quarantine_needs_an_organiser(client, session, rejected, method, path):
    assert getattr(client, method)(path).status_code == 302
    sign_in(client, session, role="translator")
    assert getattr(client, method)(path).status_code == 403
    assert fresh(session, QuarantineDecision) == []


def test_an_unknown_record_is_not_found(client, session):
    sign_in(client, session)
    assert client.get("/organise/quarantine/999").status_code == 404


@pytest.mark.parametrize("answers", [{"overall": "4", "why_low": "a\x00b"}, {"overall": float("inf")},
                                     {"overall": "4", "why_low": "\ud800"}], ids=["nul", "inf", "lone_surrogate"])
def test_a_record_no_database_can_hold_is_shown_escaped_with_its_reason(client, session, version, answers):
    record_id = send(session, record_of(version, answers=answers))
    sign_in(client, session)
    listing = client.get("/organise/quarantine")
    assert listing.status_code == 200 and "cannot be stored" in listing.data.decode()
    page = client.get(f"/organise/quarantine/{record_id}")
    assert page.status_code == 200
    body = page.data.decode()
    assert any(escape in body for escape in ("\\u0000", "Infinity", "\\ud800"))
    assert "\x00" not in body


def test_a_record_another_server_did_not_accept_is_explained(client, session, version):
    from survey_app.submissions import keep_aside

    record = record_of(version, answers={"overall": "4", "age": "30"})
    apply_record(session=session, record=record, source="phone-7", today=TODAY)
    keep_aside(session=session, record=record, source="https://central.example.org", status="not_accepted",
               reasons={"delivery": {"destination": "https://central.example.org", "status": "refused",
                                     "reasons": {"request": "400 bad_json"}}})
    session.commit()
    record_id = session.exec(select(QuarantinedRecord.id)).one()
    session.commit()
    sign_in(client, session)
    body = client.get(f"/organise/quarantine/{record_id}").data.decode()
    assert "https://central.example.org did not accept this record" in body and "400 bad_json" in body
