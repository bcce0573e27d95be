"""Tables and JSON shapes: questionnaires, their immutable versions, submissions, quarantine."""

import datetime
import re

from sqlalchemy import JSON
from sqlalchemy import Column
from sqlalchemy import Computed
from sqlalchemy import Index
from sqlalchemy import UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import UTCDateTime

JSONType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class Form(SQLModel, table=True):
    """A questionnaire: which of its versions participants get now."""

    form_id: str = Field(primary_key=True, max_length=100)
    current_version: str = Field(max_length=40)
    file_hash: str | None = Field(default=None, max_length=64)
    updated_at: datetime.datetime = Field(default_factory=utcnow)


class FormVersion(SQLModel, table=True):
    """One published, immutable, self-contained questionnaire document (every language)."""

    __table_args__ = (UniqueConstraint("form_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    form_id: str = Field(foreign_key="form.form_id", index=True, max_length=100)
    version: str = Field(max_length=40)
    number: int
    definition: dict = Field(sa_column=Column(JSONType, nullable=False))
    created_at: datetime.datetime = Field(default_factory=utcnow)


class Submission(SQLModel, table=True):
    """One filled questionnaire; its UUID is made on the phone and never twice stored."""

    # The newest answers of a questionnaire, or of one workshop's, are read by walking one of
    # these indexes backwards; each also serves look-ups by its first column.
    __table_args__ = (Index("ix_submission_form_id_answered_at", "form_id", "answered_at", "id"),
                      Index("ix_submission_workshop_form_id_answered_at", "workshop", "form_id", "answered_at", "id"))

    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(unique=True, max_length=36)
    form_id: str = Field(max_length=100)
    form_version: str = Field(max_length=40)
    lang: str = Field(max_length=20)
    answers: dict = Field(sa_column=Column(JSONType, nullable=False))
    content_hash: str = Field(max_length=64)
    workshop: str | None = Field(default=None, max_length=100)
    source: str | None = Field(default=None, max_length=200)
    started_at: datetime.datetime | None = None
    submitted_at: datetime.datetime | None = None
    received_at: datetime.datetime = Field(default_factory=utcnow, index=True)
    # When it was sent, or received when the phone did not say; computed by the database.
    answered_at: datetime.datetime | None = Field(default=None, sa_column=Column(
        UTCDateTime(), Computed("coalesce(submitted_at, received_at)", persisted=True), nullable=True))


class SubmissionTally(SQLModel, table=True):
    """How many submissions each (questionnaire, version, workshop, language, UTC day) has.

    Kept up to date in the transaction that stores the submissions (see tallies.py), so the
    results page reads a few rows instead of every submission. No workshop is written ''.
    """

    form_id: str = Field(primary_key=True, max_length=100)
    form_version: str = Field(primary_key=True, max_length=40)
    workshop: str = Field(primary_key=True, max_length=100)
    lang: str = Field(primary_key=True, max_length=20)
    day: datetime.date = Field(primary_key=True)
    n: int


class AnswerTally(SQLModel, table=True):
    """How often a question got one value, per the same keys as SubmissionTally.

    kind: "a" marks a question answered at all (value ''), "n" a number, "s" another scalar
    (a code, a date, or an empty text), "m" one option picked in a multiple choice.
    """

    form_id: str = Field(primary_key=True, max_length=100)
    form_version: str = Field(primary_key=True, max_length=40)
    workshop: str = Field(primary_key=True, max_length=100)
    lang: str = Field(primary_key=True, max_length=20)
    day: datetime.date = Field(primary_key=True)
    question: str = Field(primary_key=True)
    kind: str = Field(primary_key=True, max_length=1)
    value: str = Field(primary_key=True, max_length=200)
    n: int


class QuarantinedRecord(SQLModel, table=True):
    """A record that could not be stored as sent, kept with its reasons so nothing is lost."""

    id: int | None = Field(default=None, primary_key=True)
    uuid: str | None = Field(default=None, index=True, max_length=200)
    status: str = Field(max_length=20)
    reasons: dict = Field(sa_column=Column(JSONType, nullable=False))
    payload: dict = Field(sa_column=Column(JSONType, nullable=False))
    payload_hash: str | None = Field(default=None, index=True, max_length=64)
    source: str | None = Field(default=None, max_length=200)
    received_at: datetime.datetime = Field(default_factory=utcnow)


UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def is_uuid(value) -> bool:
    """Tell whether a client sent a real UUID in its hyphenated form (the server never makes one up).

    The whole string must match: a trailing newline would otherwise pass, and be stored as another UUID.
    """
    return isinstance(value, str) and len(value) == 36 and UUID_RE.fullmatch(value) is not None


def canonical_uuid(value) -> str | None:
    """Return a UUID in the one form it is stored in (lower case, hyphenated), or None if it is not one."""
    return value.lower() if is_uuid(value) else None


class PushAck(SQLModel, table=True):
    """A submission that a destination server confirmed it holds (stored or kept aside there)."""

    __table_args__ = (UniqueConstraint("destination", "submission_id"),)

    id: int | None = Field(default=None, primary_key=True)
    destination: str = Field(max_length=500)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    status: str = Field(max_length=20)
    acknowledged_at: datetime.datetime = Field(default_factory=utcnow)


class User(SQLModel, table=True):
    """A staff account: admin, organiser or translator. Participants never have one."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, max_length=254)
    password_hash: str = Field(max_length=300)
    role: str = Field(max_length=20)
    active: bool = True
    created_at: datetime.datetime = Field(default_factory=utcnow)
    last_login_at: datetime.datetime | None = None


class LoginAttempt(SQLModel, table=True):
    """A failed login, counted per address and account to slow down password guessing."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, max_length=300)
    at: datetime.datetime = Field(default_factory=utcnow, index=True)


class StaffSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds only a random id whose hash is kept here, so
    signing out, a new password or a disabled account ends the session on the server."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime.datetime = Field(default_factory=utcnow)
    expires_at: datetime.datetime = Field(index=True)


class AuditEvent(SQLModel, table=True):
    """Who did what: logins, publishing, user and token changes, imports and exports."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime.datetime = Field(default_factory=utcnow, index=True)
    actor: str | None = Field(default=None, max_length=254)
    action: str = Field(max_length=50)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))


class Workshop(SQLModel, table=True):
    """An event whose participants answer questionnaires through its own link and QR code."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=16)
    title: str = Field(max_length=200)
    place: str = Field(default="", max_length=200)
    # The title and place in other languages ({"ps": ...}); `title` and `place` are the fallback.
    titles: dict = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False, server_default="{}"))
    places: dict = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False, server_default="{}"))
    start_date: datetime.date
    end_date: datetime.date
    form_ids: list = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    languages: list = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    created_by: int | None = Field(default=None, foreign_key="user.id", index=True)
    created_at: datetime.datetime = Field(default_factory=utcnow)
    closed_at: datetime.datetime | None = None

    def title_in(self, lang: str) -> str:
        """The title in a language: its own, else its base language's (fa for fa_AF), else the main one."""
        return _in_language(self.titles, lang) or self.title

    def place_in(self, lang: str) -> str:
        return _in_language(self.places, lang) or self.place


