"""Admin pages: staff accounts, sync tokens, the audit log; every change audited, no secret shown twice."""

import datetime
import hashlib
import re

import pytest
from sqlmodel import Session
from sqlmodel import select

from survey_app.accounts import create_user
from survey_app.models import AuditEvent
from survey_app.models import SyncToken
from survey_app.models import User

PASSWORD = "a long enough password"
NEW_PASSWORD = "another long password"


@pytest.fixture
def app_config(app_config):
    """CSRF on, as in production; anonymous sync off, so only tokens may sync."""
    return {**app_config, "WTF_CSRF_ENABLED": True, "SURVEY_ANONYMOUS_SYNC": False}


@pytest.fixture
def session(app):
    with Session(app.extensions["survey_engine"], expire_on_commit=False) as session:
        yield session


@pytest.fixture
def admin(app, session):
    """A signed-in admin's browser."""
    client = app.test_client()
    create_user(session=session, email="admin@example.org", password=PASSWORD, role="admin")
    assert post(client, "/login", {"email": "admin@example.org", "password": PASSWORD}).status_code == 302
    return client


def csrf_token(client) -> str:
    page = client.get("/login").data.decode()
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]


def post(client, url, data=None, **kwargs):
    """Post a form as a browser does, with the page's CSRF token."""
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client)}, **kwargs)


def sign_in(app, email, password=PASSWORD):
    client = app.test_client()
    return client, post(client, "/login", {"email": email, "password": password}).status_code == 302


def fresh(session, model):
    """Read a table as it is now, then end the transaction so the app can write."""
    rows = list(session.exec(select(model).execution_options(populate_existing=True)))
    session.commit()
    return rows


def account(session, email) -> User:
    return next(user for user in fresh(session, User) if user.email == email)


def audited(session, action) -> list[dict]:
    return [event.detail for event in fresh(session, AuditEvent) if event.action == action]


def errors_in(body: bytes) -> dict[str, str]:
    return dict(re.findall(r'<p class="error" id="error-([a-z_]+)">([^<]+)</p>', body.decode()))


def new_user(**changes) -> dict:
    return {"email": "Org@Example.org", "role": "organiser", "password": PASSWORD, "confirm": PASSWORD, **changes}


def test_accounts_are_listed_without_passwords_or_hashes(admin, session):
    create_user(session=session, email="org@example.org", password=PASSWORD, role="organiser")
    page = admin.get("/admin/users").data.decode()
    assert "org@example.org" in page and "admin@example.org" in page
    assert "scrypt" not in page and account(session, "org@example.org").password_hash not in page


def test_admin_creates_an_account_that_can_sign_in(app, admin, session):
    response = post(admin, "/admin/users/new", new_user())
    assert response.status_code == 302
    user = account(session, "org@example.org")
    assert user.role == "organiser" and user.password_hash.startswith("scrypt:")
    assert audited(session, "user_created") == [{"email": "org@example.org", "role": "organiser"}]
    assert sign_in(app, "org@example.org")[1]
    assert PASSWORD not in admin.get(f"/admin/users/{user.id}").data.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"confirm": "a different long password"}, "confirm", "not the same"),
        ({"password": "short", "confirm": "short"}, "password", "at least 10"),
        ({"password": "x" * 501, "confirm": "x" * 501}, "password", "at most 500"),
        ({"password": " " * 10, "confirm": " " * 10}, "password", "only spaces"),
        ({"password": "password12", "confirm": "password12"}, "password", "too common"),
        ({"password": "1234567890", "confirm": "1234567890"}, "password", "too common"),
        ({"password": "Org.Example.2026", "confirm": "Org.Example.2026"}, "password", "name in the email"),
        ({"email": "admin@example.org"}, "email", "already"),
        ({"email": "not an address"}, "email", "email address"),
        ({"role": "boss"}, "role", "Not a valid choice"),
    ],
)
def test_bad_new_accounts_are_refused_next_to_the_field(admin, session, changes, field, message):
    response = post(admin, "/admin/users/new", new_user(**changes))
    assert response.status_code == 200
    assert message in errors_in(response.data)[field]
    assert [user.email for user in fresh(session, User)] == ["admin@example.org"]
    assert PASSWORD not in response.data.decode()


def test_changing_a_role_is_audited(admin, session):
    user = create_user(session=session, email="org@example.org", password=PASSWORD, role="organiser")
    assert post(admin, f"/admin/users/{user.id}/role", {"role": "translator"}).status_code == 302
    assert account(session, "org@example.org").role == "translator"
    assert audited(session, "user_role_changed") == [
        {"email": "org@example.org", "old": "organiser", "new": "translator"}]


def test_an_admin_cannot_demote_or_disable_themselves(admin, session):
    me = account(session, "admin@example.org")
    response = post(admin, f"/admin/users/{me.id}/role", {"role": "organiser"}, follow_redirects=True)
    assert "cannot change your own role" in response.data.decode()
    response = post(admin, f"/admin/users/{me.id}/active", follow_redirects=True)
    assert "cannot disable your own account" in response.data.decode()
    me = account(session, "admin@example.org")
    assert me.role == "admin" and me.active


def test_a_disabled_account_is_signed_out_and_can_be_enabled_again(app, admin, session):
    user = create_user(session=session, email="org@example.org", password=PASSWORD, role="organiser")
    organiser, signed_in = sign_in(app, "org@example.org")
    assert signed_in and organiser.get("/staff").status_code == 200
    post(admin, f"/admin/users/{user.id}/active")
    assert organiser.get("/staff").status_code == 302
    assert not sign_in(app, "org@example.org")[1]
    post(admin, f"/admin/users/{user.id}/active")
    assert sign_in(app, "org@example.org")[1]
    assert [e.action for e in fresh(session, AuditEvent) if e.action.startswith("user_")] == [
        "user_disabled", "user_enabled"]


