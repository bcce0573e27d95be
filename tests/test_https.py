"""HTTPS in production: Secure cookies, Strict-Transport-Security, and the scheme and client
address read from a TLS-terminating proxy only when one is configured."""

import pytest
from sqlmodel import Session

from survey_app import create_app
from survey_app.accounts import create_user

from .conftest import TEST_FORMS

PASSWORD = "a long enough password"
YEAR = 365 * 24 * 3600


@pytest.fixture
def make_app(tmp_path, monkeypatch):
    """Build an app as a server would, from the environment; SURVEY_ENV=production unless told."""
    apps = []

    def make(env="production", **settings):
        monkeypatch.setenv("SURVEY_SECRET_KEY", "s" * 64)
        monkeypatch.setenv("SURVEY_INSTANCE_PATH", str(tmp_path / "instance"))
        monkeypatch.setenv("SURVEY_DATABASE_URL", f"sqlite:///{tmp_path / 'survey.db'}")
        monkeypatch.setenv("SURVEY_FORMS_DIR", str(TEST_FORMS))
        monkeypatch.setenv("SURVEY_ENV", env)
        for name, value in settings.items():
            monkeypatch.setenv(name, value)
        app = create_app({"WTF_CSRF_ENABLED": False})
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["survey_engine"].dispose()


def sign_in_cookie(app, **kwargs) -> str:
    """The Set-Cookie header that answers a successful sign-in."""
    with Session(app.extensions["survey_engine"]) as session:
        create_user(session=session, email="org@example.org", password=PASSWORD, role="organiser")
    response = app.test_client().post("/login", data={"email": "org@example.org", "password": PASSWORD}, **kwargs)
    assert response.status_code == 302
    return response.headers["Set-Cookie"]


def test_production_session_cookie_is_secure(make_app):
    cookie = sign_in_cookie(make_app(), base_url="https://central.example.org")
    assert "; Secure" in cookie and "HttpOnly" in cookie


def test_a_workshop_laptop_keeps_working_over_plain_http(make_app):
    app = make_app(env="")
    assert "Secure" not in sign_in_cookie(app)
    assert "Strict-Transport-Security" not in app.test_client().get("/", base_url="https://laptop.local").headers


def test_production_https_answers_carry_hsts_and_http_answers_do_not(make_app):
    client = make_app().test_client()
    assert client.get("/", base_url="https://central.example.org").headers["Strict-Transport-Security"] == (
        f"max-age={YEAR}")
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_behind_a_configured_proxy_the_app_knows_it_is_served_over_https(make_app):
    client = make_app(SURVEY_PROXY_HOPS="1").test_client()
    response = client.get("/", headers={"X-Forwarded-Proto": "https"}, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert response.headers["Strict-Transport-Security"] == f"max-age={YEAR}"


def test_without_a_configured_proxy_forwarded_headers_are_not_believed(make_app):
    client = make_app().test_client()
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_lifetime_can_be_set(make_app):
    client = make_app(SURVEY_HSTS_MAX_AGE="600").test_client()
    assert client.get("/", base_url="https://c.example.org").headers["Strict-Transport-Security"] == "max-age=600"
