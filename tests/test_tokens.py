"""Sync tokens: made and revoked from the CLI, stored hashed, accepted by POST /api/v1/sync."""

import hashlib

import pytest
from sqlmodel import Session
from sqlmodel import select

from survey_app.models import AuditEvent
from survey_app.models import SyncToken

CONFIGURED = "a-token-from-the-environment"
BATCH = {"source": "central-office", "submissions": []}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "SURVEY_ANONYMOUS_SYNC": False, "SURVEY_SYNC_TOKENS": [CONFIGURED]}


@pytest.fixture
def session(app):
    with Session(app.extensions["survey_engine"], expire_on_commit=False) as session:
        yield session


def fresh(session, model):
    """Read a table as it is now, then end the transaction so the app can write."""
    rows = list(session.exec(select(model).execution_options(populate_existing=True)))
    session.commit()
    return rows


def make_token(runner, name="central") -> str:
    result = runner.invoke(args=["tokens", "create", name])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def sync(client, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.post("/api/v1/sync", json=BATCH, headers=headers)


def test_cli_prints_a_new_token_once_and_stores_only_its_hash(runner, session):
    secret = make_token(runner)
    assert len(secret) >= 43
    token = fresh(session, SyncToken)[0]
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(token.model_dump())
    listing = runner.invoke(args=["tokens", "list"]).output
    assert "central" in listing and "never used" in listing and secret not in listing


def test_each_token_is_different(runner):
    assert make_token(runner, "one") != make_token(runner, "two")


def test_a_name_is_reused_only_once_its_token_is_revoked(runner):
    make_token(runner)
    again = runner.invoke(args=["tokens", "create", "central"])
    assert again.exit_code != 0 and "exists already" in again.output
    assert runner.invoke(args=["tokens", "revoke", "central"]).exit_code == 0
    make_token(runner)


def test_revoking_an_unknown_name_fails(runner):
    result = runner.invoke(args=["tokens", "revoke", "nobody"])
    assert result.exit_code != 0 and "no active token" in result.output


def test_cli_changes_are_audited(runner, session):
    make_token(runner)
    runner.invoke(args=["tokens", "revoke", "central"])
    events = fresh(session, AuditEvent)
    assert [(e.actor, e.action, e.detail) for e in events] == [
        ("cli", "token_created", {"name": "central"}), ("cli", "token_revoked", {"name": "central"})]


def test_a_made_token_lets_a_server_sync_until_it_is_revoked(client, runner, session):
    secret = make_token(runner)
    assert sync(client).status_code == 401
    assert fresh(session, SyncToken)[0].last_used_at is None
    response = sync(client, secret)
    assert response.status_code == 200 and response.get_json() == {"results": []}
    assert fresh(session, SyncToken)[0].last_used_at is not None
    runner.invoke(args=["tokens", "revoke", "central"])
    refused = sync(client, secret)
    assert refused.status_code == 401 and refused.get_json()["error"] == "bad_token"


def test_configured_tokens_keep_working(client, runner):
    make_token(runner)
    assert sync(client, CONFIGURED).status_code == 200


@pytest.mark.parametrize("offered", ["", "not-a-token", hashlib.sha256(b"x").hexdigest()])
def test_unknown_tokens_and_hashes_are_refused(client, runner, session, offered):
    make_token(runner)
    assert sync(client, offered).status_code == 401
    assert fresh(session, SyncToken)[0].last_used_at is None


def test_the_stored_hash_is_not_itself_a_token(client, runner, session):
    make_token(runner)
    stored_hash = fresh(session, SyncToken)[0].token_hash
    assert sync(client, stored_hash).status_code == 401
