"""The JSON API that phones and other servers cache and sync against (no cookies, no CSRF).

Every route is under /api/v1 and answers JSON, errors included: {"error": "...", "message": "..."}.

    GET  /forms                               list_forms
    GET  /forms/<form_id>                     get_form
    GET  /forms/<form_id>/versions/<version>  get_form_version
    POST /sync                                receive_batch
    GET  /openapi.json                        openapi_document

Limits on POST /sync (setting, default, answer when passed):

- MAX_CONTENT_LENGTH, 8 MiB: bytes of the body as sent, compressed or not; 413 too_large.
- SURVEY_SYNC_MAX_INFLATED, 32 MiB: bytes of a gzip body once inflated; 413 too_large.
  The body is inflated in chunks and reading stops as soon as the limit is passed.
- SURVEY_SYNC_MAX_RECORDS, 1000: records in one batch; 413 too_many_records.
- `source`: a string of 1 to 200 characters; 400 bad_shape.

Who may sync: anyone when SURVEY_ANONYMOUS_SYNC is on (the default); a request that
sends `Authorization: Bearer ...` must carry one of SURVEY_SYNC_TOKENS, or an active token
made on the admin pages or with `flask tokens create`, even then.
No CORS headers are sent: only pages of this server's own origin may call the API.
"""

import gzip
import hmac
import io
import json
import logging
import zlib

import orjson
from flask import Blueprint
from flask import current_app
from flask import jsonify
from flask import request
from flask import url_for
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import RequestEntityTooLarge

from . import openapi
from . import tokens
from .db import STORAGE_ERRORS
from .db import get_session
from .engine.translatable import progress
from .engine.validation import storable_text
from .forms_store import current_versions
from .forms_store import definition_of
from .forms_store import get_version
from .submissions import apply_batch

bp = Blueprint("api", __name__, url_prefix="/api/v1")
log = logging.getLogger(__name__)

SOURCE_MAX_LENGTH = 200
READ_CHUNK = 64 * 1024
GZIP_ENCODINGS = ("gzip", "x-gzip")
# Python reads integers of more digits than this only with a ValueError for the whole body; such a
# number is read as a float (inf), so that its record alone is refused (submissions.unstorable).
MAX_INT_DIGITS = 4000
# Every digit made "0" and every other byte "x", so that one search finds a run of 19 digits: a number
# orjson may read otherwise (it reads an integer beyond 64 bits as a float).
DIGITS_AS_ZEROS = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x78 for byte in range(256))
LONG_DIGIT_RUN = b"0" * 19


class Refusal(Exception):
    """A request answered with an error instead of results; nothing from it is stored."""

    def __init__(self, status: int, error: str, message: str, headers: dict | None = None, **extra):
        super().__init__(message)
        self.status, self.error, self.message = status, error, message
        self.headers, self.extra = headers or {}, extra


def api_error(status: int, error: str, message: str, **extra):
    """Return the one error shape every API answer shares."""
    response = jsonify({"error": error, "message": message, **extra})
    response.status_code = status
    return response


@bp.url_value_preprocessor
def refuse_unstorable_text(_endpoint, values):
    """A questionnaire or version named with NUL or half a surrogate pair is none this server has."""
    if values and not all(storable_text(value) for value in values.values() if isinstance(value, str)):
        error = "unknown_version" if "version" in values else "unknown_form"
        raise Refusal(404, error, "No questionnaire or version has that name.")


@bp.errorhandler(Refusal)
def refused(exc: Refusal):
    response = api_error(exc.status, exc.error, exc.message, **exc.extra)
    response.headers.update(exc.headers)
    return response


@bp.errorhandler(HTTPException)
@bp.app_errorhandler(HTTPException)
def http_error(exc: HTTPException):
    """Answer JSON under /api/v1, also for paths no route matches; leave other pages alone."""
    if request.path != bp.url_prefix and not request.path.startswith(f"{bp.url_prefix}/"):
        return exc
    status = exc.code or 500
    if status == 413:
        response = api_error(413, "too_large", _too_large_message())
    else:
        response = api_error(status, exc.name.lower().replace(" ", "_"), exc.description or exc.name)
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _too_large_message() -> str:
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    return f"The request body is larger than the {limit} bytes this server accepts; send smaller batches."


@bp.get("/forms")
def list_forms():
    """List each questionnaire: id, title per language, current version, languages, translation progress."""
    forms = []
    for version in current_versions(session=get_session()):
        definition = definition_of(version)
        forms.append({
            "form_id": definition.form_id,
            "title": definition.title,
            "version": version.version,
            "version_number": version.number,
            "default_language": definition.default_language,
            "languages": list(definition.languages),
            "url": url_for(".get_form", form_id=definition.form_id),
            "progress": progress(version.definition),
        })
    return {"forms": forms}


