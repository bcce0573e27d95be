"""Login throttling: guessing slows down one address at one account, never the account's owner elsewhere."""

import datetime
import re
import threading
import time

import pytest
from sqlmodel import Session
from sqlmodel import select

from survey_app import login_throttle
from survey_app import passwords
from survey_app.accounts import create_user
from survey_app.models import User

PASSWORD = "a long enough password"
WRONG = "not the password at all"
EMAIL = "org@example.org"


@pytest.fixture
def session(app):
    with Session(app.extensions["survey_engine"], expire_on_commit=False) as session:
        yield session


@pytest.fixture
def organiser(session):
    user = create_user(session=session, email=EMAIL, password=PASSWORD, role="organiser")
    session.commit()
    return user


def try_login(app, email=EMAIL, password=WRONG, address="10.0.0.1", headers=None):
    """One sign-in from a fresh browser at this client address."""
    return app.test_client().post("/login", data={"email": email, "password": password},
                                  environ_base={"REMOTE_ADDR": address}, headers=headers or {})


def fail(app, times, **kwargs):
    return [try_login(app, **kwargs).status_code for _ in range(times)]


def test_guessing_from_one_address_does_not_lock_out_the_owner_elsewhere(app, organiser):
    assert fail(app, login_throttle.FREE_FAILURES, address="10.0.0.10") == [401] * login_throttle.FREE_FAILURES
    refused = try_login(app, password=PASSWORD, address="10.0.0.10")
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 30
    assert "Please try again in 1 minute." in refused.data.decode()

    assert try_login(app, password=PASSWORD, address="10.0.0.11").status_code == 302


def test_failures_at_unknown_accounts_slow_down_only_that_address_at_unknown_accounts(app, organiser):
    for i in range(login_throttle.FREE_FAILURES_UNKNOWN):
        assert try_login(app, email=f"nobody{i}@example.org", address="10.0.0.20").status_code == 401
    assert try_login(app, email="nobody-else@example.org", address="10.0.0.20").status_code == 429

    assert try_login(app, email="nobody-else@example.org", address="10.0.0.21").status_code == 401
    assert try_login(app, password=PASSWORD, address="10.0.0.20").status_code == 302


def test_each_further_failure_waits_twice_as_long(app, organiser, monkeypatch):
    start = datetime.datetime(2026, 12, 6, 20, 0, tzinfo=datetime.UTC)
    clock = [start]
    monkeypatch.setattr(login_throttle, "utcnow", lambda: clock[0])

    def at(seconds):
        clock[0] = start + datetime.timedelta(seconds=seconds)
        return try_login(app).status_code

    assert fail(app, login_throttle.FREE_FAILURES) == [401] * login_throttle.FREE_FAILURES
    assert [at(29), at(31)] == [429, 401]  # 30 s after the fifth failure
    assert [at(31 + 59), at(31 + 61)] == [429, 401]  # then 60 s
    assert [at(92 + 119), at(92 + 121)] == [429, 401]  # then 120 s
    clock[0] = start + login_throttle.MEMORY + datetime.timedelta(seconds=300)
    assert fail(app, login_throttle.FREE_FAILURES) == [401] * login_throttle.FREE_FAILURES  # forgotten after a day


def test_delays_grow_up_to_an_hour():
    delays = [login_throttle.delay_after(n, 5).total_seconds() for n in range(4, 12)]
    assert delays == [0, 30, 60, 120, 240, 480, 960, 1920]
    assert login_throttle.delay_after(10_000, 5) == login_throttle.LONGEST_DELAY


def test_the_right_password_forgets_the_failures_of_that_address(app, organiser):
    fail(app, login_throttle.FREE_FAILURES - 1)
    assert try_login(app, password=PASSWORD).status_code == 302
    assert fail(app, login_throttle.FREE_FAILURES) == [401] * login_throttle.FREE_FAILURES


def test_simultaneous_guesses_cannot_get_more_passwords_checked_than_the_limit(app, organiser, monkeypatch):
    real_verify = passwords.verify

    def slow_verify(password_hash, password):
        time.sleep(0.3)  # every request is between counting and checking at once
        return real_verify(password_hash, password)

    monkeypatch.setattr(passwords, "verify", slow_verify)
    statuses, start = [], threading.Barrier(12)

    def guess():
        start.wait()
        statuses.append(try_login(app).status_code)

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Tries counted at the same moment may all wait (each sees the others); none slips past the limit.
    assert len(statuses) == 12 and set(statuses) <= {401, 429}
    assert statuses.count(401) <= login_throttle.FREE_FAILURES


