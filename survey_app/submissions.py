"""Store submissions so that resending is harmless and nothing sent is ever dropped.

Every record gets one of four outcomes: stored, duplicate (same UUID, same content),
conflict (same UUID, other content: kept aside) or rejected (kept aside with reasons).
The unique constraint on the UUID, not a look-up, is what prevents doubles.
"""

import datetime
import json
import math
from dataclasses import dataclass
from dataclasses import field
from functools import lru_cache

import orjson
from sqlalchemy import text
from sqlmodel import Session
from sqlmodel import select

from . import answer_files
from . import tallies
from .assessments import codes as assessment_codes
from .assessments import store as assessment_store
from .engine.expressions import iso_day
from .engine.validation import UNSTORABLE_CHARACTERS
from .engine.validation import checker
from .engine.validation import storable_text
from .forms_store import canonical_json
from .forms_store import content_hash
from .forms_store import stored_definition
from .forms_store import text_hash
from .models import QuarantinedRecord
from .models import Submission
from .models import canonical_uuid
from .models import utcnow
from .workshops import UNKNOWN_WORKSHOP
from .workshops import get_by_code as get_workshop
from .workshops import normalise_code
from .workshops import refusal as workshop_refusal

STORED, DUPLICATE, CONFLICT, REJECTED = "stored", "duplicate", "conflict", "rejected"
NOT_ACCEPTED = "not_accepted"  # kept aside by a sender: the server it was pushed to did not accept it
# Times a phone or server can truly have made: outside them a clock was wrong or a record was forged, and
# such dates are beyond what the Solar Hijri calendar pages can show (its years run from 622 to 9377 AD).
EARLIEST = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
LATEST = datetime.datetime(2200, 1, 1, tzinfo=datetime.UTC)
MAX_DEPTH = 32  # a record is an object of answers, each a value or a list: a few levels at most
# The key under which a record no database can hold as sent is kept: its JSON text, written in ASCII with
# every character that could not be stored escaped (\u0000, \ud800, Infinity), so it is all still there.
ESCAPED_JSON = "escaped_json"
_unstorable_character = UNSTORABLE_CHARACTERS.search


@dataclass(slots=True)
class RecordResult:
    uuid: str | None
    status: str
    errors: dict = field(default_factory=dict)
    warnings: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        found = {"uuid": self.uuid, "status": self.status, "errors": self.errors}
        if self.warnings:  # only when there is one, so that a usual result keeps its shape
            found["warnings"] = self.warnings
        return found


