"""Photos and files given as answers: checked by their content, capped in size, kept once per content.

A record names each file in its answers (the question's value is the file's name) and carries the
bytes beside them, `"attachments": [{"name": "photo-1a2b.jpg", "data": "<base64>"}]`, so a phone's
outbox, a laptop's push and an export file all hold one self-contained record. The checks run in
submissions._prepare, the one path every record takes: a file whose content is not an allowed type,
or that is too large, keeps its whole record in the quarantine with the reason, and the others of
the batch are stored. Accepted bytes live once per content in `instance/answer_files/<sha256>`
(apart from the questionnaires' own media); the stored answers keep, under FILES_KEY, each name's
sha256, type and size, so the content hash of a submission covers its files too.
"""

import base64
import binascii
import hashlib
import os
import tempfile
from pathlib import Path

from flask import current_app
from flask import has_app_context

FILES_KEY = "@files"  # not a question name (those match loader.NAME_RE), so no answer is ever overwritten
FOLDER = "answer_files"
DEFAULT_MAX_BYTES = 5 * 1024 * 1024  # one file, and all of one record's: its base64 fits a sync request (8 MiB)
IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
# A `file` question takes these: pictures, PDF, and plain text is not among them (it has no signature to check).
FILE_TYPES = {**IMAGE_TYPES, "application/pdf": "pdf"}
ALLOWED = {"image": IMAGE_TYPES, "file": FILE_TYPES}


def sniff(data: bytes) -> str | None:
    """The media type the bytes themselves show (their first bytes), or None for any other content."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def max_bytes() -> int:
    if has_app_context():
        return int(current_app.config.get("SURVEY_ANSWER_FILE_MAX_BYTES", DEFAULT_MAX_BYTES))
    return DEFAULT_MAX_BYTES


def check(record: dict, answers: dict, questions, limit: int) -> tuple[dict, dict, dict]:
    """Read the files a record's answers name: (meta by name, bytes by sha256, errors by question).

    questions: the questionnaire's file questions (definition.file_questions). A file sent but named
    by no kept answer (a question hidden after all) is not stored.
    """
    wanted = {answers[q.name]: q for q in questions if isinstance(answers.get(q.name), str)}
    if not wanted:
        return {}, {}, {}
    sent = record.get("attachments")
    if not isinstance(sent, list):
        return {}, {}, {q.name: "file_missing" for q in wanted.values()}
    by_name = {item.get("name"): item.get("data") for item in sent if isinstance(item, dict)}
    meta, blobs, errors, total = {}, {}, {}, 0
    for name, question in wanted.items():
        data, problem = _decoded(by_name.get(name), limit)
        kind = sniff(data) if data is not None else None
        if problem is None and kind not in ALLOWED[question.type]:
            problem = "file_type"
        total += len(data or b"")
        if problem is None and total > limit:
            problem = "file_size"
        if problem:
            errors[question.name] = problem
            continue
        sha256 = _sha256(data)
        meta[name] = {"sha256": sha256, "type": kind, "size": len(data)}
        blobs[sha256] = data
    return meta, blobs, errors


def _decoded(data, limit: int) -> tuple[bytes | None, str | None]:
    if not isinstance(data, str) or not data:
        return None, "file_missing"
    if len(data) > (limit + 2) // 3 * 4 + 4:  # larger than the limit once decoded: not decoded at all
        return None, "file_size"
    try:
        return base64.b64decode(data, validate=True), None
    except (binascii.Error, ValueError):
        return None, "file_data"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def folder() -> Path:
    return Path(current_app.instance_path) / FOLDER


def write(blobs: dict[str, bytes]) -> None:
    """Keep each file under its hash, once: an existing file is left alone, a new one appears whole."""
    if not blobs:
        return
    target = folder()
    target.mkdir(parents=True, exist_ok=True)
    for sha256, data in blobs.items():
        path = target / sha256
        if path.exists():
            continue
        with tempfile.NamedTemporaryFile(dir=target, delete=False) as temporary:
            temporary.write(data)
        os.replace(temporary.name, path)


def path_of(sha256: str) -> Path | None:
    """The stored file of a hash, or None (a hash is 64 hex digits: nothing else reaches the disk)."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        return None
    path = folder() / sha256
    return path if path.is_file() else None


def files_of(answers: dict) -> dict:
    """A stored submission's files: {name: {"sha256", "type", "size"}} (empty for most)."""
    found = answers.get(FILES_KEY) if isinstance(answers, dict) else None
    return found if isinstance(found, dict) else {}


def attachments_of(answers: dict) -> list[dict]:
    """The attachments to send on with a stored submission (to another server, into a file)."""
    out = []
    for name, meta in files_of(answers).items():
        path = path_of(str(meta.get("sha256", "")))
        if path is not None:
            out.append({"name": name, "data": base64.b64encode(path.read_bytes()).decode("ascii")})
    return out


def posted(questions, files, limit: int) -> tuple[dict, list[dict]]:
    """Files of a page posted without JavaScript (multipart): answers by question, and the attachments.

    The name is made here from the question and the content (`photo-<12 hex>.jpg`), as the phone's is;
    a file that is not an allowed type still travels, so that the record is kept aside with its reason.
    """
    answers, attachments = {}, []
    for question in questions:
        upload = files.get(question.name)
        if upload is None or not upload.filename:
            continue
        data = upload.read(limit + 1)
        kind = sniff(data)
        extension = FILE_TYPES.get(kind, "bin")
        name = f"{question.name[:80].replace('.', '-')}-{_sha256(data)[:12]}.{extension}".lstrip("_-")
        answers[question.name] = name
        attachments.append({"name": name, "data": base64.b64encode(data).decode("ascii")})
    return answers, attachments
