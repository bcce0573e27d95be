"""Knowledge checks are scored when stored and paired by participant code, whatever the sync order."""

import json
from pathlib import Path

import pytest
from sqlmodel import select

from survey_app.assessments import codes
from survey_app.assessments.pairing import pair
from survey_app.assessments.pairing import read_scores
from survey_app.models import AssessmentScore
from survey_app.models import QuarantinedRecord

from .assessment_helpers import FORM
from .assessment_helpers import FORMS
from .assessment_helpers import RIGHT
from .assessment_helpers import WRONG
from .assessment_helpers import record
from .assessment_helpers import send


@pytest.fixture
def app_config(app_config):
    return {**app_config, "SURVEY_FORMS_DIR": str(FORMS)}


def pairs_of(session):
    found = pair(read_scores(session=session, form_id=FORM))
    session.rollback()
    return {(p.participant, p.pre and p.pre.points, p.post and p.post.points) for p in found}


def test_a_stored_submission_is_scored_once_with_its_code_and_phase(session):
    first = record(session, {**RIGHT, "q2": "b"}, phase="pre", participant="kmtr-47")
    assert send(session, first) == ["stored"]
    assert send(session, first) == ["duplicate"]
    rows = session.exec(select(AssessmentScore)).all()
    assert len(rows) == 1
    row = rows[0]
    assert (row.points, row.maximum, row.phase, row.participant, row.passed) == (2, 4, "pre", "KMTR47", False)
    assert row.questions["q2"] == [0, 2] and "q4" not in row.questions  # q4 was hidden


def test_a_questionnaire_without_correct_answers_is_not_scored(session, client):
    from survey_app.forms_store import get_version
    version = get_version(session=session, form_id="sample_feedback").version
    sent = {**record(session, {}), "form_id": "sample_feedback", "form_version": version,
            "answers": {"overall": "4", "age": "30"}}
    assert send(session, sent) == ["stored"]
    assert session.exec(select(AssessmentScore)).all() == []


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_pre_and_post_pair_in_either_arrival_order_across_phones(session, order):
    pre = record(session, WRONG, phase="pre", participant="KMTR47", at="2026-11-20T09:00:00Z")
    post = record(session, RIGHT, phase="post", participant="kmtr47", at="2026-11-21T15:00:00Z")
    sent = [pre, post]
    send(session, sent[order[0]], source="phone-1")
    send(session, sent[order[1]], source="facilitator-tablet")
    assert pairs_of(session) == {("KMTR47", 0, 4)}


def test_one_without_the_other_counts_on_its_side(session):
    send(session, record(session, WRONG, phase="pre", participant="ACDE23"),
          record(session, RIGHT, phase="post", participant="FGHJ34"),
          record(session, RIGHT, phase="post"))
    found = pairs_of(session)
    assert ("ACDE23", 0, None) in found and ("FGHJ34", None, 4) in found and ("", None, 4) in found


def test_same_code_in_another_workshop_is_another_person(session):
    send(session, record(session, WRONG, phase="pre", participant="ACDE23", workshop="AAAA2222"),
          record(session, RIGHT, phase="post", participant="ACDE23", workshop="BBBB3333"))
    assert pairs_of(session) == {("ACDE23", 0, None), ("ACDE23", None, 4)}


def test_a_phase_sent_twice_counts_once_with_the_latest_answers(session):
    send(session, record(session, RIGHT, phase="pre", participant="ACDE23", at="2026-11-20T10:00:00Z"),
          record(session, WRONG, phase="pre", participant="ACDE23", at="2026-11-20T09:00:00Z"))
    assert pairs_of(session) == {("ACDE23", 4, None)}


@pytest.mark.parametrize(("change", "field"), [
    ({"participant": "KMTR4"}, "participant"), ({"participant": "KOTR47"}, "participant"),
    ({"participant": 1234}, "participant"), ({"phase": "during"}, "phase"),
])
def test_bad_metadata_is_kept_aside_with_its_reason(session, change, field):
    assert send(session, {**record(session, RIGHT), **change}) == ["rejected"]
    kept = session.exec(select(QuarantinedRecord)).one()
    assert field in kept.reasons


VECTORS = json.loads((Path(__file__).parent / "data" / "participant_codes.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("typed", "code"), VECTORS["typed"])
def test_typed_codes_are_read_leniently(typed, code):
    assert codes.normalise(typed) == code


def test_new_codes_are_codes():
    from survey_app.assessments.participants import new_code
    made = {new_code() for _ in range(200)}
    assert all(codes.normalise(code) == code for code in made) and len(made) > 190


def test_a_laptop_pushes_the_phase_and_code_on_so_the_central_server_pairs_too(session):
    from sqlmodel import delete

    from survey_app.models import Submission
    from survey_app.sync_client import iter_records
    send(session, record(session, WRONG, phase="pre", participant="ACDE23"),
         record(session, RIGHT, phase="post", participant="ACDE23"), record(session, RIGHT))
    pushed = list(iter_records(session))
    assert sorted((r.get("phase", ""), r.get("participant", "")) for r in pushed) == [
        ("", ""), ("post", "ACDE23"), ("pre", "ACDE23")]
    # The central server: an empty database receiving what the laptop pushed, newest first.
    session.exec(delete(AssessmentScore))
    session.exec(delete(Submission))
    session.commit()
    assert send(session, *reversed(pushed), source="laptop-1") == ["stored"] * 3
    assert pairs_of(session) == {("ACDE23", 0, 4)}  # the one without a phase is scored, in no pair