def parse_time(value) -> datetime.datetime | None:
    """Read an ISO 8601 time as UTC (a time without offset is taken as UTC); raise ValueError otherwise."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError("not a string")
    moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.UTC)
    if moment.tzinfo is datetime.UTC:  # "Z" or +00:00, as phones send it: nothing to convert
        return moment
    try:
        return moment.astimezone(datetime.UTC)
    except OverflowError as exc:  # 0001-01-01T00:00+01:00 is a moment before year 1 in UTC
        raise ValueError("outside the years 1 to 9999 in UTC") from exc


class Unreadable(str):
    """A record's text that could not be read as JSON (a file's line nested too deep, say), with the reason."""

    reason: str

    def __new__(cls, text: str, reason: str):
        made = super().__new__(cls, text)
        made.reason = reason
        return made


def unstorable(value, path: str = "record") -> str | None:
    """Say what in a parsed JSON value no database can store as sent, or None when everything can be.

    NUL and lone surrogates in any text or key, numbers beyond a double (1e400 is read as inf),
    and nesting deeper than MAX_DEPTH. Every record of every batch is checked, so the common case
    (nothing wrong) takes the quick walk; only a record found wanting is walked again to say where.
    """
    return None if _storable(value, 0) else _problem(value, path)


def _storable(value, depth: int) -> bool:
    """The quick walk (recursion is safe: it stops at MAX_DEPTH); strings, the most of any record, inline."""
    kind = type(value)
    if kind is dict:
        if depth >= MAX_DEPTH:
            return False
        for key, member in value.items():
            if type(key) is not str or not _text_storable(key):
                return False
            kind = type(member)
            if kind is str:
                if not _text_storable(member):
                    return False
            elif member is not None and kind is not int and kind is not bool and not _storable(member, depth + 1):
                return False
        return True
    if kind is str:
        return _text_storable(value)
    if kind is list:
        return depth < MAX_DEPTH and all(_storable(member, depth + 1) for member in value)
    if kind is float:
        return math.isfinite(value)
    return kind is int or kind is bool or value is None


def _text_storable(text: str) -> bool:
    if text.isascii():  # nearly every key and many answers: only NUL to look for
        return "\x00" not in text
    return _unstorable_character(text) is None


def _problem(value, path: str) -> str | None:
    """The slow walk, without recursion: what is wrong, and where."""
    pending = [(value, path, 0)]
    while pending:
        item, where, depth = pending.pop()
        if depth >= MAX_DEPTH and isinstance(item, (dict, list)):
            return f"{where}: nested more than {MAX_DEPTH} levels deep"
        if isinstance(item, str):
            if not storable_text(item):
                return f"{where}: holds U+0000 (NUL) or half of a surrogate pair, which cannot be stored as text"
        elif isinstance(item, float):
            if not math.isfinite(item):
                return f"{where}: a number beyond what can be stored (larger than about 1.8e308)"
        elif isinstance(item, dict):
            for key, member in item.items():
                if not isinstance(key, str) or not storable_text(key):
                    return f"{where}: a key holds U+0000 (NUL) or half of a surrogate pair"
                pending.append((member, f"{where}.{key[:40]}", depth + 1))
        elif isinstance(item, list):
            pending.extend((member, f"{where}[{index}]", depth + 1) for index, member in enumerate(item))
    return None


def escaped(value) -> dict:
    """Keep a value no database can hold as sent: its JSON text in ASCII, every character escaped."""
    if isinstance(value, Unreadable):  # the text as it came, not JSON: its odd characters escaped
        return {ESCAPED_JSON: value.encode("ascii", "backslashreplace").decode().replace("\x00", "\\x00")}
    try:
        return {ESCAPED_JSON: json.dumps(value, ensure_ascii=True, sort_keys=True)}
    except (ValueError, TypeError, RecursionError):
        return {ESCAPED_JSON: ascii(value) if not isinstance(value, (dict, list)) else "(nested too deep to keep)"}


def safe_text(value, limit: int) -> str | None:
    """A short text as it can be stored: itself when it can be, else its escaped spelling."""
    if value is None:
        return None
    text = value if isinstance(value, str) and storable_text(value) else ascii(value)
    return text[:limit]


def apply_record(*, session: Session, record, source: str | None, today=None) -> RecordResult:
    """Check and store one record in the session's transaction; the caller commits."""
    return store_records(session=session, records=[record], source=source, today=today)[0]


def store_records(*, session: Session, records: list, source: str | None, today=None,
                  plain: bool = False) -> list[RecordResult]:
    """Check every record, insert the new ones in one statement, and say what became of each.

    The insert skips UUIDs that exist (ON CONFLICT DO NOTHING) and returns those it wrote; the
    others are compared by content hash: the same content is a duplicate, other content a
    conflict kept aside. A UUID repeated inside one batch is stored once. `plain`: the reader already
    knows that every text can be stored and every number is finite (api.parse_batch), so the records
    are not walked value by value for what no database can hold.
    """
    looked_up = _LookUps(session)
    today = iso_day(today or datetime.date.today())  # one day for the whole batch
    prepared = [_prepare(record, today, looked_up, plain) for record in records]
    rows = [row for row, errors in prepared if not errors]
    # Photos first: a row is only ever stored once its files are on disk (kept once per content).
    answer_files.write({sha256: data for row in rows for sha256, data in row.pop("blobs", {}).items()})
    inserted = _insert_new(session, rows, source)
    # Only rows not written now are compared (duplicates and conflicts, and a UUID sent twice in
    # the batch): against what is stored, or what this batch has just written.
    hashes = {}
    if len(inserted) < len(rows):
        hashes = {row["uuid"]: row["content_hash"] for row in reversed(rows) if row["uuid"] in inserted}
        hashes.update(_stored_hashes(session, {row["uuid"] for row in rows} - inserted))
    results, claimed = [], set()
    for record, (row, errors) in zip(records, prepared, strict=True):
        sent_uuid = record.get("uuid") if isinstance(record, dict) else None
        if errors:
            results.append(_quarantine(session, record, source, REJECTED, errors))
        elif row["uuid"] in inserted and row["uuid"] not in claimed:
            claimed.add(row["uuid"])
            results.append(RecordResult(sent_uuid, STORED, {}, _warnings(row, looked_up)))
        elif hashes.get(row["uuid"]) == row["content_hash"]:
            results.append(RecordResult(sent_uuid, DUPLICATE))
        else:
            results.append(_quarantine(session, record, source, CONFLICT,
                                       {"uuid": "already stored with different answers; this copy is kept aside"}))
    tallies.add(session=session, rows=rows, inserted=inserted)  # same transaction: the counts commit with the rows
    assessment_store.add(session=session, rows=rows, inserted=inserted)  # knowledge checks: scored once, here
    return results


