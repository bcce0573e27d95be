"""Staff sessions live on the server: signing out, a new password or a disabled account ends
them for every copy of the cookie, and the cookie carries nothing but a random id."""

import re

import pytest
from sqlmodel import Session
from sqlmodel import select

from survey_app.accounts import create_user
from survey_app.models import StaffSession
from survey_app.models import User

PASSWORD = "a long enough password"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def session(app):
    with Session(app.extensions["survey_engine"], expire_on_commit=False) as session:
        yield session


def post(client, url, data=None):
    page = client.get("/login").data.decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    return client.post(url, data={**(data or {}), "csrf_token": token})


def signed_in(app, session, email, role="organiser"):
    """A browser signed in to a new account."""
    create_user(session=session, email=email, password=PASSWORD, role=role)
    session.commit()
    client = app.test_client()
    assert post(client, "/login", {"email": email, "password": PASSWORD}).status_code == 302
    return client


def copy_of(app, client):
    """Another browser holding a copy of this one's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def user_id(session, email) -> int:
    user = session.exec(select(User).where(User.email == email)).one()
    session.commit()
    return user.id


def test_signing_out_ends_the_session_for_a_copied_cookie(app, session):
    admin = signed_in(app, session, "admin@example.org", role="admin")
    thief = copy_of(app, admin)
    assert thief.get("/admin/users").status_code == 200

    assert post(admin, "/logout").status_code == 302

    for path in ("/admin/users", "/admin/audit", "/staff"):
        assert thief.get(path).status_code == 302, path


def test_a_new_password_ends_every_session_of_the_account(app, session):
    admin = signed_in(app, session, "admin@example.org", role="admin")
    organiser = signed_in(app, session, "org@example.org")
    other_browser = app.test_client()
    post(other_browser, "/login", {"email": "org@example.org", "password": PASSWORD})
    thief = copy_of(app, organiser)

    new = "a completely different secret"
    post(admin, f"/admin/users/{user_id(session, 'org@example.org')}/password", {"password": new, "confirm": new})

    for client in (organiser, other_browser, thief):
        assert client.get("/staff").status_code == 302
    assert admin.get("/staff").status_code == 200


def test_an_admin_changing_their_own_password_stays_signed_in_only_here(app, session):
    admin = signed_in(app, session, "admin@example.org", role="admin")
    thief = copy_of(app, admin)
    new = "a completely different secret"
    post(admin, f"/admin/users/{user_id(session, 'admin@example.org')}/password", {"password": new, "confirm": new})
    assert admin.get("/admin/users").status_code == 200
    assert thief.get("/admin/users").status_code == 302


def test_enabling_a_disabled_account_again_brings_no_old_session_back(app, session):
    admin = signed_in(app, session, "admin@example.org", role="admin")
    organiser = signed_in(app, session, "org@example.org")
    thief = copy_of(app, organiser)
    url = f"/admin/users/{user_id(session, 'org@example.org')}/active"

    post(admin, url)  # disabled
    post(admin, url)  # enabled again

    assert organiser.get("/staff").status_code == 302
    assert thief.get("/staff").status_code == 302
    assert post(app.test_client(), "/login", {"email": "org@example.org", "password": PASSWORD}).status_code == 302


def test_an_expired_session_opens_nothing(app, session):
    organiser = signed_in(app, session, "org@example.org")
    for row in session.exec(select(StaffSession)):
        row.expires_at = row.created_at
        session.add(row)
    session.commit()
    assert organiser.get("/staff").status_code == 302


def test_the_cookie_carries_only_a_random_id_kept_hashed_on_the_server(app, session):
    organiser = signed_in(app, session, "org@example.org")
    contents = app.session_interface.get_signing_serializer(app).loads(organiser.get_cookie("session").value)
    user = session.exec(select(User)).one()
    stored = session.exec(select(StaffSession)).one()

    assert set(contents) <= {"sid", "_permanent", "csrf_token"}
    assert "user_id" not in contents and "stamp" not in contents
    assert not any(user.password_hash[i:i + 8] in str(value) for value in contents.values()
                   for i in range(0, len(user.password_hash) - 8))
    assert len(contents["sid"]) >= 40 and contents["sid"] != stored.token_hash
    assert contents["sid"] not in stored.token_hash


def test_each_sign_in_gets_its_own_session(app, session):
    first = signed_in(app, session, "org@example.org")
    second = app.test_client()
    post(second, "/login", {"email": "org@example.org", "password": PASSWORD})
    assert first.get_cookie("session").value != second.get_cookie("session").value

    post(first, "/logout")

    assert first.get("/staff").status_code == 302
    assert second.get("/staff").status_code == 200


def test_the_admin_page_counts_the_browsers_signed_in(app, session):
    admin = signed_in(app, session, "admin@example.org", role="admin")
    signed_in(app, session, "org@example.org")
    page = admin.get(f"/admin/users/{user_id(session, 'org@example.org')}").data.decode()
    assert re.search(r"Browsers signed in now</dt><dd>1</dd>", page)