@bp.get("/forms/<form_id>")
def get_form(form_id):
    """Return the full current definition of one questionnaire."""
    version = get_version(session=get_session(), form_id=form_id)
    if version is None:
        return api_error(404, "unknown_form", f"No questionnaire named '{form_id}'.")
    return _version_document(version)


@bp.get("/forms/<form_id>/versions/<version>")
def get_form_version(form_id, version):
    """Return one published version, so old submissions can still be shown as answered."""
    found = get_version(session=get_session(), form_id=form_id, version=version)
    if found is None:
        return api_error(404, "unknown_version", f"No version '{version}' of '{form_id}'.")
    return _version_document(found)


def _version_document(version) -> dict:
    return {"form_id": version.form_id, "version": version.version, "version_number": version.number,
            "published_at": version.created_at.isoformat(), "definition": version.definition}


@bp.post("/sync")
def receive_batch():
    """Store a batch of submissions; sending it again is harmless.

    The results are sent only after the batch's one commit succeeded, so a phone may
    forget every record it gets a result for.
    """
    require_sync_permission()
    source, records, plain = parse_batch(read_body())
    session = get_session()
    try:
        results = apply_batch(session=session, records=records, source=source, plain=plain)
    except STORAGE_ERRORS:  # the driver's own errors too: the SQLite insert uses its cursor directly
        log.exception("batch of %d records from %r not stored", len(records), source)
        _roll_back(session)
        response = api_error(503, "unavailable", "The database could not store this batch, so nothing in it is "
                             "acknowledged. Send it again later; resending is harmless.")
        response.headers["Retry-After"] = "30"
        return response
    response = results_response([result.as_json() for result in results])
    response.headers["Cache-Control"] = "no-store"
    return response


