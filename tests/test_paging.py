"""Paged lists read any `page` in the query string without failing: one helper for all of them."""

import datetime

import pytest

from survey_app import staff_sessions
from survey_app.accounts import create_user
from survey_app.forms_store import get_version
from survey_app.models import AuditEvent
from survey_app.models import QuarantinedRecord
from survey_app.paging import LAST_PAGE
from survey_app.paging import page_number

from .test_results import add_submission

PAGES = ["/organise/quarantine", "/organise/quarantine?show=all", "/organise/results/sample_feedback/answers/why_low",
         "/admin/audit", "/admin/audit?action=login"]
VALUES = ["9223372036854775807", "99999999999999999999", "9" * 5000, "-1", "-9223372036854775809", "0", "abc",
          "1e9", "2.5", "", " 3 ", "\u06f2", "0x10", "1_000"]


@pytest.mark.parametrize(("raw", "page"), [
    ("3", 3), (" 3 ", 3), ("0", 1), ("-5", 1), ("abc", 1), ("", 1), ("2.5", 1), ("\u06f2", 1), ("1_000", 1),
    ("9223372036854775807", LAST_PAGE), ("9" * 5000, LAST_PAGE), (str(LAST_PAGE + 1), LAST_PAGE),
])
def test_page_number_is_a_whole_number_within_bounds(app, raw, page):
    with app.test_request_context("/", query_string={"page": raw}):
        assert page_number() == page


@pytest.fixture
def admin(app, session):
    """An admin's browser, with a quarantined record, a written answer and an audit event to list."""
    user = create_user(session=session, email="admin@example.org", password="a long enough password", role="admin")
    version = get_version(session=session, form_id="sample_feedback")
    add_submission(session, version.version, {"overall": 1, "why_low": "too short"})
    session.add(QuarantinedRecord(uuid="x", status="rejected", reasons={"answers": "bad"}, payload={}))
    session.add(AuditEvent(actor="admin@example.org", action="login"))
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["sid"] = staff_sessions.start(session=session, user=user, lifetime=datetime.timedelta(hours=1))
    session.commit()
    return client


@pytest.mark.parametrize("value", VALUES)
def test_any_page_number_answers_a_page_not_an_error(admin, value):
    for path in PAGES:
        separator = "&" if "?" in path else "?"
        response = admin.get(f"{path}{separator}page={value}&lang=en")
        assert response.status_code == 200, (path, value)


def test_a_page_beyond_the_last_shows_the_last_audit_page(admin):
    body = admin.get("/admin/audit?page=99999999999999999999&lang=en").data.decode()
    assert "admin@example.org" in body

