"""Slow down password guessing without letting a stranger lock staff out.

Failures are counted per account and client address (an IPv6 client's /64) together: guessing from one address
slows down only that address's tries at that account, and the right password from any other
address still signs in. Tries at accounts that do not exist are also counted per address,
which slows down only that address's tries at unknown accounts. After a few free failures
each further try must wait twice as long as the one before, up to an hour; failures are
forgotten after a day, at a successful sign-in, or when an admin unlocks the account.

Each try is written (and committed) before the password is checked, and counted after:
the k-th of many simultaneous tries sees at least k rows, so racing cannot get more
passwords checked than the limit allows. A try that must wait is taken back.
"""

import datetime
import ipaddress
import math

from sqlmodel import Session
from sqlmodel import delete
from sqlmodel import func
from sqlmodel import select

from .models import LoginAttempt
from .models import utcnow

FREE_FAILURES = 5
FREE_FAILURES_UNKNOWN = 20
FIRST_DELAY = datetime.timedelta(seconds=30)
LONGEST_DELAY = datetime.timedelta(hours=1)
MEMORY = datetime.timedelta(days=1)
KEY_LENGTH = 300


def _account_prefix(email: str) -> str:
    return f"pair:{email}|"


def _address(address: str | None) -> str:
    """Name the client for counting: one IPv6 subscriber holds a whole /64, so count the /64."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:  # from X-Forwarded-For behind a proxy: keep it to text any database can compare
        return "".join(ch for ch in address or "" if ch.isprintable()) or "-"
    if ip.version == 6 and ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def account_key(email: str, address: str | None) -> str:
    return (_account_prefix(email) + _address(address))[:KEY_LENGTH]


def unknown_key(address: str | None) -> str:
    return f"unknown:{_address(address)}"[:KEY_LENGTH]


def keys_for(email: str, address: str | None, *, known: bool) -> dict[str, int]:
    """The counters a try at this account from this address goes to, with their free failures."""
    keys = {account_key(email, address): FREE_FAILURES}
    if not known:
        keys[unknown_key(address)] = FREE_FAILURES_UNKNOWN
    return keys


def delay_after(failures: int, free: int) -> datetime.timedelta:
    """How long after the last failure the next try may come."""
    if failures < free:
        return datetime.timedelta(0)
    return min(FIRST_DELAY * 2 ** min(failures - free, 20), LONGEST_DELAY)


def reserve(*, session: Session, keys: dict[str, int]) -> int:
    """Count a try under each key; return 0 when its password may be checked, else the seconds to wait.

    The try stays counted as a failure until `succeeded` forgets it.
    """
    now = utcnow()
    session.exec(delete(LoginAttempt).where(LoginAttempt.at < now - MEMORY))
    attempts = [LoginAttempt(key=key, at=now) for key in keys]
    session.add_all(attempts)
    session.commit()
    wait = max(_wait(session, attempt, keys[attempt.key], now) for attempt in attempts)
    if wait:
        session.exec(delete(LoginAttempt).where(LoginAttempt.id.in_([a.id for a in attempts])))
    session.commit()  # on SQLite, hold no write lock while the slow password check runs
    return wait


def _wait(session: Session, attempt: LoginAttempt, free: int, now: datetime.datetime) -> int:
    earlier = session.exec(
        select(LoginAttempt.at).where(LoginAttempt.key == attempt.key, LoginAttempt.id != attempt.id,
                                      LoginAttempt.at >= now - MEMORY)
        .order_by(LoginAttempt.at.desc())
    ).all()
    ready_at = earlier[0] + delay_after(len(earlier), free) if earlier else now
    return max(math.ceil((ready_at - now).total_seconds()), 0)


def succeeded(*, session: Session, email: str, address: str | None) -> None:
    """Forget this address's failures at this account after the right password."""
    session.exec(delete(LoginAttempt).where(LoginAttempt.key == account_key(email, address)))


def recent_failures(*, session: Session, email: str) -> int:
    """Failed tries at this account in the last day, from every address."""
    return session.exec(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.key.startswith(_account_prefix(email), autoescape=True),
        LoginAttempt.at >= utcnow() - MEMORY)).one()


def unlock(*, session: Session, email: str) -> None:
    """Forget every failure at this account, from every address (an admin's decision)."""
    session.exec(delete(LoginAttempt).where(LoginAttempt.key.startswith(_account_prefix(email), autoescape=True)))
