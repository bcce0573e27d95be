"""Send submissions to another server and fetch its questionnaires, over the sync API.

A submission counts as delivered to a destination only once that server has answered
200 for its batch (any of stored, duplicate, conflict, rejected: it holds the record).
Until then it is sent again on the next push, which is harmless because the receiver
deduplicates by UUID. Plain Python and the standard library's HTTP client: no Flask.
"""

import datetime
import functools
import gzip
import http.client
import json
import os
import random
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session
from sqlmodel import select

from . import answer_files
from .engine.loader import DefinitionError
from .engine.loader import load_dict
from .forms_store import LoadReport
from .forms_store import get_version
from .forms_store import publish
from .models import AssessmentScore
from .models import PushAck
from .models import Submission
from .submissions import CONFLICT
from .submissions import DUPLICATE
from .submissions import NOT_ACCEPTED
from .submissions import REJECTED
from .submissions import STORED
from .submissions import keep_aside
from .sync_media import MediaError
from .sync_media import pull_files

STATUSES = (STORED, DUPLICATE, CONFLICT, REJECTED)
REFUSED = "refused"  # a record the destination refused outright (an older server, or one it could not read)
RECORD_COLUMNS = (Submission.id, Submission.uuid, Submission.form_id, Submission.form_version, Submission.lang,
                  Submission.started_at, Submission.submitted_at, Submission.workshop, Submission.answers)
USER_AGENT = "survey-app-sync/1"
# A batch's attachments (base64) beyond this are sent in smaller batches: the destination takes 8 MiB
# per request, and pictures hardly shrink under gzip.
BATCH_BYTES = 6 * 1024 * 1024


class SyncError(Exception):
    """A failure that trying again will not fix (or that was tried often enough)."""


class TransientError(Exception):
    """A failure worth trying again: network trouble, a timeout, a 5xx answer."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class TooLarge(Exception):
    """The destination refused the batch as too large (413)."""


class Refused(Exception):
    """The destination refused the batch for what it holds (400, 422): some record in it, when alone, is the cause.

    An older server refuses a whole batch for one record it cannot read; sent alone, that record is
    refused again, and the others are taken.
    """


def server_id(instance_path, environ=None) -> str:
    """Return this server's stable source id: SURVEY_SERVER_ID, or a random one kept in the instance folder."""
    environ = os.environ if environ is None else environ
    if environ.get("SURVEY_SERVER_ID", "").strip():
        return environ["SURVEY_SERVER_ID"].strip()
    path = Path(instance_path) / "server_id"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".server_id.{uuid.uuid4().hex}")
        draft.write_text(f"server-{uuid.uuid4()}\n")
        try:
            os.link(draft, path)  # appears whole or not at all; the first of two racing processes wins
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def normalise_url(url: str) -> str:
    """Return a server's base address in one spelling, so the same server is one destination."""
    parts = urllib.parse.urlsplit(url.strip())
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if scheme not in ("http", "https") or not host:
        raise ValueError(f"not an http(s) address: {url!r}")
    netloc = f"[{host}]" if ":" in host else host
    if parts.port and parts.port != {"http": 80, "https": 443}[scheme]:
        netloc += f":{parts.port}"
    return urllib.parse.urlunsplit((scheme, netloc, parts.path.rstrip("/"), "", ""))