def test_password_reset_replaces_the_old_password_and_ends_open_sessions(app, admin, session):
    user = create_user(session=session, email="org@example.org", password=PASSWORD, role="organiser")
    organiser, _ = sign_in(app, "org@example.org")
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert post(admin, f"/admin/users/{user.id}/password", data).status_code == 302
    assert organiser.get("/staff").status_code == 302
    assert not sign_in(app, "org@example.org")[1]
    assert sign_in(app, "org@example.org", NEW_PASSWORD)[1]
    assert audited(session, "password_reset") == [{"email": "org@example.org"}]
    assert NEW_PASSWORD not in str([e.detail for e in fresh(session, AuditEvent)])


def test_password_reset_needs_the_same_password_twice(admin, session):
    user = create_user(session=session, email="org@example.org", password=PASSWORD, role="organiser")
    response = post(admin, f"/admin/users/{user.id}/password", {"password": NEW_PASSWORD, "confirm": PASSWORD})
    assert "not the same" in errors_in(response.data)["confirm"]
    assert sign_in(admin.application, "org@example.org")[1]


@pytest.mark.parametrize(("password", "message"), [
    ("my org is the best place", "name in the email"), ("password12", "too common"), (" " * 10, "only spaces")])
def test_password_reset_follows_the_same_rules_as_new_accounts(admin, session, password, message):
    user = create_user(session=session, email="org@example.org", password=PASSWORD, role="organiser")
    response = post(admin, f"/admin/users/{user.id}/password", {"password": password, "confirm": password})
    assert message in errors_in(response.data)["password"]
    assert sign_in(admin.application, "org@example.org")[1]


def test_token_is_shown_once_stored_hashed_and_works_until_revoked(admin, session):
    response = post(admin, "/admin/tokens", {"name": "central-office"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    secret = re.search(r'<code dir="ltr" id="token-secret">([^<]+)</code>', response.data.decode())[1]
    token = fresh(session, SyncToken)[0]
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in admin.get("/admin/tokens").data.decode()

    phone = admin.application.test_client()
    batch = {"source": "central-office", "submissions": []}
    assert phone.post("/api/v1/sync", json=batch).status_code == 401
    assert phone.post("/api/v1/sync", json=batch, headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert fresh(session, SyncToken)[0].last_used_at is not None
    assert "never" not in admin.get("/admin/tokens").data.decode()

    assert post(admin, f"/admin/tokens/{token.id}/revoke").status_code == 302
    assert phone.post("/api/v1/sync", json=batch, headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert audited(session, "token_created") == audited(session, "token_revoked") == [{"name": "central-office"}]


def test_a_second_active_token_with_the_same_name_is_refused(admin, session):
    post(admin, "/admin/tokens", {"name": "central-office"})
    response = post(admin, "/admin/tokens", {"name": "central-office"})
    assert "has this name already" in errors_in(response.data)["name"]
    assert len(fresh(session, SyncToken)) == 1


def test_audit_log_is_newest_first_paginated_and_filtered(admin, session):
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    for n in range(120):
        session.add(AuditEvent(at=start + datetime.timedelta(minutes=n), actor="x@example.org", action="export",
                               detail={"n": f"event-{n:03d}"}))
    session.commit()
    pages = [admin.get(f"/admin/audit?action=export&page={page}").data.decode() for page in (1, 2, 3)]
    numbers = [[int(n) for n in re.findall(r"event-(\d{3})", page)] for page in pages]
    assert numbers == [list(range(119, 69, -1)), list(range(69, 19, -1)), list(range(19, -1, -1))]
    everything = admin.get("/admin/audit").data.decode()
    assert "<code>login</code>" in everything and 'rel="next"' in everything


def test_user_text_in_the_audit_log_is_escaped(admin, session):
    session.add(AuditEvent(actor="x@example.org", action="workshop_created", detail={"title": "<b>bold</b>"}))
    session.commit()
    page = admin.get("/admin/audit").data.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "<b>bold</b>" not in page


def test_admin_pages_are_offered_to_admins_only(app, admin, session):
    assert 'href="/admin/users"' in admin.get("/staff").data.decode()
    create_user(session=session, email="org@example.org", password=PASSWORD, role="organiser")
    organiser, _ = sign_in(app, "org@example.org")
    assert 'href="/admin/users"' not in organiser.get("/staff").data.decode()
    assert organiser.get("/admin/users").status_code == 403


def test_account_changes_without_csrf_token_are_refused(admin, session):
    user = create_user(session=session, email="org@example.org", password=PASSWORD, role="organiser")
    assert admin.post(f"/admin/users/{user.id}/active").status_code == 400
    assert admin.post("/admin/users/new", data=new_user(email="x@example.org")).status_code == 400
    assert account(session, "org@example.org").active and len(fresh(session, User)) == 2


def test_control_characters_in_staff_forms_get_a_message_not_an_error(app, admin, session):
    """PostgreSQL cannot compare text holding NUL: such text must never reach a query."""
    stranger = app.test_client()
    response = post(stranger, "/login", {"email": "admin\x00@example.org", "password": PASSWORD})
    assert response.status_code == 200 and "email address" in errors_in(response.data)["email"]
    response = post(admin, "/admin/users/new", new_user(email="org\x00@example.org"))
    assert response.status_code == 200 and "email address" in errors_in(response.data)["email"]
    response = post(admin, "/admin/tokens", {"name": "central\x00office"})
    assert response.status_code == 200 and "control characters" in errors_in(response.data)["name"]
    assert admin.get("/admin/audit?action=%00").status_code == 200
    assert [user.email for user in fresh(session, User)] == ["admin@example.org"]
