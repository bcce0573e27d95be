"""Storing records once: stored, duplicate, conflict or rejected, and nothing sent is ever lost."""

import copy
import datetime
import uuid

import pytest
from sqlalchemy import text
from sqlmodel import select

from survey_app.engine.definition import definition_to_dict
from survey_app.engine.loader import load_dict
from survey_app.forms_store import get_version
from survey_app.forms_store import publish
from survey_app.models import Form
from survey_app.models import QuarantinedRecord
from survey_app.models import Submission
from survey_app.submissions import apply_record

TODAY = datetime.date(2027, 1, 15)
UTC = datetime.UTC


@pytest.fixture
def version(session):
    """The sample questionnaire's current version, published when the app started."""
    return get_version(session=session, form_id="sample_feedback")


def make_record(version, **changes) -> dict:
    record = {
        "uuid": str(uuid.uuid4()),
        "form_id": version.form_id,
        "form_version": version.version,
        "lang": "fa",
        "workshop": "Mashhad 2026-11",
        "started_at": "2026-11-22T09:00:00Z",
        "submitted_at": "2026-11-22T09:10:00Z",
        "answers": {"overall": "4", "age": "۳۰"},
    }
    record.update(changes)
    return record


def apply(session, record):
    result = apply_record(session=session, record=record, source="test", today=TODAY)
    session.commit()
    return result


def submissions(session) -> list[Submission]:
    return list(session.exec(select(Submission)))


def quarantined(session) -> list[QuarantinedRecord]:
    return list(session.exec(select(QuarantinedRecord).order_by(QuarantinedRecord.id)))


