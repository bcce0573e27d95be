"""Fixing a quarantined record with one typed field per answer; raw JSON only for what has no field."""

import html
import re

from survey_app.models import Submission

from .test_quarantine import closed  # noqa: F401 - fixture
from .test_quarantine import fresh
from .test_quarantine import record_of
from .test_quarantine import rejected  # noqa: F401 - fixtures
from .test_quarantine import send
from .test_quarantine import version  # noqa: F401
from .test_quarantine import version_value
from .test_results import sign_in


def json_box(page: str) -> str:
    box = re.search(r'<textarea[^>]*name="answers"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    return html.unescape(box).strip()


def test_each_answer_has_its_own_field_filled_with_what_was_sent(client, session, version, rejected):  # noqa: F811
    sign_in(client, session)
    page = client.get(f"/organise/quarantine/{rejected}?lang=en").data.decode()
    assert re.search(r'<input type="text" id="answer-age" name="a-age" value="سی"[^>]*inputmode="numeric"', page)
    assert re.search(r'<option value="4" selected>', page)
    assert 'name="m-topics"' in page and 'name="a-session_date"' in page
    assert json_box(page).strip() == "{}"  # nothing left over: no answer is shown twice


def test_typed_fields_are_stored_through_the_usual_checks(client, session, version, rejected):  # noqa: F811
    sign_in(client, session)
    response = client.post(f"/organise/quarantine/{rejected}", data={
        "version": version_value(version), "lang": "fa", "workshop": "", "note": "", "answers": "",
        "a-overall": "4", "a-age": "۳۰", "a-why_low": "", "m-topics": ["", "housing"]})
    assert response.status_code == 302
    (stored,) = fresh(session, Submission)
    assert stored.answers["age"] == 30 and stored.answers["overall"] == 4
    assert stored.answers["topics"] == ["housing"] and "why_low" not in stored.answers


def test_a_wrong_answer_is_shown_next_to_its_own_field(client, session, version, rejected):  # noqa: F811
    sign_in(client, session)
    response = client.post(f"/organise/quarantine/{rejected}?lang=en", data={
        "version": version_value(version), "lang": "fa", "answers": "", "a-overall": "4", "a-age": "سی و دو"})
    page = response.data.decode()
    assert response.status_code == 200
    field = page[page.index('id="answer-age"'):]
    assert 'value="سی و دو"' in field[:200] and 'aria-invalid="true"' in field[:300]
    assert 'id="answer-age-error"' in page and "whole number" in page[page.index('id="answer-age-error"'):][:200]
    assert fresh(session, Submission) == []


def test_answers_without_a_question_stay_in_the_json_box(client, session, version):  # noqa: F811
    record = send(session, record_of(version, answers={"overall": "4", "age": "سی", "old_question": {"x": 1}}))
    sign_in(client, session)
    page = client.get(f"/organise/quarantine/{record}?lang=en").data.decode()
    assert json_box(page).replace(" ", "").replace("\n", "") == '{"old_question":{"x":1}}'


def test_languages_are_offered_by_name(client, session, version, rejected):  # noqa: F811
    sign_in(client, session)
    page = client.get(f"/organise/quarantine/{rejected}?lang=en").data.decode()
    assert '<option value="ps">پښتو (ps)</option>' in page


def test_the_received_time_is_local(client, session, version, rejected):  # noqa: F811
    sign_in(client, session)
    page = client.get(f"/organise/quarantine/{rejected}?lang=en").data.decode()
    assert " UTC<" not in page and re.search(r"<time datetime=[^>]+>\d{4}-\d\d-\d\d \d\d:\d\d</time>", page)



def test_answers_with_a_workshop_code_unknown_here_are_stored_and_listed(client, session, version):  # noqa: F811
    send(session, record_of(version, answers={"overall": "4"}, workshop="NOSUCH99"))
    send(session, record_of(version, answers={"overall": "5"}, workshop="NOSUCH99"))
    assert len(fresh(session, Submission)) == 2
    sign_in(client, session)
    page = client.get("/organise/quarantine?lang=en").data.decode()
    assert "Workshop codes this server does not know" in page
    assert "<code>NOSUCH99</code></bdi>, 2 answers" in page


def test_known_workshop_codes_are_not_listed_as_unknown(client, session, version, closed):  # noqa: F811
    send(session, record_of(version, answers={"overall": "4"}, workshop=closed.lower(),
                            started_at="2026-09-30T09:00:00Z", submitted_at="2026-09-30T09:10:00Z"))
    assert len(fresh(session, Submission)) == 1
    sign_in(client, session)
    assert "Workshop codes this server does not know" not in client.get("/organise/quarantine?lang=en").data.decode()
