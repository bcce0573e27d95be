"""Carry submissions on a file where there is no network: write an export, check and import one.

An export is JSON Lines inside gzip:

    {"format": "survey-submissions", "version": 1, "source": "...", "created_at": "..."}
    {"uuid": "...", "form_id": "...", ...}          one line per submission, in the sync API's record shape
    {"end": "survey-submissions", "count": 2, "sha256": "..."}

The sha256 covers every byte before the end line (header and records), so a changed,
damaged or cut-off file is refused before anything is stored. Import also takes the
file a phone's "Save a copy for the organiser" button downloads: the sync API's body
`{"source": ..., "submissions": [...]}` as plain or gzip JSON, without a checksum.
Every function takes a binary file object, so a web upload page can use them too.
"""

import contextlib
import datetime
import gzip
import hashlib
import hmac
import json
import re
import shutil
import tempfile
import zlib
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from typing import BinaryIO

from sqlmodel import Session

from .submissions import Unreadable
from .submissions import apply_batch
from .submissions import safe_text
from .sync_client import iter_records

FORMAT = "survey-submissions"
VERSION = 1
IMPORT_BATCH = 500
IMPORT_BATCH_BYTES = 32 * 1024 * 1024  # photos' base64 held in memory per stored batch
GZIP_MAGIC = b"\x1f\x8b"
MAX_LINE = 8 * 1024 * 1024  # one record, photos with it; a longer line is read in parts and fails as damaged
MAX_PHONE_FILE = 128 * 1024 * 1024  # unpacked: a phone's outbox, photos in it (a few hundred at ~300 KB)
# Lines that are not records (no uuid, form_id or answers: `{}`, `[]`, a number) that a file may hold
# before it is refused as not a file of answers. A few are kept in the quarantine like any bad record;
# a file of millions of them (a few KB of gzip inflating to 150 MB of `{}`) is refused within moments.
MAX_NOT_RECORDS = 100
RECORD_KEYS = ("uuid", "form_id", "answers")


class SubmissionFileError(ValueError):
    """A file that is not a submissions file, or is damaged, incomplete or changed.

    `code` names the problem (damaged, version, after_end, line, no_end, checksum, not_submissions,
    source, too_large) so that a web page can word it in the reader's language; `line` and `version` carry
    the details. The message itself is English, for the command line and the logs.
    """

    def __init__(self, code: str, message: str, **details) -> None:
        super().__init__(message)
        self.code = code
        self.details = details


