"""Workshops as data: codes, creating, editing, closing, look-ups and the QR code of their link.

A workshop's code is its participants' link (/w/<code>) and the tag on every answer given
through it. It is made of characters nobody confuses when reading it off a projector.
"""

import datetime
import io
import secrets

import segno
from sqlmodel import Session
from sqlmodel import select

from .models import User
from .models import Workshop
from .models import utcnow

# No 0/O, 1/I/L or 5/S look-alikes: 29 characters, 8 of them give about 5e11 codes.
CODE_ALPHABET = "2346789ABCDEFGHJKMNPQRTUVWXYZ"
CODE_LENGTH = 8
UNKNOWN_WORKSHOP, WORKSHOP_CLOSED = "unknown_workshop", "workshop_closed"
EDITABLE = ("title", "place", "titles", "places", "start_date", "end_date", "form_ids", "languages")


def new_code(*, session: Session) -> str:
    """Return a random code that no workshop has yet."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if get_by_code(session=session, code=code) is None:
            return code


def normalise_code(code: str) -> str:
    """Read a code as typed: case and surrounding spaces do not matter."""
    return code.strip().upper()


def create_workshop(*, session: Session, created_by: User, **fields) -> Workshop:
    """Add a new open workshop with a fresh code to the session; the caller commits."""
    workshop = Workshop(code=new_code(session=session), created_by=created_by.id,
                        **{name: fields[name] for name in EDITABLE if name in fields})
    session.add(workshop)
    session.flush()
    return workshop


def update_workshop(*, session: Session, workshop: Workshop, **fields) -> list[str]:
    """Change a workshop's details (never its code); return the names of what changed."""
    changed = [name for name in EDITABLE if name in fields and getattr(workshop, name) != fields[name]]
    for name in changed:
        setattr(workshop, name, fields[name])
    session.add(workshop)
    return changed


def close_workshop(*, session: Session, workshop: Workshop, now: datetime.datetime | None = None) -> None:
    """Stop taking new answers; answers started before this moment still count when they arrive."""
    if workshop.closed_at is None:
        workshop.closed_at = now or utcnow()
        session.add(workshop)


def reopen_workshop(*, session: Session, workshop: Workshop) -> None:
    """Take answers again (a workshop closed by mistake, or one that goes on another day).

    Answers refused while it was closed stay in the quarantine, where an organiser can accept them.
    """
    if workshop.closed_at is not None:
        workshop.closed_at = None
        session.add(workshop)


def get_by_code(*, session: Session, code: str) -> Workshop | None:
    return session.exec(select(Workshop).where(Workshop.code == code)).first()


def visible_workshops(*, session: Session, user: User) -> list[Workshop]:
    """Return the workshops a staff member may see: admins all, organisers their own; newest first."""
    query = select(Workshop).order_by(Workshop.start_date.desc(), Workshop.id.desc())
    if user.role != "admin":
        query = query.where(Workshop.created_by == user.id)
    return list(session.exec(query))


def may_manage(user: User, workshop: Workshop) -> bool:
    return user.role == "admin" or workshop.created_by == user.id


def as_utc(moment: datetime.datetime) -> datetime.datetime:
    """Read a stored time as UTC: SQLite and `timestamp` columns give it back without an offset."""
    return moment.replace(tzinfo=datetime.UTC) if moment.tzinfo is None else moment


def refusal(workshop: Workshop | None, *, started_at: datetime.datetime | None) -> str | None:
    """Say why an answer tagged with this workshop (found by its code) cannot count, or None when it can.

    An answer counts when it was started before the workshop closed, however late it
    arrives (a phone may stay offline for days). Without a start (or submit) time it
    cannot be shown to be early, so a closed workshop refuses it. A code this server does
    not know (workshop None) is a workshop run on another server (a workshop laptop pushing
    here): the answer keeps its tag and counts.
    """
    if workshop is None or workshop.closed_at is None:
        return None
    if started_at is None or started_at >= as_utc(workshop.closed_at):
        return WORKSHOP_CLOSED
    return None


def qr_svg(url: str) -> bytes:
    """Draw the QR code of a link as a scalable SVG document (made here, no outside service)."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        buffer, kind="svg", scale=1, border=4, dark="#000", light="#fff", xmldecl=True, omitsize=True,
        svgclass="qr", lineclass=None,
    )
    return buffer.getvalue()
