"""A knowledge check on the participant's page: the code block, posting it, the own score, the links."""

import datetime
import re
import uuid

import pytest
from sqlmodel import select

from survey_app.assessments import codes
from survey_app.forms_store import get_version
from survey_app.models import AssessmentScore
from survey_app.models import Submission
from survey_app.models import Workshop

from .assessment_helpers import FORM
from .assessment_helpers import FORMS
from .test_results import sign_in

URL = f"/forms/{FORM}"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "SURVEY_FORMS_DIR": str(FORMS)}


def page_data(session, **answers) -> dict:
    version = get_version(session=session, form_id=FORM).version
    session.rollback()
    return {"form_version": version, "submission_uuid": str(uuid.uuid4()), "started_at": "2026-11-20T09:00:00+00:00",
            "q1": "a", "q2": "a", "q3": ["passport", "visa"], "more": "no", **answers}


def block(page: str) -> str:
    return re.search(r'<div class="question participant-code".*?</div>', page, re.S)[0]


def test_a_test_before_the_course_shows_a_fresh_code(client):
    page = client.get(f"{URL}?lang=en&phase=pre").data.decode()
    shown = block(page)
    assert " hidden" not in shown.split(">")[0]
    assert 'name="_phase" value="pre"' in shown
    code = re.search(r'name="_participant"[^>]*value="([^"]+)"', shown)[1]
    assert codes.normalise(code) == code
    assert 'data-extensions="participant-code"' in page


def test_without_a_phase_the_block_stays_hidden(client):
    shown = block(client.get(f"{URL}?lang=en").data.decode())
    assert "data-participant-code hidden" in shown and 'name="_phase" value=""' in shown


def test_a_plain_questionnaire_has_no_code_block_nor_its_module(client):
    page = client.get("/forms/sample_feedback?lang=en&phase=pre").data.decode()
    assert "participant-code" not in page


def test_posted_code_and_phase_are_stored_and_scored(client, session):
    response = client.post(f"{URL}?lang=en", data=page_data(session, _phase="post", _participant="kmtr-47"))
    assert response.status_code == 302
    row = session.exec(select(AssessmentScore)).one()
    assert (row.phase, row.participant, row.points, row.maximum) == ("post", "KMTR47", 4, 4)
    session.rollback()  # SQLite: the app writes the page's session next
    thanks = client.get(response.headers["Location"]).data.decode()
    assert "Your score: 4 of 4" in thanks and "You passed the test." in thanks


def test_a_facilitator_after_the_course_types_each_code_and_stays_in_that_mode(client, session):
    page = client.get(f"{URL}?lang=en&phase=post&mode=facilitator").data.decode()
    assert re.search(r'name="_participant"[^>]*value=""', block(page))  # typed from the card, never made up
    assert re.search(r'<form method="post" action="[^"]*mode=facilitator', page)
    response = client.post(f"{URL}?lang=en&mode=facilitator",
                           data=page_data(session, _phase="post", _participant="KMTR47"))
    assert "mode=facilitator" in response.headers["Location"]
    session.rollback()
    thanks = client.get(response.headers["Location"]).data.decode()
    assert re.search(r'href="[^"]*phase=post[^"]*mode=facilitator[^"]*">Fill in another response', thanks)


def test_a_score_is_not_shown_after_the_test_before(client, session):
    response = client.post(f"{URL}?lang=en", data=page_data(session, _phase="pre", _participant="KMTR47"))
    assert "Your score" not in client.get(response.headers["Location"]).data.decode()


def test_a_mistyped_code_is_said_next_to_it_and_nothing_is_stored(client, session):
    response = client.post(f"{URL}?lang=en", data=page_data(session, _phase="post", _participant="KMTR0"))
    assert response.status_code == 200
    shown = block(response.data.decode())
    assert 'aria-invalid="true"' in shown and 'value="KMTR0"' in shown
    assert '<p class="error" id="participant-code-error">This code is not right' in shown
    assert session.exec(select(Submission)).all() == []


def test_workshop_page_carries_the_phase_to_its_links(client, session):
    session.add(Workshop(code="ABCD2345", title="Course", start_date=datetime.date.today(),
                         end_date=datetime.date.today(), form_ids=[FORM], languages=["en"]))
    session.commit()
    page = client.get("/w/ABCD2345?lang=en&phase=post").data.decode()
    assert f"{URL}?lang=en&amp;w=ABCD2345&amp;phase=post" in page


def test_organiser_workshop_page_gives_before_and_after_links(client, session):
    user = sign_in(client, session)
    found = Workshop(code="ABCD2345", title="Course", start_date=datetime.date.today(),
                     end_date=datetime.date.today(), form_ids=[FORM, "sample_feedback"], languages=["en"],
                     created_by=user.id)
    session.add(found)
    session.commit()
    number = found.id
    session.rollback()
    page = client.get(f"/organise/workshops/{number}?lang=en").data.decode()
    assert f"{URL}?w=ABCD2345&amp;phase=pre" in page and f"{URL}?w=ABCD2345&amp;phase=post" in page
    assert page.count("Before the course:") == 1  # the feedback questionnaire gets no test links