def _in_language(texts: dict | None, lang: str) -> str:
    texts = texts or {}
    return texts.get(lang) or texts.get(lang.split("_")[0]) or ""


class SyncToken(SQLModel, table=True):
    """A bearer token another server or a phone sends to POST /api/v1/sync; only its SHA-256 is kept."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, max_length=100)
    token_hash: str = Field(unique=True, max_length=64)
    created_by: str | None = Field(default=None, max_length=254)
    created_at: datetime.datetime = Field(default_factory=utcnow)
    last_used_at: datetime.datetime | None = None
    revoked_at: datetime.datetime | None = None


class FormDraft(SQLModel, table=True):
    """A questionnaire's working copy in the translation editor; participants never see it."""

    form_id: str = Field(primary_key=True, foreign_key="form.form_id", max_length=100)
    definition: dict = Field(sa_column=Column(JSONType, nullable=False))
    base_version: str = Field(max_length=40)
    updated_at: datetime.datetime = Field(default_factory=utcnow)


class TranslationEntry(SQLModel, table=True):
    """One text in one language: the source it was translated from, doubts, and its revision."""

    __table_args__ = (UniqueConstraint("form_id", "key", "lang"),)

    id: int | None = Field(default=None, primary_key=True)
    form_id: str = Field(index=True, max_length=100)
    key: str = Field(max_length=300)
    lang: str = Field(max_length=20)
    source_hash: str | None = Field(default=None, max_length=64)
    unsure: bool = False
    revision: int = 0
    updated_by: str | None = Field(default=None, max_length=254)
    updated_at: datetime.datetime = Field(default_factory=utcnow)


class QuarantineDecision(SQLModel, table=True):
    """What staff decided about a quarantined record; the record itself is never changed or deleted."""

    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="quarantinedrecord.id", unique=True)
    decision: str = Field(max_length=20)
    decided_by: str | None = Field(default=None, max_length=254)
    decided_at: datetime.datetime = Field(default_factory=utcnow)
    note: str = Field(default="", max_length=2000)
    submission_uuid: str | None = Field(default=None, max_length=36)


class AssessmentScore(SQLModel, table=True):
    """A submission to a knowledge check, scored when it was stored (see assessments/).

    phase is "pre", "post" or '' (not said); participant the short code that pairs a pre-test
    with a post-test ('' when none was given). questions holds {name: [points, maximum]} for
    the questions that counted ([points, maximum, instances, fully right] for one inside a
    repeat, see scoring.counts), so results never rescore answers.
    """

    __table_args__ = (Index("ix_assessmentscore_form_id_workshop", "form_id", "workshop", "participant"),)

    id: int | None = Field(default=None, primary_key=True)
    submission_uuid: str = Field(unique=True, max_length=36)
    form_id: str = Field(max_length=100)
    form_version: str = Field(max_length=40)
    workshop: str = Field(default="", max_length=100)
    lang: str = Field(max_length=20)
    phase: str = Field(default="", max_length=4)
    participant: str = Field(default="", max_length=16)
    points: float
    maximum: float
    passed: bool | None = None
    questions: dict = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    answered_at: datetime.datetime