def test_an_admin_can_let_a_locked_account_try_again(app, organiser, session):
    create_user(session=session, email="admin@example.org", password=PASSWORD, role="admin")
    session.commit()
    admin = app.test_client()
    assert admin.post("/login", data={"email": "admin@example.org", "password": PASSWORD}).status_code == 302
    fail(app, login_throttle.FREE_FAILURES + 1)
    assert try_login(app, password=PASSWORD).status_code == 429
    page = admin.get(f"/admin/users/{organiser.id}").data.decode()
    assert re.search(r"Failed sign-ins in the last day</dt><dd>5</dd>", page)

    assert admin.post(f"/admin/users/{organiser.id}/unlock").status_code == 302

    assert try_login(app, password=PASSWORD).status_code == 302
    assert "Failed sign-ins in the last day</dt><dd>0</dd>" in admin.get(f"/admin/users/{organiser.id}").data.decode()


def test_the_cli_can_let_a_locked_account_try_again(app, organiser, runner):
    fail(app, login_throttle.FREE_FAILURES)
    result = runner.invoke(args=["users", "unlock", "Org@Example.org"])
    assert result.exit_code == 0, result.output
    assert try_login(app, password=PASSWORD).status_code == 302


def test_unlocking_one_account_leaves_others_counted(app, organiser, session):
    create_user(session=session, email="org@example.org.evil", password=PASSWORD, role="organiser")
    session.commit()
    fail(app, login_throttle.FREE_FAILURES, email="org@example.org.evil")
    login_throttle.unlock(session=session, email=EMAIL)
    session.commit()
    assert try_login(app, email="org@example.org.evil").status_code == 429


def test_an_ipv6_client_cannot_escape_the_count_by_changing_address_within_its_64(app, organiser):
    for i in range(login_throttle.FREE_FAILURES):
        assert try_login(app, address=f"2001:db8:1:2::{i + 1:x}").status_code == 401
    assert try_login(app, address="2001:db8:1:2:ffff::9").status_code == 429
    assert try_login(app, password=PASSWORD, address="2001:db8:1:3::1").status_code == 302


@pytest.mark.parametrize(("address", "counted_as"), [
    ("10.1.2.3", "10.1.2.3"), ("::ffff:10.1.2.3", "10.1.2.3"), ("2001:DB8::1", "2001:db8::/64"),
    ("unknown\x00", "unknown"), (None, "-"),
])
def test_client_addresses_are_counted_in_one_form(address, counted_as):
    assert login_throttle.account_key("a@b.org", address) == f"pair:a@b.org|{counted_as}"


@pytest.mark.parametrize("hops", [0, 1])
def test_the_client_address_comes_from_the_configured_proxy_only(app_config, hops):
    """Behind one proxy its X-Forwarded-For names the client; without one the header is not believed."""
    from survey_app import create_app

    app = create_app({**app_config, "SURVEY_PROXY_HOPS": hops})
    with Session(app.extensions["survey_engine"]) as session:
        create_user(session=session, email=EMAIL, password=PASSWORD, role="organiser")
        session.commit()
    proxy = "10.9.9.9"
    for _ in range(login_throttle.FREE_FAILURES):
        try_login(app, address=proxy, headers={"X-Forwarded-For": "198.51.100.1"})
    answer = try_login(app, password=PASSWORD, address=proxy, headers={"X-Forwarded-For": "198.51.100.2"})
    # One proxy: another client behind it signs in. None: a forged header does not escape the count.
    assert answer.status_code == (302 if hops else 429)
    app.extensions["survey_engine"].dispose()


def test_sign_in_checks_a_password_even_for_an_unknown_account(app, organiser, monkeypatch):
    """The answer takes as long whether or not the account exists."""
    checked = []
    real = passwords.check_password_hash
    monkeypatch.setattr(passwords, "check_password_hash", lambda *args: checked.append(1) or real(*args))
    assert try_login(app, email="nobody@example.org").status_code == 401
    assert try_login(app).status_code == 401
    assert len(checked) == 2


def test_a_disabled_account_is_checked_as_slowly_and_refused(app, organiser, session, monkeypatch):
    user = session.exec(select(User)).one()
    user.active = False
    session.add(user)
    session.commit()
    checked = []
    real = passwords.check_password_hash
    monkeypatch.setattr(passwords, "check_password_hash", lambda *args: checked.append(1) or real(*args))
    assert try_login(app, password=PASSWORD).status_code == 401
    assert checked == [1]