def results_response(results: list[dict]):
    """jsonify(results=results), the same bytes written several times faster by orjson where it can.

    Flask writes sorted keys, no spaces and ASCII only (DEL and non-ASCII escaped), indented
    in debug mode; orjson writes the same when its text is plain ASCII and not indented.
    """
    try:
        body = orjson.dumps({"results": results}, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        body = None
    provider = current_app.json
    indented = provider.compact is False or (provider.compact is None and current_app.debug)
    if body is None or indented or not body.isascii() or b"\x7f" in body:
        return jsonify(results=results)
    return current_app.response_class(body + b"\n", mimetype="application/json")


def _roll_back(session) -> None:
    try:
        session.rollback()
    except STORAGE_ERRORS:
        log.exception("rollback after a failed batch failed too")


def require_sync_permission() -> None:
    """Refuse the request unless it may sync: a known bearer token, or none while anonymous sync is on."""
    header = request.headers.get("Authorization")
    if header is None:
        if current_app.config["SURVEY_ANONYMOUS_SYNC"]:
            return
        raise Refusal(401, "token_required", "This server accepts batches only with a sync token "
                      "(Authorization: Bearer TOKEN).", headers={"WWW-Authenticate": "Bearer"})
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not is_sync_token(token.strip()):
        raise Refusal(401, "bad_token", "The sync token is not known to this server.",
                      headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


def is_sync_token(token: str) -> bool:
    """Tell whether a token is one of SURVEY_SYNC_TOKENS (compared with every one) or an active admin-made one."""
    offered = token.encode()
    known = False
    for candidate in current_app.config["SURVEY_SYNC_TOKENS"]:
        known |= hmac.compare_digest(offered, candidate.strip().encode())
    if known and offered:
        return True
    return tokens.use_token(session=get_session(), secret=token) is not None


def read_body() -> bytes | bytearray:
    """Return the request body, inflated when it is sent gzip-encoded."""
    encoding = request.headers.get("Content-Encoding", "").strip().lower()
    if encoding not in ("", "identity", *GZIP_ENCODINGS):
        raise Refusal(415, "unsupported_encoding",
                      f"Content-Encoding '{encoding[:40]}' is not supported; send gzip or no encoding.")
    body = request.get_data(cache=False)
    limit = request.max_content_length
    # Werkzeug stops reading a chunked body (no Content-Length) at the limit without a
    # word, so reaching the limit is taken as passing it.
    if limit is not None and request.content_length is None and len(body) >= limit:
        raise RequestEntityTooLarge()
    if encoding in GZIP_ENCODINGS:
        return inflate(io.BytesIO(body), current_app.config["SURVEY_SYNC_MAX_INFLATED"])
    return body


def inflate(stream, limit: int) -> bytearray:
    """Inflate a gzip stream chunk by chunk, stopping as soon as it passes `limit` bytes."""
    body = bytearray()
    try:
        with gzip.GzipFile(fileobj=stream, mode="rb") as inflated:
            while chunk := inflated.read(READ_CHUNK):
                body += chunk
                if len(body) > limit:
                    raise Refusal(413, "too_large", f"The body inflates to more than the {limit} bytes "
                                  "this server accepts; send smaller batches.")
    except (OSError, EOFError, zlib.error) as exc:
        raise Refusal(400, "bad_gzip", f"The gzip body is truncated or corrupt ({exc}).") from exc
    return body


def parse_batch(body: bytes | bytearray) -> tuple[str, list, bool]:
    """Read a batch from JSON and check its shape; return its source, its records, and whether they are plain.

    Plain: read by orjson (which refuses half a surrogate pair and numbers beyond a double) from a body
    without a \\u0000 escape, so every text can be stored and every number is finite: nearly every
    batch, whose records then need no walk through every value (submissions.unstorable).
    """
    data, plain = _read(body)
    if not isinstance(data, dict):
        raise Refusal(400, "bad_shape", "The body must be a JSON object with 'source' and 'submissions'.")
    source, records = data.get("source"), data.get("submissions")
    if not isinstance(source, str) or not 0 < len(source) <= SOURCE_MAX_LENGTH or not storable_text(source):
        raise Refusal(400, "bad_shape", f"'source' must be a string of 1 to {SOURCE_MAX_LENGTH} characters "
                      "naming the phone or server that sends the batch.", field="source")
    if not isinstance(records, list):
        raise Refusal(400, "bad_shape", "'submissions' must be a list of records.", field="submissions")
    limit = current_app.config["SURVEY_SYNC_MAX_RECORDS"]
    if len(records) > limit:
        raise Refusal(413, "too_many_records", f"A batch holds at most {limit} records and this one has "
                      f"{len(records)}; send them in smaller batches.", field="submissions")
    return source, records, plain


def _json(body: bytes | bytearray):
    """Read the body as JSON, or refuse it with the reason.

    orjson reads it several times faster where it gives exactly what the standard library gives;
    anything else goes the standard library's way, which answers as it always has.
    """
    return _read(body)[0]


def _read(body: bytes | bytearray) -> tuple:
    """The body as JSON, and whether orjson read it from a body without a \\u0000 escape (plain)."""
    data = _orjson(body)
    if data is _NOT_READ:
        return _stdlib_json(body), False
    return data, b"\\u0000" not in body


def _stdlib_json(body: bytes | bytearray):
    """Read JSON the standard library's way; what a record holds that cannot be stored is that record's problem.

    Escaped NUL, lone surrogates, NaN and numbers beyond a double are read as they are (1e400 as inf):
    submissions.unstorable refuses the record that holds them, and only it.
    """
    try:
        return json.loads(body.decode("utf-8"), parse_int=_integer)
    except UnicodeDecodeError as exc:
        raise Refusal(400, "bad_json", "The body is not valid UTF-8 text.") from exc
    except (ValueError, RecursionError) as exc:
        raise Refusal(400, "bad_json", f"The body is not JSON this server accepts: {str(exc)[:200]}") from exc


def _integer(digits: str):
    return int(digits) if len(digits) <= MAX_INT_DIGITS else float(digits)


_NOT_READ = object()


def _orjson(body: bytes | bytearray):
    """The body as orjson reads it when that is what the standard library would make of it, else _NOT_READ.

    orjson refuses what the standard library refuses here (invalid UTF-8, NaN and Infinity,
    control characters, a BOM), and refuses more (unpaired surrogate escapes, numbers beyond a
    double, more than 1024 levels), which go the long way. It differs on two things, each sent the
    long way too: it reads an integer beyond 64 bits as a float (any run of 19 digits), and it takes
    nesting deeper than the standard library, or json.dumps later, can handle (orjson writes back at
    most 254 levels, so a document it can write back is shallow enough).
    """
    if LONG_DIGIT_RUN in body.translate(DIGITS_AS_ZEROS):
        return _NOT_READ
    try:
        data = orjson.loads(body)
        orjson.dumps(data)  # refuses more than 254 levels
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        return _NOT_READ
    return data


@bp.get("/openapi.json")
def openapi_document():
    """Describe this API in OpenAPI 3.1, stating this server's own limits."""
    return openapi.document(current_app.config)
