"""Staff accounts: creation from the CLI, sign-in, roles, rate limit, audit log."""

import re

import pytest
from sqlmodel import select

from survey_app import create_app
from survey_app.accounts import create_user
from survey_app.accounts import set_password
from survey_app.models import AuditEvent
from survey_app.models import User

PASSWORD = "a long enough password"


def csrf_from(body: bytes) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body.decode()).group(1)


@pytest.fixture
def csrf_client(app_config):
    return create_app({**app_config, "WTF_CSRF_ENABLED": True}).test_client()


def sign_in(client, email, password=PASSWORD):
    token = csrf_from(client.get("/login").data)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def test_cli_creates_a_user_with_a_hashed_password(runner, session):
    result = runner.invoke(args=["users", "create", "Admin@Example.org", "--role", "admin", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    user = session.exec(select(User)).one()
    assert user.email == "admin@example.org" and user.role == "admin"
    assert PASSWORD not in user.password_hash and user.password_hash.startswith("scrypt:")


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--role", "boss"], "Invalid value"), (["--role", "admin", "--password", "short"], "at least")],
)
def test_cli_refuses_bad_roles_and_short_passwords(runner, args, message):
    result = runner.invoke(args=["users", "create", "x@example.org", *args])
    assert result.exit_code != 0 and message in result.output


def test_sign_in_and_out(csrf_client, session):
    create_user(session=session, email="org@example.org", password=PASSWORD, role="organiser")
    response = sign_in(csrf_client, "org@example.org")
    assert response.status_code == 302
    assert csrf_client.get("/staff").status_code == 200
    token = csrf_from(csrf_client.get("/login").data)
    csrf_client.post("/logout", data={"csrf_token": token})
    assert csrf_client.get("/staff").status_code == 302
    actions = [e.action for e in session.exec(select(AuditEvent))]
    assert actions == ["login", "logout"]


def test_wrong_password_is_refused_and_logged(csrf_client, session):
    create_user(session=session, email="org@example.org", password=PASSWORD, role="organiser")
    response = sign_in(csrf_client, "org@example.org", "wrong password!")
    assert response.status_code == 401
    assert csrf_client.get("/staff").status_code == 302
    assert [e.action for e in session.exec(select(AuditEvent))] == ["login_failed"]


def test_login_without_csrf_token_is_refused(csrf_client, session):
    create_user(session=session, email="org@example.org", password=PASSWORD, role="organiser")
    response = csrf_client.post("/login", data={"email": "org@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert csrf_client.get("/staff").status_code == 302


def test_login_is_rate_limited(csrf_client, session):
    create_user(session=session, email="org@example.org", password=PASSWORD, role="organiser")
    for _ in range(5):
        assert sign_in(csrf_client, "org@example.org", "wrong password!").status_code == 401
    assert sign_in(csrf_client, "org@example.org").status_code == 429
    assert csrf_client.get("/staff").status_code == 302


def test_changing_the_password_ends_open_sessions(csrf_client, session):
    user = create_user(session=session, email="org@example.org", password=PASSWORD, role="organiser")
    sign_in(csrf_client, "org@example.org")
    set_password(session=session, user=user, password="a new and different password")
    session.commit()
    assert csrf_client.get("/staff").status_code == 302


def test_next_never_leads_to_another_site(csrf_client, session):
    create_user(session=session, email="org@example.org", password=PASSWORD, role="organiser")
    token = csrf_from(csrf_client.get("/login").data)
    response = csrf_client.post("/login?next=//evil.example/x", data={
        "email": "org@example.org", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/staff"


def test_pages_that_only_read_the_session_do_not_send_it_back(csrf_client, session):
    """A page fetched in the background at the same moment must not overwrite a fresher cookie."""
    create_user(session=session, email="org@example.org", password=PASSWORD, role="organiser")
    assert "Set-Cookie" in sign_in(csrf_client, "org@example.org").headers
    csrf_client.get("/staff")  # the first page after sign-in stores a fresh CSRF token
    for path in ("/staff", "/forms/sample_feedback?lang=fa", "/"):
        response = csrf_client.get(path)
        assert response.status_code == 200
        assert "session=" not in response.headers.get("Set-Cookie", ""), path