def _line(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8") + b"\n"


def write_submissions(fileobj: BinaryIO, records: Iterable[dict], *, source: str,
                      created_at: datetime.datetime | None = None) -> tuple[int, str]:
    """Write records as a gzip export, streamed; return how many and their checksum."""
    created_at = created_at or datetime.datetime.now(datetime.UTC)
    digest, count = hashlib.sha256(), 0
    with gzip.GzipFile(filename="", mode="wb", fileobj=fileobj, compresslevel=6) as out:
        header = _line({"format": FORMAT, "version": VERSION, "source": source,
                        "created_at": created_at.isoformat().replace("+00:00", "Z")})
        digest.update(header)
        out.write(header)
        for record in records:
            line = _line(record)
            digest.update(line)
            out.write(line)
            count += 1
        out.write(_line({"end": FORMAT, "count": count, "sha256": digest.hexdigest()}))
    return count, digest.hexdigest()


@dataclass
class SubmissionFile:
    """A checked file: where it came from, how many records, and how to read them again."""

    kind: str  # "export" or "phone"
    source: str | None
    count: int
    created_at: str | None = None
    sha256: str | None = None
    _fileobj: BinaryIO | None = None
    _records: list = field(default_factory=list)

    def records(self) -> Iterator:
        if self.kind == "phone":
            yield from self._records
            return
        with _opened(self._fileobj) as stream:
            stream.readline(MAX_LINE)  # the header
            for line in iter(lambda: stream.readline(MAX_LINE), b""):
                data = _record_of_line(line)
                if isinstance(data, dict) and data.get("end") == FORMAT:
                    return
                yield data

    def batches(self, size: int = IMPORT_BATCH, max_bytes: int = IMPORT_BATCH_BYTES) -> Iterator[list]:
        """The records in batches of `size`, or fewer where their photos pass `max_bytes` of base64."""
        batch, weight = [], 0
        for record in self.records():
            batch.append(record)
            weight += _attachment_bytes(record)
            if len(batch) == size or weight >= max_bytes:
                yield batch
                batch, weight = [], 0
        if batch:
            yield batch


def _attachment_bytes(record) -> int:
    files = record.get("attachments") if isinstance(record, dict) else None
    if not isinstance(files, list):
        return 0
    return sum(len(item["data"]) for item in files if isinstance(item, dict) and isinstance(item.get("data"), str))


@contextlib.contextmanager
def _opened(fileobj: BinaryIO) -> Iterator[BinaryIO]:
    """Read a file object from its start as binary lines, through gzip when it is compressed."""
    fileobj.seek(0)
    compressed = fileobj.read(2) == GZIP_MAGIC
    fileobj.seek(0)
    if not compressed:
        yield fileobj
        return
    with gzip.GzipFile(fileobj=fileobj, mode="rb") as stream:  # closing it leaves fileobj open
        yield stream


def read_submission_file(fileobj: BinaryIO, *, max_records: int | None = None) -> SubmissionFile:
    """Check a whole export or phone file and return it; raise SubmissionFileError if it is not sound.

    `max_records` refuses, as soon as it is passed, a file with more records than the caller can store
    in time (the import page, which a worker timeout bounds); the command line takes any number.
    """
    fileobj = _seekable(fileobj)
    try:
        with _opened(fileobj) as stream:
            first = stream.readline(MAX_LINE)
            header = _json_or_none(first)
            if isinstance(header, dict) and header.get("format") == FORMAT:
                return _check_export(stream, header, first, fileobj, max_records)
            rest = stream.read(MAX_PHONE_FILE + 1 - len(first))
        if len(first) + len(rest) > MAX_PHONE_FILE:
            raise SubmissionFileError("too_large", "The phone's answers file is larger than any phone writes "
                                      f"({MAX_PHONE_FILE // (1024 * 1024)} MB unpacked). Nothing was imported.")
        return _check_phone_file(first + rest, max_records)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise SubmissionFileError("damaged",
                                  f"The file is damaged or incomplete ({exc}). Nothing was imported.") from exc


def _seekable(fileobj: BinaryIO) -> BinaryIO:
    if fileobj.seekable():
        return fileobj
    copy = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 (returned open)
    shutil.copyfileobj(fileobj, copy)
    return copy


def _json_or_none(data: bytes):
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return None


def _record_of_line(line: bytes):
    """One record line as data; a line that is not JSON (nested too deep, not UTF-8) is kept as Unreadable."""
    try:
        return json.loads(line)
    except (ValueError, RecursionError) as exc:
        return Unreadable(line.decode("utf-8", "backslashreplace"), f"not readable as JSON: {safe_text(str(exc), 200)}")


def _not_a_record(data) -> bool:
    return not isinstance(data, Unreadable) and not (isinstance(data, dict) and any(key in data for key in RECORD_KEYS))


def _too_many(count: int, max_records: int | None) -> None:
    if max_records is not None and count > max_records:
        raise SubmissionFileError("too_many", f"The file holds more than {max_records} answers, more than this "
                                  "page can store at once; import it with `flask sync import`. Nothing was imported.",
                                  limit=max_records)


def _refuse_not_records() -> None:
    raise SubmissionFileError("not_submissions", "This is neither a submissions export nor a phone's answers file: "
                              f"more than {MAX_NOT_RECORDS} of its lines are not records. Nothing was imported.")


def _check_export(stream, header: dict, first: bytes, fileobj, max_records: int | None = None) -> SubmissionFile:
    if header.get("version") != VERSION:
        raise SubmissionFileError("version", f"The file is format version {header.get('version')}; this server reads "
                                  f"version {VERSION}. Update this server first; nothing was imported.",
                                  version=str(header.get("version"))[:20])
    digest, count, end, strange = hashlib.sha256(first), 0, None, 0
    for number, line in enumerate(iter(lambda: stream.readline(MAX_LINE), b""), start=2):
        if end is not None:
            raise SubmissionFileError("after_end", f"Line {number} comes after the end line; the file was changed.",
                                      line=number)
        if not line.endswith(b"\n"):
            raise SubmissionFileError("line", f"Line {number} is damaged or cut off. Nothing was imported.",
                                      line=number)
        # A line the checksum covers but that is not a sound record is that record's problem (the
        # quarantine keeps it), unless the file is mostly such lines.
        data = _record_of_line(line)
        if isinstance(data, dict) and data.get("end") == FORMAT:
            end = data
            continue
        if _not_a_record(data):
            strange += 1
            if strange > MAX_NOT_RECORDS:
                _refuse_not_records()
        digest.update(line)
        count += 1
        _too_many(count, max_records)
    if end is None:
        raise SubmissionFileError("no_end", "The file has no end line: it is incomplete (cut off while copying?). "
                                  "Nothing was imported.")
    if end.get("count") != count or not hmac.compare_digest(str(end.get("sha256")), digest.hexdigest()):
        raise SubmissionFileError("checksum", "The file's checksum does not match its contents: it was changed "
                                  "or damaged. Nothing was imported.")
    return SubmissionFile("export", header.get("source"), count, header.get("created_at"), digest.hexdigest(),
                          _fileobj=fileobj)


def _check_phone_file(data: bytes, max_records: int | None = None) -> SubmissionFile:
    try:
        document = json.loads(data)
    except RecursionError:
        document = _phone_file_record_by_record(data)  # one record nested too deep must not fail the others
    except ValueError:
        document = None
    if not isinstance(document, dict) or not isinstance(document.get("submissions"), list):
        raise SubmissionFileError("not_submissions", "This is neither a submissions export nor a phone's answers file "
                                  "(JSON with a list of submissions). Nothing was imported.")
    source = document.get("source")
    if source is not None and not isinstance(source, str):
        raise SubmissionFileError("source", "The file's source must be a string. Nothing was imported.")
    records = document["submissions"]
    if sum(1 for record in records if _not_a_record(record)) > MAX_NOT_RECORDS:
        _refuse_not_records()
    _too_many(len(records), max_records)
    return SubmissionFile("phone", safe_text(source, 200) if source else None, len(records), _records=records)


TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{},:]')


