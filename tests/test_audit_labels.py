"""The audit log speaks the reader's language: named actions, named details, local time."""

import datetime

import pytest

from survey_app.models import AuditEvent

from .test_admin import admin  # noqa: F401 - fixtures
from .test_admin import app_config  # noqa: F401
from .test_admin import session  # noqa: F401

MIDNIGHT_UTC = datetime.datetime(2026, 1, 1, 0, 0, tzinfo=datetime.UTC)


@pytest.fixture
def events(session):  # noqa: F811
    session.add(AuditEvent(at=MIDNIGHT_UTC, actor="org@example.org", action="user_role_changed",
                           detail={"email": "t@example.org", "old": "translator", "new": "organiser"}))
    session.add(AuditEvent(at=MIDNIGHT_UTC, actor="cli", action="workshop_updated",
                           detail={"code": "J7BX66BG", "changed": ["title", "end_date"]}))
    session.commit()


def test_actions_details_and_roles_are_named_not_coded(admin, events):  # noqa: F811
    page = admin.get("/admin/audit?lang=en").data.decode()
    assert "Role changed" in page and "user_role_changed" not in page.split("<tbody>")[1]
    assert "<dt>Before</dt><dd>Translator</dd>" in page and "<dt>After</dt><dd>Organiser</dd>" in page
    assert "<dt>Changed</dt><dd>Title, Last day</dd>" in page
    assert "Command line" in page


def test_times_are_in_the_server_time_zone(admin, events):  # noqa: F811
    page = admin.get("/admin/audit?lang=en").data.decode()
    assert "2026-01-01 03:30" in page  # Tehran is UTC+3:30


def test_times_follow_a_configured_time_zone(app, admin, events):  # noqa: F811
    app.config["SURVEY_TIME_ZONE"] = "Asia/Kabul"
    assert "2026-01-01 04:30" in admin.get("/admin/audit?lang=en").data.decode()


def test_pashto_readers_get_pashto_names_and_solar_hijri_dates(admin, events):  # noqa: F811
    page = admin.get("/admin/audit?lang=ps").data.decode()
    assert "۱۱ مرغومی ۱۴۰۴، ۰۳:۳۰" in page
    assert "Role changed" not in page and "Before" not in page and "Translator" not in page


def test_the_action_menu_names_actions(admin, events):  # noqa: F811
    page = admin.get("/admin/audit?lang=en").data.decode()
    assert '<option value="workshop_updated">Workshop changed</option>' in page