def _warnings(row: dict, looked_up: "_LookUps") -> dict:
    """What is worth a look in a stored record: a workshop code this server does not know.

    It is stored all the same (a workshop laptop's own workshops are unknown to the central
    server), and the quarantine page lists such codes.
    """
    if row["workshop"] and looked_up.workshop(row["workshop"]) is None:
        return {"workshop": UNKNOWN_WORKSHOP}
    return {}


class _LookUps:
    """What a batch's records name, each looked up once per batch: versions and workshops.

    Neither changes while the batch is checked (its transaction writes nothing until all are).
    """

    def __init__(self, session):
        self.session, self.versions, self.workshops = session, {}, {}
        self.file_questions, self.file_limit = {}, answer_files.max_bytes()

    def checker(self, form_id: str, version_id: str):
        """The version's compiled checker (validation.checker), or None for a version this server lacks."""
        if (form_id, version_id) not in self.versions:
            definition = stored_definition(session=self.session, form_id=form_id, version=version_id)
            self.versions[form_id, version_id] = None if definition is None else checker(definition)
            self.file_questions[form_id, version_id] = definition.file_questions if definition else ()
        return self.versions[form_id, version_id]

    def workshop(self, code: str):
        if code not in self.workshops:
            self.workshops[code] = get_workshop(session=self.session, code=code)
        return self.workshops[code]


