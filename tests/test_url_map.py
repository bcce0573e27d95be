"""Every route that is not public checks the visitor's role: a walk over the whole URL map.

A new staff route without `role_required` makes this test fail; so does one that lets in
a role it does not name.
"""

import pytest
from flask import url_for
from sqlmodel import Session
from werkzeug.routing.converters import NumberConverter
from werkzeug.routing.converters import PathConverter

from survey_app import create_app
from survey_app.accounts import ROLES
from survey_app.accounts import create_user

PASSWORD = "a long enough password"
# Participants' pages (the workshop link /w/<code> among them), the JSON API, the health check,
# assets, sign-in and out.
PUBLIC_BLUEPRINTS = ("participants", "api", "health")
PUBLIC_ENDPOINTS = {"static", "asset", "accounts.login", "accounts.logout"}


def is_public(endpoint: str) -> bool:
    return endpoint in PUBLIC_ENDPOINTS or endpoint.split(".")[0] in PUBLIC_BLUEPRINTS


def staff_rules(app) -> list:
    return [rule for rule in app.url_map.iter_rules() if not is_public(rule.endpoint)]


def request_of(app, rule) -> tuple[str, str]:
    """Return a method and a URL that reach this rule, with sample values for its arguments."""
    values = {}
    for name, converter in rule._converters.items():
        values[name] = "x"
        if isinstance(converter, NumberConverter):
            values[name] = 1
        elif isinstance(converter, PathConverter):
            values[name] = "x/y"
    with app.test_request_context():
        url = url_for(rule.endpoint, **values)
    return ("GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]), url


def sign_in(app, role: str):
    with Session(app.extensions["survey_engine"]) as session:
        create_user(session=session, email=f"{role}@example.org", password=PASSWORD, role=role)
    client = app.test_client()
    assert client.post("/login", data={"email": f"{role}@example.org", "password": PASSWORD}).status_code == 302
    return client


def sends_to_sign_in(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def unguarded(app) -> list[str]:
    """List every problem: a staff route without a role check, open to strangers, or open to a wrong role."""
    problems = []
    clients = {role: sign_in(app, role) for role in ROLES if role != "admin"}
    anonymous = app.test_client()
    for rule in staff_rules(app):
        roles = getattr(app.view_functions[rule.endpoint], "required_roles", None)
        if roles is None:
            problems.append(f"{rule.endpoint} ({rule.rule}) has no role check")
            continue
        method, url = request_of(app, rule)
        response = anonymous.open(url, method=method)
        if not (sends_to_sign_in(response) or response.status_code in (401, 403)):
            problems.append(f"{rule.endpoint}: anonymous {method} {url} answered {response.status_code}")
        for role, client in clients.items():
            if role not in roles and client.open(url, method=method).status_code != 403:
                problems.append(f"{rule.endpoint}: {role} was not refused")
    return problems


def test_every_staff_route_checks_the_role(app):
    assert staff_rules(app), "the walk found no staff routes"
    assert unguarded(app) == []


def test_the_walk_finds_a_route_without_a_role_check(app_config):
    app = create_app(app_config)
    app.add_url_rule("/organise/leak", "leak", lambda: "secret")
    assert unguarded(app) == ["leak (/organise/leak) has no role check"]


def test_the_walk_finds_a_route_that_only_claims_a_role_check(app_config):
    def open_to_all():
        return "secret"

    open_to_all.required_roles = ("admin",)
    app = create_app(app_config)
    app.add_url_rule("/organise/open", "open", open_to_all)
    assert unguarded(app) == ["open: anonymous GET /organise/open answered 200",
                              "open: organiser was not refused", "open: translator was not refused"]


@pytest.mark.parametrize("endpoint", ["participants.workshop_page", "participants.form_page", "api.receive_batch"])
def test_participant_pages_and_the_sync_api_are_public(app, endpoint):
    assert is_public(endpoint)
    assert endpoint in {rule.endpoint for rule in app.url_map.iter_rules()}