def as_utc(moment: datetime.datetime) -> datetime.datetime:
    """Stored times come back naive (meaning UTC) or aware, depending on the database."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def test_new_record_is_reported_as_stored(session, version):
    record = make_record(version)
    result = apply(session, record)
    assert (result.status, result.uuid, result.errors) == ("stored", record["uuid"], {})


def test_valid_record_is_stored(session, version):
    record = make_record(version)
    assert apply(session, record).errors == {}
    [row] = submissions(session)
    assert (row.uuid, row.form_id, row.form_version) == (record["uuid"], "sample_feedback", version.version)
    assert (row.lang, row.workshop, row.source) == ("fa", "Mashhad 2026-11", "test")
    assert row.answers == {"overall": 4, "age": 30, "low_score": 0}
    assert quarantined(session) == []


def test_same_record_again_is_a_duplicate_and_stays_one_row(session, version):
    record = make_record(version)
    apply(session, record)
    result = apply(session, copy.deepcopy(record))
    assert (result.status, result.uuid) == ("duplicate", record["uuid"])
    assert len(submissions(session)) == 1
    assert quarantined(session) == []


def test_same_uuid_with_other_answers_is_a_conflict_kept_aside(session, version):
    first = make_record(version)
    second = make_record(version, uuid=first["uuid"], answers={"overall": "1", "why_low": "Too fast"})
    apply(session, first)
    result = apply(session, second)
    assert (result.status, result.uuid) == ("conflict", first["uuid"])
    [row] = submissions(session)
    assert row.answers["overall"] == 4
    [kept] = quarantined(session)
    assert (kept.status, kept.uuid, kept.payload) == ("conflict", first["uuid"], second)


BAD_UUIDS = {
    "missing": None,
    "not_a_uuid": "not-a-uuid",
    "empty": "",
    "number": 12345,
    "hex_without_hyphens": uuid.uuid4().hex,
    "almost_uuid": str(uuid.uuid4())[:-1] + "g",
    "hyphens_in_the_wrong_place": "----" + uuid.uuid4().hex,
}


@pytest.mark.parametrize("bad_uuid", BAD_UUIDS.values(), ids=BAD_UUIDS.keys())
def test_record_without_a_real_uuid_is_rejected_and_quarantined_whole(session, version, bad_uuid):
    record = make_record(version, uuid=bad_uuid)
    if bad_uuid is None:
        del record["uuid"]
    result = apply(session, copy.deepcopy(record))
    assert result.status == "rejected"
    assert "uuid" in result.errors
    assert submissions(session) == []
    [kept] = quarantined(session)
    assert (kept.status, kept.payload) == ("rejected", record)
    assert "uuid" in kept.reasons


@pytest.mark.parametrize("changes", [{"form_id": "no_such_form"}, {"form_version": "000000000000"},
                                     {"form_version": None}, {"form_id": ["sample_feedback"]}],
                         ids=["unknown_form", "unknown_version", "missing_version", "form_id_not_a_string"])
def test_record_for_unknown_form_or_version_is_rejected_and_quarantined(session, version, changes):
    record = make_record(version, **changes)
    result = apply(session, record)
    assert result.status == "rejected"
    assert list(result.errors) == ["form"]
    assert submissions(session) == []
    [kept] = quarantined(session)
    assert (kept.status, kept.uuid, kept.payload) == ("rejected", record["uuid"], record)


def test_invalid_answers_are_rejected_with_per_question_codes(session, version):
    record = make_record(version, answers={"age": "12a", "clear": "9", "hours": "-"})
    result = apply(session, record)
    expected = {"overall": "required", "age": "integer", "clear": "choice", "hours": "decimal"}
    assert (result.status, result.errors) == ("rejected", expected)
    assert submissions(session) == []
    [kept] = quarantined(session)
    assert (kept.reasons, kept.payload) == (expected, record)


@pytest.mark.parametrize(("changes", "field"), [
    ({"lang": ""}, "lang"),
    ({"lang": 7}, "lang"),
    ({"workshop": 5}, "workshop"),
    ({"workshop": "w" * 101}, "workshop"),
    ({"answers": ["overall", "4"]}, "answers"),
    ({"submitted_at": "yesterday"}, "submitted_at"),
    ({"started_at": 1700000000}, "started_at"),
    ({"started_at": "0001-01-01T00:00:00+01:00"}, "started_at"),  # before year 1 in UTC
    ({"submitted_at": "9999-12-31T23:30:00-01:00"}, "submitted_at"),  # after year 9999 in UTC
])
def test_malformed_record_field_is_rejected_and_quarantined(session, version, changes, field):
    result = apply(session, make_record(version, **changes))
    assert result.status == "rejected"
    assert field in result.errors
    assert submissions(session) == []
    assert len(quarantined(session)) == 1


def _second_version_without_age(session, version):
    """Publish a version of the sample form that no longer asks for the age."""
    definition = definition_to_dict(load_dict(copy.deepcopy(version.definition)))
    for item in definition["survey"]:
        if item["type"] == "group":
            item["children"] = [child for child in item["children"] if child["name"] != "age"]
    return publish(session=session, definition=definition)


def test_record_for_an_older_version_is_stored_against_that_version(session, version):
    old_id = version.version
    newer = _second_version_without_age(session, version)
    assert session.get(Form, "sample_feedback").current_version == newer.version != old_id
    assert apply(session, make_record(version, form_version=old_id)).errors == {}
    [row] = submissions(session)
    assert row.form_version == old_id
    assert row.answers["age"] == 30


@pytest.mark.parametrize("value", [
    "2026-11-22T09:10:00Z",
    "2026-11-22T09:10:00.000Z",
    "2026-11-22T12:40:00+03:30",
    "2026-11-22T04:40:00-04:30",
    "2026-11-22T09:10:00+00:00",
    "2026-11-22T09:10:00",
], ids=["z", "z_with_fraction", "plus_offset", "minus_offset", "zero_offset", "no_offset_means_utc"])
def test_submission_time_is_parsed_to_utc(session, version, value):
    assert apply(session, make_record(version, submitted_at=value)).errors == {}
    [row] = submissions(session)
    assert as_utc(row.submitted_at) == datetime.datetime(2026, 11, 22, 9, 10, tzinfo=UTC)


def test_missing_times_are_stored_as_null(session, version):
    assert apply(session, make_record(version, started_at=None, submitted_at="")).errors == {}
    [row] = submissions(session)
    assert (row.started_at, row.submitted_at) == (None, None)


def test_offset_time_is_stored_as_utc_whatever_the_database_time_zone(session, version):
    if session.get_bind().dialect.name == "postgresql":
        session.connection().execute(text("SET TIME ZONE 'Asia/Tehran'"))
    assert apply(session, make_record(version, submitted_at="2026-11-22T12:40:00+03:30")).errors == {}
    [row] = submissions(session)
    assert as_utc(row.submitted_at) == datetime.datetime(2026, 11, 22, 9, 10, tzinfo=UTC)


@pytest.mark.parametrize("record", [["uuid", "answers"], "a string", 42, None, 1.5],
                         ids=["list", "string", "number", "null", "float"])
def test_record_that_is_not_an_object_is_rejected_and_quarantined(session, record):
    result = apply(session, record)
    assert (result.status, result.uuid) == ("rejected", None)
    assert "record" in result.errors
    assert submissions(session) == []
    [kept] = quarantined(session)
    assert (kept.status, kept.uuid, kept.payload) == ("rejected", None, {"value": record})


def test_same_uuid_in_other_letter_case_is_not_stored_twice(session, version):
    record = make_record(version)
    apply(session, record)
    apply(session, {**record, "uuid": record["uuid"].upper()})
    assert len(submissions(session)) == 1


def test_a_rejected_record_resent_is_kept_aside_once(session, version):
    record = {**make_record(version), "answers": {"overall": "9"}}
    for _ in range(3):
        assert apply(session, record).status == "rejected"
    assert len(quarantined(session)) == 1


@pytest.mark.parametrize(("sent", "closed", "status", "tag"), [
    ("4zc7pk3n", True, "rejected", None),
    (" 4Zc7Pk3N ", True, "rejected", None),
    ("4ZC7PK3N", True, "rejected", None),
    ("4zc7pk3n", False, "stored", "4ZC7PK3N"),
    ("elsewhere-7", False, "stored", "elsewhere-7"),  # a workshop of another server keeps its tag
])
def test_a_workshop_code_is_read_whatever_its_case(session, version, sent, closed, status, tag):
    """L8: a closed workshop's code in lower case was stored as another tag, and so bypassed the close."""
    from survey_app.models import Workshop

    closed_at = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC) if closed else None
    session.add(Workshop(code="4ZC7PK3N", title="Mashhad", start_date=datetime.date(2025, 12, 30),
                         end_date=datetime.date(2025, 12, 31), closed_at=closed_at))
    session.flush()
    result = apply(session, make_record(version, workshop=sent, started_at="2026-01-05T09:00:00Z"))
    assert result.status == status
    if status == "stored":
        assert submissions(session)[0].workshop == tag
    else:
        assert result.errors["workshop"] == "workshop_closed"
