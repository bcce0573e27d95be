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


@pytest.mark.parametrize("target", [
    "/\t/evil.example/", "/\n/evil.example", "/\r\n/evil.example", "/\x00/evil.example", "/\x0b/evil.example",
    "/\u2028/evil.example", "/\u200b/evil.example", "/\\evil.example", "\\\\evil.example", "//evil.example",
    "///evil.example", "https://evil.example/", "javascript:alert(1)", " /\t/evil.example", "",
])
def test_next_is_followed_only_to_a_path_on_this_site(app, session, target):
    create_user(session=session, email="org@example.org", password=PASSWORD, role="organiser")
    response = app.test_client().post("/login", query_string={"next": target},
                                      data={"email": "org@example.org", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/staff"


@pytest.mark.parametrize(("target", "location"), [
    ("/organise/quarantine?page=2&show=all", "/organise/quarantine?page=2&show=all"),
    ("/organise/results/نظرسنجی", "/organise/results/%D9%86%D8%B8%D8%B1%D8%B3%D9%86%D8%AC%DB%8C"),
    ("/organise/results?q=a b", "/organise/results?q=a%20b"),
])
def test_next_keeps_a_path_on_this_site(app, session, target, location):
    create_user(session=session, email="org@example.org", password=PASSWORD, role="organiser")
    response = app.test_client().post("/login", query_string={"next": target},
                                      data={"email": "org@example.org", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == location


@pytest.mark.parametrize(("password", "message"), [
    ("aaaaaaaaaa", "too common"), ("1234567890", "too common"), ("password12", "too common"),
    ("qwertyuiop", "too common"), (" " * 12, "only spaces"), ("\t \u00a0" * 4, "only spaces"),
    ("rahimi.teacher", "name in the email"), ("Rahimi2026 is my password", "name in the email"),
    ("x" * 501, "at most 500"), ("short", "at least 10"),
])
def test_cli_refuses_weak_passwords_with_a_clear_message(runner, password, message):
    result = runner.invoke(args=["users", "create", "rahimi@example.org", "--role", "admin", "--password", password])
    assert result.exit_code != 0 and message in result.output


def test_cli_accepts_a_password_of_unrelated_words(runner):
    result = runner.invoke(args=["users", "create", "rahimi@example.org", "--role", "admin",
                                 "--password", "lantern quietly orbit saffron"])
    assert result.exit_code == 0, result.output


def test_cli_sets_a_new_password_by_the_same_rules_and_ends_open_sessions(runner, csrf_client, session):
    create_user(session=session, email="org@example.org", password=PASSWORD, role="organiser")
    sign_in(csrf_client, "org@example.org")
    refused = runner.invoke(args=["users", "set-password", "org@example.org", "--password", "password12"])
    assert refused.exit_code != 0 and "too common" in refused.output
    assert csrf_client.get("/staff").status_code == 200

    result = runner.invoke(args=["users", "set-password", "Org@Example.org", "--password", "lantern quietly orbit"])

    assert result.exit_code == 0, result.output
    assert csrf_client.get("/staff").status_code == 302
    assert sign_in(csrf_client, "org@example.org", "lantern quietly orbit").status_code == 302
    assert runner.invoke(args=["users", "set-password", "nobody@example.org", "--password", "x"]).exit_code != 0