def _prepare(record, today: str, looked_up: _LookUps, plain: bool = False) -> tuple[dict, dict]:
    """Validate a raw record and return the row to insert, or the reasons it cannot be (today: YYYY-MM-DD)."""
    if isinstance(record, Unreadable):
        return {}, {"record": record.reason}
    if not isinstance(record, dict):
        return {}, {"record": "must be a JSON object"}
    # First, so that nothing below (look-ups, reasons quoting the record) meets text a database refuses.
    if not plain and (problem := unstorable(record)):
        return {}, {"record": problem}
    errors = {}
    uuid = canonical_uuid(record.get("uuid"))
    if uuid is None:
        errors["uuid"] = "missing or not a UUID (36 characters, hyphenated, nothing around it)"
    times = {}
    for key in ("started_at", "submitted_at"):
        try:
            times[key] = parse_time(record.get(key))
        except (ValueError, TypeError):
            errors[key] = "not an ISO 8601 time"
            continue
        if times[key] is not None and not EARLIEST <= times[key] < LATEST:
            del times[key]
            errors[key] = f"outside the plausible years {EARLIEST.year} to {LATEST.year - 1}"
    lang = record.get("lang")
    if not isinstance(lang, str) or not 0 < len(lang) <= 20:
        errors["lang"] = "missing or not a language code"
    workshop = record.get("workshop")
    if workshop is not None and (not isinstance(workshop, str) or len(workshop) > 100):
        errors["workshop"] = "must be a short string or null"
    elif workshop and "started_at" in times and "submitted_at" in times:
        # Codes are read whatever their case (a lower-case copy of a closed workshop's code is that
        # workshop); a tag this server does not know names a workshop elsewhere and is kept as sent.
        known = looked_up.workshop(normalise_code(workshop))
        workshop = known.code if known is not None else workshop
        started = times["started_at"] or times["submitted_at"]
        if reason := workshop_refusal(known, started_at=started):
            errors["workshop"] = reason
    errors.update(assessment_codes.metadata_errors(record))
    answers = record.get("answers")
    if not isinstance(answers, dict):
        errors["answers"] = "must be a JSON object"
    form_id, version_id = record.get("form_id"), record.get("form_version")
    check = None
    if not isinstance(form_id, str) or not isinstance(version_id, str):
        errors["form"] = "form_id and form_version must be strings"
    else:
        check = looked_up.checker(form_id, version_id)
        if check is None:
            errors["form"] = f"unknown form or version: {form_id} {version_id}"
    if errors:
        return {}, errors
    outcome = check(answers, today)
    if not outcome.ok:
        return {}, {name: error.code for name, error in outcome.errors.items()}
    kept, blobs = outcome.answers, {}
    if questions := looked_up.file_questions[form_id, version_id]:
        files, blobs, errors = answer_files.check(record, kept, questions, looked_up.file_limit)
        if errors:
            return {}, errors
        kept = {**kept, answer_files.FILES_KEY: files} if files else kept
    answers_json = canonical_json(kept)
    return {
        "uuid": uuid, "form_id": form_id, "form_version": version_id, "lang": lang, "blobs": blobs,
        "answers": kept, "answers_json": answers_json, "workshop": workshop, **times,
        "hidden": outcome.hidden, **assessment_codes.metadata(record),  # for scoring (assessments/store.py)
        # content_hash([form_id, version_id, answers]), reusing the answers' text the insert stores
        "content_hash": text_hash(f"{_hash_prefix(form_id, version_id)}{answers_json}]"),
    }, {}


@lru_cache(maxsize=256)
def _hash_prefix(form_id: str, version_id: str) -> str:
    return f"[{canonical_json(form_id)},{canonical_json(version_id)},"


def _insert_new(session: Session, rows: list[dict], source) -> set[str]:
    """Insert rows whose UUID is not stored yet, in one statement; return the UUIDs written."""
    if not rows:
        return set()
    received = utcnow()
    if session.get_bind().dialect.name == "postgresql":
        # orjson writes the times as RFC 3339 with their offset, as json_to_recordset reads them.
        batch = orjson.dumps([{name: row[name] for name in _ROW_COLUMNS} for row in rows]).decode()
        result = session.execute(_POSTGRESQL_INSERT, {"batch": batch, "source": source, "received_at": received})
        return set(result.scalars())
    return _insert_sqlite(session.connection(), rows, source, received)


def _insert_sqlite(connection, rows: list[dict], source, received) -> set[str]:
    """Insert with multi-row VALUES, handing the driver its parameters directly.

    Times are written as text the way the column type writes them (see sqlite_time); the answers
    arrive as JSON text already. Skipping the per-row parameter handling of an ORM statement
    halves the insert's cost.
    """
    received = sqlite_time(received)
    per_statement = connection.dialect.insertmanyvalues_max_parameters // (len(_ROW_COLUMNS) + 2)
    inserted = set()
    for first in range(0, len(rows), per_statement):
        chunk = rows[first:first + per_statement]
        params = []
        for row in chunk:
            params += (row["uuid"], row["form_id"], row["form_version"], row["lang"], row["answers_json"],
                       row["content_hash"], row["workshop"], sqlite_time(row["started_at"]),
                       sqlite_time(row["submitted_at"]), source, received)
        sql = f"{_SQLITE_INSERT} VALUES {','.join([_SQLITE_ROW] * len(chunk))} {_SQLITE_ON_CONFLICT}"
        # The driver's own cursor, in the session's transaction: its rows are plain tuples.
        cursor = connection.connection.cursor()
        try:
            cursor.execute(sql, params)
            inserted.update(uuid for (uuid,) in cursor)
        finally:
            cursor.close()
    return inserted