def _iso(moment: datetime.datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # stored as UTC; SQLite gives it back without an offset
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def record_of(row) -> dict:
    """Return a stored submission in the sync API's record shape."""
    record = {"uuid": row.uuid, "form_id": row.form_id, "form_version": row.form_version, "lang": row.lang,
              "started_at": _iso(row.started_at), "submitted_at": _iso(row.submitted_at),
              "workshop": row.workshop, "answers": row.answers}
    # A knowledge check's phase and participant code (kept with its score) travel on, so the
    # central server pairs the tests too; other records keep their usual shape.
    for key in ("phase", "participant"):
        if getattr(row, key, None):
            record[key] = getattr(row, key)
    if answer_files.FILES_KEY in row.answers:  # photos travel with their answers, read from this server's disk
        record["attachments"] = answer_files.attachments_of(row.answers)
    return record


def _weight(rows: list) -> int:
    """The bytes the rows' files take in a request (base64), from the sizes their answers record."""
    return sum((int(meta.get("size", 0)) + 2) // 3 * 4 for row in rows
               for meta in answer_files.files_of(row.answers).values())


def _selected(statement, destination: str | None, only_unacknowledged: bool):
    """Keep the submissions not acknowledged by the destination (by any destination when None)."""
    if not only_unacknowledged:
        return statement
    acks = select(PushAck.id).where(PushAck.submission_id == Submission.id)
    if destination is not None:
        acks = acks.where(PushAck.destination == destination)
    return statement.where(~acks.exists())


def count_submissions(session: Session, *, destination: str | None = None, only_unacknowledged: bool = True) -> int:
    """Count the submissions a push or export would send."""
    statement = _selected(select(func.count(Submission.id)), destination, only_unacknowledged)
    return session.exec(statement).one()


def submission_page(session: Session, *, after_id: int, limit: int, destination: str | None = None,
                    only_unacknowledged: bool = True) -> list:
    """Return the next rows after an id, oldest first; rows, not objects, so nothing piles up in the session."""
    statement = (select(*RECORD_COLUMNS, AssessmentScore.phase, AssessmentScore.participant)
                 .outerjoin(AssessmentScore, AssessmentScore.submission_uuid == Submission.uuid)
                 .where(Submission.id > after_id).order_by(Submission.id).limit(limit))
    return list(session.exec(_selected(statement, destination, only_unacknowledged)))


def iter_records(session: Session, *, destination: str | None = None, only_unacknowledged: bool = True,
                 page_size: int = 500) -> Iterator[dict]:
    """Yield submissions as sync records, read from the database a page at a time."""
    after = 0
    while rows := submission_page(session, after_id=after, limit=page_size, destination=destination,
                                  only_unacknowledged=only_unacknowledged):
        yield from (record_of(row) for row in rows)
        after = rows[-1].id


@dataclass
class RetryPolicy:
    """How often and how patiently to try again: exponential backoff with jitter, capped."""

    attempts: int = 6
    first_delay: float = 1.0
    max_delay: float = 60.0
    sleep: Callable[[float], None] = time.sleep

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Return the wait after a failed attempt (1 for the first), between half and all of the backoff."""
        backoff = min(self.max_delay, self.first_delay * 2 ** (attempt - 1))
        wait = random.uniform(backoff / 2, backoff)
        return min(self.max_delay, max(wait, retry_after or 0))


def with_retries(call: Callable, policy: RetryPolicy, on_retry: Callable | None = None):
    """Call until it succeeds, waiting between TransientErrors; SyncError after the last attempt."""
    for attempt in range(1, policy.attempts + 1):
        try:
            return call()
        except TransientError as exc:
            if attempt == policy.attempts:
                raise SyncError(f"gave up after {attempt} attempts: {exc}") from exc
            wait = policy.delay(attempt, exc.retry_after)
            if on_retry:
                on_retry(exc, wait, attempt, policy.attempts)
            policy.sleep(wait)
    raise SyncError("no attempt made")  # only when attempts < 1


def _request(url: str, *, token: str | None, timeout: float, body: bytes | None = None):
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    if body is not None:
        headers.update({"Content-Type": "application/json", "Content-Encoding": "gzip"})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    method = "POST" if body is not None else "GET"
    # Every address here went through normalise_url, which allows http(s) only.
    request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            raw = response.read()
    except urllib.error.HTTPError as exc:
        raise _http_failure(url, exc) from exc
    except (OSError, http.client.HTTPException) as exc:
        raise TransientError(f"{type(exc).__name__}: {exc}") from exc
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise SyncError(f"{url} answered 200 but not with JSON; is this the survey server's address?") from exc


def _http_failure(url: str, exc: urllib.error.HTTPError) -> Exception:
    """Turn an HTTP error answer into the exception that says what to do next."""
    try:
        exc.refusal = json.loads(exc.read())
        message = exc.refusal.get("message") or exc.reason
    except (ValueError, AttributeError, OSError, http.client.HTTPException):
        message = exc.reason
    status = exc.code
    if status in (401, 403):
        return SyncError(f"{url} refused the token ({status}): {str(message).rstrip('.')}. Check --token.")
    if status == 413:
        return TooLarge(message)
    if status in (408, 429) or status >= 500:
        retry_after = exc.headers.get("Retry-After", "") if exc.headers else ""
        return TransientError(f"{status} {message}", float(retry_after) if retry_after.isdigit() else None)
    if status == 404:
        return SyncError(f"{url} not found (404): is this the survey server's address?")
    if status in (400, 422) and _about_records(exc):
        return Refused(f"{url} refused the request ({status}): {message}")
    return SyncError(f"{url} refused the request ({status}): {message}")


def _about_records(exc: urllib.error.HTTPError) -> bool:
    """Tell a refusal of what the records hold from one of the request itself (its source, its gzip)."""
    body = getattr(exc, "refusal", None) or {}
    return not (body.get("error") in ("bad_gzip", "unsupported_encoding") or body.get("field") == "source")


def send_batch(endpoint: str, *, source: str, records: list[dict], token: str | None, timeout: float) -> list[dict]:
    """POST one gzip batch and return its per-record results, checked against what was sent."""
    body = gzip.compress(json.dumps({"source": source, "submissions": records}).encode("utf-8"), compresslevel=6)
    answer = _request(endpoint, token=token, timeout=timeout, body=body)
    results = answer.get("results") if isinstance(answer, dict) else None
    if not isinstance(results, list) or len(results) != len(records):
        raise SyncError(f"{endpoint} answered without one result per record")
    for record, result in zip(records, results, strict=True):
        if (not isinstance(result, dict) or str(result.get("uuid")).lower() != record["uuid"].lower()
                or result.get("status") not in STATUSES):
            raise SyncError(f"{endpoint} answered with a result that does not match record {record['uuid']}")
    return results


def acknowledge(session: Session, *, destination: str, rows: list, results: list[dict]) -> None:
    """Remember that the destination holds these submissions, and commit."""
    values = [{"destination": destination, "submission_id": row.id, "status": result["status"]}
              for row, result in zip(rows, results, strict=True)]
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    # A concurrent push to the same destination may have acknowledged some already.
    session.exec(insert(PushAck).values(values).on_conflict_do_nothing(
        index_elements=["destination", "submission_id"]))
    session.commit()


def keep_aside_here(session: Session, *, destination: str, rows: list, results: list[dict]) -> None:
    """Keep in this server's quarantine what the destination did not accept, with its reasons, and commit.

    The destination holds it too (in its own quarantine) when it answered `rejected`; a record it
    refused outright (`refused`) is only here. Either way it is acknowledged, so the push goes on.
    """
    for row, result in zip(rows, results, strict=True):
        if result["status"] in (REJECTED, REFUSED):
            reasons = {"delivery": {"destination": destination, "status": result["status"],
                                    "reasons": result.get("errors") or {}}}
            keep_aside(session=session, record=record_of(row), source=destination, status=NOT_ACCEPTED,
                       reasons=reasons)
    acknowledge(session, destination=destination, rows=rows, results=results)


@dataclass
class PushReport:
    destination: str
    pending: int = 0
    counts: Counter = field(default_factory=Counter)
    batch_size: int = 0
    error: str | None = None

    @property
    def acknowledged(self) -> int:
        return sum(self.counts.values())


@dataclass
class _Push:
    """One push under way: where to, how, and what became of each batch."""

    session: Session
    endpoint: str
    source: str
    token: str | None
    timeout: float
    policy: RetryPolicy
    on_retry: Callable | None
    report: PushReport

    def deliver(self, rows: list) -> None:
        """Send rows and acknowledge them; a refused batch is halved until the record that is refused is alone.

        Raises SyncError (the push stops: a wrong token, an address that is not a survey server,
        a server down for longer than the retries) and TooLarge (send smaller batches).
        """
        if len(rows) > 1 and _weight(rows) > BATCH_BYTES:  # photos: a few records fill a request
            half = len(rows) // 2
            self.deliver(rows[:half])
            self.deliver(rows[half:])
            return
        records = [record_of(row) for row in rows]  # the files are read from disk only now
        call = functools.partial(send_batch, self.endpoint, source=self.source,
                                 records=records, token=self.token, timeout=self.timeout)
        try:
            results = with_retries(call, self.policy, self.on_retry)
        except (Refused, TooLarge) as exc:
            if len(rows) > 1 and isinstance(exc, Refused):
                half = len(rows) // 2
                self.deliver(rows[:half])
                self.deliver(rows[half:])
                return
            if len(rows) > 1:
                raise
            results = [{"uuid": rows[0].uuid, "status": REFUSED, "errors": {"request": str(exc)[:1000]}}]
        keep_aside_here(self.session, destination=self.report.destination, rows=rows, results=results)
        self.report.counts.update(result["status"] for result in results)


def push(*, session: Session, url: str, source: str, token: str | None = None, batch_size: int = 500,
         policy: RetryPolicy | None = None, timeout: float = 60.0, progress: Callable[[int], None] | None = None,
         on_retry: Callable | None = None) -> PushReport:
    """Send every submission the destination has not acknowledged, oldest first, a batch at a time.

    One record the destination will not accept never stops the push: it is kept aside here with the
    reason (and there too, where the destination could read it), and the others go on.
    """
    destination = normalise_url(url)
    policy = policy or RetryPolicy()
    report = PushReport(destination, count_submissions(session, destination=destination), batch_size=batch_size)
    sending = _Push(session, f"{destination}/api/v1/sync", source, token, timeout, policy, on_retry, report)
    after = 0
    while rows := submission_page(session, after_id=after, limit=report.batch_size, destination=destination):
        try:
            sending.deliver(rows)
        except TooLarge:
            report.batch_size //= 2
            continue
        except SyncError as exc:
            report.error = str(exc)
            return report
        if progress:
            progress(len(rows))
        after = rows[-1].id
    return report


class PullReport(LoadReport):
    """The questionnaires pulled from another server, reported as loading the forms folder is."""

    not_taken = "NOT PULLED"


def get_json(url: str, *, token: str | None = None, timeout: float = 30.0, policy: RetryPolicy | None = None):
    """GET a JSON document, trying again on network errors and 5xx answers."""
    call = functools.partial(_request, url, token=token, timeout=timeout)
    try:
        return with_retries(call, policy or RetryPolicy())
    except TooLarge as exc:
        raise SyncError(f"{url}: {exc}") from exc


def pull_forms(*, session: Session, url: str, token: str | None = None, timeout: float = 30.0,
               policy: RetryPolicy | None = None, media_folder: Path | None = None) -> PullReport:
    """Publish locally the current version of every questionnaire the other server publishes.

    With a media folder, the files each version names come too (sync_media.py), before it is published.
    """
    base = normalise_url(url)
    listing = get_json(f"{base}/api/v1/forms", token=token, timeout=timeout, policy=policy)
    if not isinstance(listing, dict) or not isinstance(listing.get("forms"), list):
        raise SyncError(f"{base}/api/v1/forms did not answer with a list of questionnaires")
    report = PullReport()
    for item in listing["forms"]:
        form_id, remote = str(item.get("form_id")), item.get("version")
        local = get_version(session=session, form_id=form_id)
        try:
            if local is not None and local.version == remote:
                if media_folder is not None:  # a file missed by an earlier pull comes now
                    pull_files(base, local.definition, media_folder, token=token, timeout=timeout)
                report.unchanged.append(f"{form_id} {remote}")
                continue
            _pull_one(session, base, form_id, local, report, media_folder, token=token, timeout=timeout,
                      policy=policy)
        except (SyncError, DefinitionError, MediaError) as exc:
            report.errors.append(f"{form_id}: {exc}")
    return report


def _pull_one(session, base, form_id, local, report, media_folder, **options) -> None:
    document = get_json(f"{base}/api/v1/forms/{urllib.parse.quote(form_id, safe='')}", **options)
    definition = document.get("definition") if isinstance(document, dict) else None
    load_dict(definition, source=f"{form_id} from {base}")  # never publish what participants' pages cannot show
    if definition.get("form_id") != form_id:
        raise SyncError(f"the definition served for {form_id} is for {definition.get('form_id')!r}")
    if media_folder is not None:
        pull_files(base, definition, media_folder, token=options["token"], timeout=options["timeout"])
    version = publish(session=session, definition=definition)
    before = f"{local.version} -> " if local is not None else "new "
    remote = document.get("version")
    note = "" if version.version == remote else f" (the other server calls it {remote})"
    report.published.append(f"{form_id} {before}{version.version}{note}")
