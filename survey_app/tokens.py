"""Sync tokens: bearer tokens that let another server or a phone POST to /api/v1/sync.

Only a SHA-256 hash of each token is stored. A token is 32 random bytes, so nobody can
guess it and a slow password hash (scrypt) would add nothing but a delay on every sync;
a plain hash still means a copy of the database does not reveal working tokens.
The `tokens` CLI does what the admin pages do, for servers without a browser.
"""

import hashlib
import secrets

import click
from flask.cli import AppGroup
from sqlmodel import Session
from sqlmodel import select

from .db import get_engine
from .models import AuditEvent
from .models import SyncToken
from .models import utcnow

TOKEN_BYTES = 32
NAME_MAX_LENGTH = 100


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(*, session: Session, name: str, created_by: str | None) -> tuple[SyncToken, str]:
    """Add a token to the session and return it with its only readable copy; the caller commits.

    Raise ValueError for an empty or long name, or one an active token already has.
    """
    name = name.strip()
    if not 0 < len(name) <= NAME_MAX_LENGTH:
        raise ValueError(f"the name must have 1 to {NAME_MAX_LENGTH} characters")
    if active_token(session=session, name=name) is not None:
        raise ValueError(f"an active token named {name} exists already")
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    token = SyncToken(name=name, token_hash=hash_token(secret), created_by=created_by)
    session.add(token)
    session.flush()
    return token, secret


def active_token(*, session: Session, name: str) -> SyncToken | None:
    query = select(SyncToken).where(SyncToken.name == name.strip(), SyncToken.revoked_at.is_(None))
    return session.exec(query).first()


def list_tokens(*, session: Session) -> list[SyncToken]:
    """Return every token, active ones first, newest first."""
    query = select(SyncToken).order_by(SyncToken.revoked_at.is_not(None), SyncToken.created_at.desc())
    return list(session.exec(query))


def revoke_token(*, session: Session, token: SyncToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)


def use_token(*, session: Session, secret: str) -> SyncToken | None:
    """Return the active token with this secret and note when it was used (committed here), else None.

    The look-up is by hash, so there is no secret to compare character by character.
    """
    if not secret:
        return None
    query = select(SyncToken).where(SyncToken.token_hash == hash_token(secret), SyncToken.revoked_at.is_(None))
    token = session.exec(query).first()
    if token is not None:
        token.last_used_at = utcnow()
        session.add(token)
        session.commit()
    return token


tokens_cli = AppGroup("tokens", help="Manage the tokens other servers use to send submissions here.")


@tokens_cli.command("create")
@click.argument("name")
def create_token_command(name):
    """Make a sync token and print it; it is shown this once only."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            token, secret = create_token(session=session, name=name, created_by="cli")
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        session.add(AuditEvent(actor="cli", action="token_created", detail={"name": token.name}))
        session.commit()
    click.echo(f"created sync token {token.name}; copy it now, it is not shown again:")
    click.echo(secret)


@tokens_cli.command("list")
def list_tokens_command():
    """List sync tokens (never the tokens themselves): name, created, last used, state."""
    with Session(get_engine()) as session:
        for token in list_tokens(session=session):
            used = token.last_used_at.isoformat(timespec="seconds") if token.last_used_at else "never used"
            state = "revoked" if token.revoked_at else "active"
            click.echo(f"{token.name}\t{token.created_at.isoformat(timespec='seconds')}\t{used}\t{state}")


@tokens_cli.command("revoke")
@click.argument("name")
def revoke_token_command(name):
    """Revoke the active sync token with this name; servers using it are refused from now on."""
    with Session(get_engine()) as session:
        token = active_token(session=session, name=name)
        if token is None:
            raise click.ClickException(f"no active token named {name}")
        revoke_token(session=session, token=token)
        session.add(AuditEvent(actor="cli", action="token_revoked", detail={"name": token.name}))
        session.commit()
    click.echo(f"revoked {name}")


def init_app(app) -> None:
    app.cli.add_command(tokens_cli)