def sqlite_time(moment: datetime.datetime | None) -> str | None:
    """An aware time as the columns' type (UTCDateTime) writes it into SQLite: UTC, no offset, microseconds.

    The same text as the type's own converter ('2026-11-20 09:05:00.000000'), at a third of its cost.
    """
    if moment is None:
        return None
    if moment.tzinfo is not datetime.UTC:
        moment = moment.astimezone(datetime.UTC)
    return f"{moment.date().isoformat()} {moment.time().isoformat('microseconds')}"


_ROW_COLUMNS = ("uuid", "form_id", "form_version", "lang", "answers_json", "content_hash", "workshop",
                "started_at", "submitted_at")
_SQLITE_INSERT = ("INSERT INTO submission (uuid, form_id, form_version, lang, answers, content_hash, workshop, "
                  "started_at, submitted_at, source, received_at)")
_SQLITE_ROW = "(?,?,?,?,?,?,?,?,?,?,?)"
_SQLITE_ON_CONFLICT = "ON CONFLICT (uuid) DO NOTHING RETURNING uuid"
# PostgreSQL gets the whole batch as one JSON document: a short statement whatever the batch size,
# where a VALUES list of a thousand rows, or one array per column, costs the driver more to prepare
# than the database spends inserting.
_POSTGRESQL_INSERT = text("""
    INSERT INTO submission (uuid, form_id, form_version, lang, answers, content_hash, workshop,
                            started_at, submitted_at, source, received_at)
    SELECT uuid, form_id, form_version, lang, answers_json::jsonb, content_hash, workshop,
           started_at, submitted_at, :source, :received_at
    FROM json_to_recordset(CAST(:batch AS json))
         AS batch(uuid text, form_id text, form_version text, lang text, answers_json text, content_hash text,
                  workshop text, started_at timestamptz, submitted_at timestamptz)
    ON CONFLICT (uuid) DO NOTHING
    RETURNING uuid
""")


def _stored_hashes(session: Session, uuids: set[str]) -> dict[str, str]:
    if not uuids:
        return {}
    statement = select(Submission.uuid, Submission.content_hash).where(Submission.uuid.in_(uuids))
    return dict(session.exec(statement).all())


def keep_aside(*, session: Session, record, source: str | None, status: str, reasons: dict) -> RecordResult:
    """Keep a record in this server's quarantine with its reasons (the same record twice is kept once)."""
    return _quarantine(session, record, source, status, reasons)


def _quarantine(session, record, source, status, reasons) -> RecordResult:
    """Keep a record aside with its reasons; the same record resent is kept once."""
    uuid = record.get("uuid") if isinstance(record, dict) else None
    payload = record if isinstance(record, dict) else {"value": record}
    if isinstance(record, Unreadable) or unstorable(payload) is not None:
        payload = escaped(record)
    if unstorable(reasons) is not None:  # reasons quoting what another server answered, say
        reasons = {"reasons": escaped(reasons)[ESCAPED_JSON]}
    payload_hash = content_hash([status, payload])
    seen = session.exec(select(QuarantinedRecord.id).where(
        QuarantinedRecord.payload_hash == payload_hash, QuarantinedRecord.status == status)).first()
    if seen is None:
        session.add(QuarantinedRecord(uuid=safe_text(uuid, 200) if uuid else None, status=status,
                                      reasons=reasons, payload=payload, payload_hash=payload_hash,
                                      source=safe_text(source, 200)))
        session.flush()
    return RecordResult(uuid if isinstance(uuid, str) else None, status, reasons)


def apply_batch(*, session: Session, records: list, source: str | None, today=None,
                plain: bool = False) -> list[RecordResult]:
    """Store a batch record by record and commit once; results are only true after the commit.

    One bad record never fails the others: each gets its own result, and whatever cannot
    be stored as sent is kept in quarantine inside the same transaction.
    """
    results = store_records(session=session, records=records, source=source, today=today, plain=plain)
    session.commit()
    return results