def _phone_file_record_by_record(data: bytes) -> dict | None:
    """Read a phone's file whose whole is nested too deep for the JSON reader: each record on its own.

    The top object's members and the records of its list are found by their brackets (text in quotes
    skipped); each record is read alone, and one still too deep is kept as Unreadable.
    """
    document, depth, key, start, records = {}, 0, None, None, None
    for token in TOKENS.finditer(data):
        text, at = token.group(), token.start()
        if text in (b"{", b"["):
            depth += 1
            if depth == 2 and key == "submissions" and text == b"[":
                records, start = [], token.end()
        elif text in (b"}", b"]"):
            if depth == 2 and records is not None and text == b"]":
                _add_element(records, data[start:at])
                document["submissions"], records, key = records, None, None
            depth -= 1
        elif text == b"," and depth == 2 and records is not None:
            _add_element(records, data[start:at])
            start = token.end()
        elif depth == 1 and text.startswith(b'"'):
            following = data[token.end():token.end() + 64].lstrip()
            if following.startswith(b":"):
                key = _json_or_none(text)
            elif key is not None:
                document[key], key = _json_or_none(text), None
    return document or None


def _add_element(records: list, raw: bytes) -> None:
    if raw.strip():
        records.append(_record_of_line(raw.strip()))


def import_submission_file(*, session: Session, submissions: SubmissionFile, batch_size: int = IMPORT_BATCH,
                           progress: Callable[[int], None] | None = None) -> Counter:
    """Store a checked file's records through the sync API's own path; return the count of each status."""
    counts = Counter()
    for batch in submissions.batches(batch_size):
        results = apply_batch(session=session, records=batch, source=submissions.source)
        counts.update(result.status for result in results)
        if progress:
            progress(len(batch))
    return counts


def import_submissions(*, session: Session, fileobj: BinaryIO, batch_size: int = IMPORT_BATCH) -> Counter:
    """Check a file, then store its records; raise SubmissionFileError and store nothing if it is not sound."""
    return import_submission_file(session=session, submissions=read_submission_file(fileobj), batch_size=batch_size)


def export_submissions(*, session: Session, fileobj: BinaryIO, source: str, include_acknowledged: bool = False,
                       progress: Callable[[int], None] | None = None) -> tuple[int, str]:
    """Write the submissions no destination has acknowledged (or all) as an export; return count and checksum."""
    records = iter_records(session, only_unacknowledged=not include_acknowledged)
    if progress:
        records = _counted(records, progress)
    return write_submissions(fileobj, records, source=source)


def _counted(records: Iterable[dict], progress: Callable[[int], None], every: int = 100) -> Iterator[dict]:
    done = 0
    for record in records:
        yield record
        done += 1
        if done % every == 0:
            progress(every)
    progress(done % every)
