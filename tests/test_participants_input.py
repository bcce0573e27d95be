"""What a participant's page does with text no database can hold, and with edited hidden fields (H1, H2, L3)."""

import uuid

import pytest

from .test_participants import FORM_URL
from .test_participants import errors_in
from .test_participants import good_answers
from .test_participants import stored


@pytest.mark.parametrize("text", ["a\x00b", "\x00 "], ids=["nul", "only_nul"])  # a form post cannot carry half a pair
def test_text_no_database_can_hold_gets_a_message_next_to_the_field(client, session, text):
    """H2: a NUL typed or pasted into a text answer was stored on SQLite, a 500 on PostgreSQL."""
    response = client.post(FORM_URL, data=good_answers(overall="2", why_low=text))
    assert response.status_code == 200
    assert "control character" in errors_in(response.data)["why_low"]
    assert stored(session) == []


@pytest.mark.parametrize("edit", ["{u}\n", " {u} ", "{u}\x00", "{u}x"], ids=["newline", "spaces", "nul", "longer"])
def test_an_edited_page_uuid_never_stores_a_uuid_that_is_not_one(client, session, edit):
    """H1: a hidden submission_uuid ending in a newline was stored as a second copy of the same UUID."""
    sent = uuid.uuid4()
    assert client.post(FORM_URL, data=good_answers(submission_uuid=edit.format(u=sent))).status_code in (302, 400)
    assert client.post(FORM_URL, data=good_answers(submission_uuid=str(sent))).status_code == 302
    rows = stored(session)
    assert all(len(row.uuid) == 36 and row.uuid == row.uuid.lower() for row in rows)
    assert [row.uuid for row in rows].count(str(sent)) == 1


def test_a_page_uuid_in_capitals_is_stored_in_lower_case_and_recognised_again(client, session):
    sent = str(uuid.uuid4())
    answers = good_answers(submission_uuid=sent.upper())
    client.post(FORM_URL, data=answers)
    client.post(FORM_URL, data={**answers, "submission_uuid": sent})
    assert [row.uuid for row in stored(session)] == [sent]


@pytest.mark.parametrize("path", ["/w/%00", "/w/ab%00", "/forms/%00", "/forms/sample_feedback%00",
                                  "/forms/sample_feedback?w=%00", "/forms/sample_feedback/thanks?w=%00",
                                  "/forms/%00/thanks", "/api/v1/forms/%00",
                                  "/api/v1/forms/sample_feedback/versions/%00"])
def test_nul_in_an_address_is_not_found_never_a_server_error(client, path):
    """L3: each of these answered 500 on PostgreSQL."""
    assert client.get(path).status_code in (400, 404)


@pytest.mark.parametrize("field", ["form_version", "workshop", "started_at", "submission_uuid"])
def test_nul_in_a_hidden_field_is_refused_never_a_server_error(client, session, field):
    response = client.post(FORM_URL, data=good_answers(**{field: "a\x00b"}))
    assert response.status_code == 400
    assert stored(session) == []
