"""Staff sessions kept on the server, so that they can be ended there.

The cookie carries only a random id; the table keeps its SHA-256, never the id itself, so
a copy of the database opens no session. Signing out deletes the row; a new password or a
disabled account deletes every row of the account, so re-enabling it brings none back.
"""

import datetime
import hashlib
import secrets

from sqlmodel import Session
from sqlmodel import delete
from sqlmodel import select

from .models import StaffSession
from .models import User
from .models import utcnow


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(*, session: Session, user: User, lifetime: datetime.timedelta) -> str:
    """Open a session for a user who just signed in; return the id for the cookie."""
    now = utcnow()
    session.exec(delete(StaffSession).where(StaffSession.expires_at <= now))
    token = secrets.token_urlsafe(32)
    session.add(StaffSession(token_hash=_hash(token), user_id=user.id, created_at=now, expires_at=now + lifetime))
    return token


def user_of(*, session: Session, token: object) -> User | None:
    """Return the active account whose open session this cookie names, or None."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    return session.exec(
        select(User).join(StaffSession, StaffSession.user_id == User.id)
        .where(StaffSession.token_hash == _hash(token), StaffSession.expires_at > utcnow(), User.active)
    ).first()


def end(*, session: Session, token: object) -> None:
    """End the session this cookie names (signing out)."""
    if isinstance(token, str):
        session.exec(delete(StaffSession).where(StaffSession.token_hash == _hash(token)))


def end_all(*, session: Session, user: User) -> None:
    """End every session of an account: its password changed or it was disabled."""
    session.exec(delete(StaffSession).where(StaffSession.user_id == user.id))


def count_open(*, session: Session, user: User) -> int:
    """How many browsers are signed in to this account now."""
    return len(session.exec(select(StaffSession.id).where(
        StaffSession.user_id == user.id, StaffSession.expires_at > utcnow())).all())
