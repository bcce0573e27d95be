"""POST /api/v1/sync: batches stored once whatever happens, refusals that say why, never HTML."""

import gzip
import io
import json
import random
import threading
import time
import tracemalloc
import urllib.request
import uuid
import zlib
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlmodel
from sqlalchemy import create_engine
from sqlalchemy import func
from sqlalchemy.exc import OperationalError
from sqlmodel import Session
from sqlmodel import select

from survey_app import api
from survey_app.forms_store import publish
from survey_app.models import QuarantinedRecord
from survey_app.models import Submission

from .conftest import TEST_FORMS
from .servers import LiveServer

SYNC = "/api/v1/sync"
TOKEN = "workshop-laptop-token"
VALID_ANSWERS = {"overall": "4", "age": "30"}


def current_version(client) -> str:
    return client.get("/api/v1/forms").get_json()["forms"][0]["version"]


def record(version: str, **changes) -> dict:
    """Return a valid record for the test questionnaire, with a new UUID unless one is given."""
    base = {"uuid": str(uuid.uuid4()), "form_id": "sample_feedback", "form_version": version, "lang": "en",
            "started_at": "2026-01-05T09:00:00Z", "submitted_at": "2026-01-05T09:07:30+03:30",
            "workshop": None, "answers": dict(VALID_ANSWERS)}
    return {**base, **changes}


def batch(*records, source: str = "phone-17") -> dict:
    return {"source": source, "submissions": list(records)}


def encoded(body: dict) -> bytes:
    return json.dumps(body).encode()


def statuses(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [result["status"] for result in response.get_json()["results"]]


def counts(session) -> tuple[int, int]:
    """Return how many submissions and quarantined records there are, then end the read.

    Ending it matters on SQLite: every transaction holds the write lock until it ends.
    """
    try:
        return (session.exec(select(func.count()).select_from(Submission)).one(),
                session.exec(select(func.count()).select_from(QuarantinedRecord)).one())
    finally:
        session.rollback()


def stored(session) -> list[dict]:
    try:
        return [row.model_dump() for row in session.exec(select(Submission).order_by(Submission.id))]
    finally:
        session.rollback()


def test_each_record_gets_its_own_status_in_order_and_nothing_is_lost(client, session):
    version = current_version(client)
    valid = record(version)
    records = [
        valid,
        dict(valid),
        {**valid, "answers": {"overall": "5", "age": "31"}},
        record(version, answers={"overall": "9", "age": "30"}),
        record(version, form_id="no_such_form"),
        record(version, form_version="000000000000"),
        {key: value for key, value in record(version).items() if key != "uuid"},
    ]
    response = client.post(SYNC, json=batch(*records))
    assert statuses(response) == ["stored", "duplicate", "conflict", "rejected", "rejected", "rejected", "rejected"]
    results = response.get_json()["results"]
    assert [r["uuid"] for r in results] == [r.get("uuid") for r in records]
    assert results[3]["errors"] == {"overall": "choice"}
    assert set(results[4]["errors"]) == set(results[5]["errors"]) == {"form"}
    assert set(results[6]["errors"]) == {"uuid"}
    # One stored, one duplicate of it, five kept aside: all seven accounted for.
    assert counts(session) == (1, 5)


def test_resent_batch_stores_nothing_new(client, session):
    version = current_version(client)
    body = batch(record(version), record(version), record(version, answers={"overall": "4", "age": "12"}))
    assert statuses(client.post(SYNC, json=body)) == ["stored", "stored", "rejected"]
    before = stored(session)
    assert statuses(client.post(SYNC, json=body)) == ["duplicate", "duplicate", "rejected"]
    assert stored(session) == before


@pytest.mark.parametrize("anonymous", [True, False])
def test_source_is_recorded_on_the_submissions(app, client, session, anonymous):
    app.config.update(SURVEY_ANONYMOUS_SYNC=anonymous, SURVEY_SYNC_TOKENS=[TOKEN])
    body = batch(record(current_version(client)), source="tablet-3 (Mashhad)")
    response = client.post(SYNC, json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert statuses(response) == ["stored"]
    assert [row["source"] for row in stored(session)] == ["tablet-3 (Mashhad)"]


def test_record_for_an_older_version_is_stored_against_that_version(client, session):
    old = current_version(client)
    definition = client.get("/api/v1/forms/sample_feedback").get_json()["definition"]
    definition["title"]["en"] = "Sample feedback, second edition"
    new = publish(session=session, definition=definition).version
    session.rollback()
    assert current_version(client) == new != old
    response = client.post(SYNC, json=batch(record(old), record(new)))
    assert statuses(response) == ["stored", "stored"]
    assert [row["form_version"] for row in stored(session)] == [old, new]


def post_from_threads(url: str, body: bytes, senders: int) -> list[tuple[int, dict]]:
    """Post the same body from several threads released at the same moment."""
    start = threading.Barrier(senders)

    def send(_):
        request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
        start.wait()
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.load(response)

    with ThreadPoolExecutor(senders) as pool:
        return list(pool.map(send, range(senders)))


def test_same_batch_sent_at_once_is_stored_exactly_once(database_url, tmp_path):
    server = LiveServer(tmp_path / "live-instance", database_url, TEST_FORMS).start()
    engine = create_engine(database_url)
    try:
        with urllib.request.urlopen(f"{server.url}/api/v1/forms", timeout=10) as response:
            version = json.load(response)["forms"][0]["version"]
        records = [record(version) for _ in range(150)]
        answers = post_from_threads(f"{server.url}{SYNC}", encoded(batch(*records)), senders=2)
        assert [status for status, _ in answers] == [200, 200]
        for index, rec in enumerate(records):
            pair = sorted(body["results"][index]["status"] for _, body in answers)
            assert pair == ["duplicate", "stored"], rec["uuid"]
        with Session(engine) as session:
            assert counts(session) == (len(records), 0)
    finally:
        server.stop()
        engine.dispose()


@pytest.mark.parametrize("encoding", ["gzip", "x-gzip", "GZIP"])
def test_gzip_body_is_accepted(client, session, encoding):
    body = gzip.compress(encoded(batch(record(current_version(client)))))
    response = client.post(SYNC, data=body, headers={"Content-Encoding": encoding},
                           content_type="application/json")
    assert statuses(response) == ["stored"]
    assert counts(session) == (1, 0)


def damaged_gzip(kind: str, body: bytes) -> bytes:
    compressed = gzip.compress(body)
    if kind == "truncated":
        return compressed[: len(compressed) // 2]
    if kind == "corrupt":
        middle = len(compressed) // 2
        return compressed[:middle] + bytes(b ^ 0xFF for b in compressed[middle:middle + 8]) + compressed[middle + 8:]
    if kind == "trailing_garbage":
        return compressed + b"not gzip"
    return body  # not gzip at all


@pytest.mark.parametrize("kind", ["truncated", "corrupt", "trailing_garbage", "plain_json"])
def test_damaged_gzip_is_refused_with_bad_gzip(client, session, kind):
    body = damaged_gzip(kind, encoded(batch(record(current_version(client)))))
    response = client.post(SYNC, data=body, headers={"Content-Encoding": "gzip"})
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_gzip"
    assert counts(session) == (0, 0)


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """Return 200 MB of zeros gzip-compressed (about 200 kB), built without holding 200 MB."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1024 * 1024)
    parts = [compressor.compress(zeros) for _ in range(200)]
    return b"".join(parts) + compressor.flush()


def test_gzip_bomb_is_refused_quickly_without_inflating_it(client, session, gzip_bomb):
    tracemalloc.start()
    began = time.monotonic()
    response = client.post(SYNC, data=gzip_bomb, headers={"Content-Encoding": "gzip"})
    elapsed = time.monotonic() - began
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert response.status_code == 413 and response.get_json()["error"] == "too_large"
    assert elapsed < 10
    assert peak < 100 * 1024 * 1024  # the 32 MiB cap and a copy, never 200 MB
    assert counts(session) == (0, 0)


@pytest.mark.parametrize("chunked", [False, True], ids=["content_length", "chunked"])
def test_oversized_body_is_refused_with_json_413(app, client, session, chunked):
    app.config["MAX_CONTENT_LENGTH"] = 4096
    body = encoded(batch(*[record(current_version(client)) for _ in range(30)]))
    assert len(body) > 4096
    if chunked:
        response = client.post(SYNC, input_stream=io.BytesIO(body), headers={"Transfer-Encoding": "chunked"},
                               environ_overrides={"wsgi.input_terminated": True})
    else:
        response = client.post(SYNC, data=body, content_type="application/json")
    assert response.status_code == 413 and response.is_json
    assert response.get_json()["error"] == "too_large"
    assert counts(session) == (0, 0)


@pytest.mark.parametrize(("records", "status"), [(3, 200), (4, 413)])
def test_batch_over_the_record_limit_is_refused_whole(app, client, session, records, status):
    app.config["SURVEY_SYNC_MAX_RECORDS"] = 3
    version = current_version(client)
    response = client.post(SYNC, json=batch(*[record(version) for _ in range(records)]))
    assert response.status_code == status
    if status == 413:
        assert response.get_json()["error"] == "too_many_records"
        assert counts(session) == (0, 0)
    else:
        assert counts(session) == (3, 0)


@pytest.mark.parametrize("encoding", ["br", "deflate", "gzip, br", "compress"])
def test_unsupported_content_encoding_is_refused_with_415(client, session, encoding):
    response = client.post(SYNC, data=b"{}", headers={"Content-Encoding": encoding})
    assert response.status_code == 415
    assert response.get_json()["error"] == "unsupported_encoding"


@pytest.mark.parametrize("body", [
    pytest.param(b"source=phone&submissions=", id="form_encoded"),
    pytest.param(b"", id="empty"),
    pytest.param(b'{"source": "ph\xff", "submissions": []}', id="not_utf8"),
    pytest.param(b'\xef\xbb\xbf{"source": "phone", "submissions": []}', id="byte_order_mark"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, id="nested_too_deep"),
    pytest.param(b'{"source": "phone", "submissions": ' + b"[" * 1020 + b"]" * 1020 + b"}", id="nested_1020_deep"),
])
def test_body_that_is_not_json_is_refused_with_bad_json(client, session, body):
    response = client.post(SYNC, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_json"
    assert counts(session) == (0, 0)


POISONS = {
    "nul_in_answer": ('{"overall": "2", "why_low": "a\\u0000b"}', "answers"),
    "nul_in_key": ('{"overall": "2", "why\\u0000low": "a"}', "answers"),
    "lone_surrogate": ('{"overall": "2", "why_low": "\\ud800"}', "answers"),
    "beyond_double": ('{"overall": 1e400, "age": "30"}', "answers"),
    "beyond_double_negative": ('{"overall": "4", "age": -1.7976931348623157e309}', "answers"),
    "nan": ('{"overall": NaN, "age": "30"}', "answers"),
    "integer_of_5000_digits": ('{"overall": ' + "9" * 5000 + "}", "answers"),
}


@pytest.mark.parametrize("poison", POISONS, ids=list(POISONS))
def test_a_record_no_database_can_hold_is_rejected_alone_and_kept(client, session, poison):
    """NUL, lone surrogates and numbers beyond a double refuse their own record, never the batch (H2, M6)."""
    version = current_version(client)
    answers, _field = POISONS[poison]
    bad = json.dumps(record(version, answers={})).replace('"answers": {}', f'"answers": {answers}')
    good = json.dumps(record(version))
    body = f'{{"source": "phone-1", "submissions": [{good}, {bad}, {good.replace("-4", "-5", 1)}]}}'
    response = client.post(SYNC, data=body.encode(), content_type="application/json")
    assert statuses(response) == ["stored", "rejected", "stored"]
    assert "record" in response.get_json()["results"][1]["errors"]
    kept = session.exec(select(QuarantinedRecord)).one()
    assert set(kept.payload) == {"escaped_json"} and json.loads(kept.payload["escaped_json"])["uuid"]
    assert counts(session) == (2, 1)
    assert statuses(client.post(SYNC, data=body.encode(), content_type="application/json")) == [
        "duplicate", "rejected", "duplicate"]
    assert counts(session) == (2, 1)


@pytest.mark.parametrize("field", ["uuid", "form_id", "form_version", "lang", "workshop", "started_at"])
def test_nul_in_any_field_of_a_record_rejects_that_record_only(client, session, field):
    version = current_version(client)
    response = client.post(SYNC, json=batch({**record(version), field: "a\x00b"}, record(version)))
    assert statuses(response) == ["rejected", "stored"]
    assert counts(session) == (1, 1)


@pytest.mark.parametrize("uuid_text", ["{u}\n", " {u}", "{u}\x00", "{{{u}}}", "{u_hex}", "urn:uuid:{u}"])
def test_a_uuid_is_read_strictly_so_a_record_is_never_stored_twice(client, session, uuid_text):
    """H1: a UUID followed by a newline passed before, and was stored as a second submission."""
    version, sent = current_version(client), uuid.uuid4()
    odd = record(version, uuid=uuid_text.format(u=sent, u_hex=sent.hex))
    response = client.post(SYNC, json=batch(odd, record(version, uuid=str(sent).upper())))
    assert statuses(response) == ["rejected", "stored"]
    assert [row["uuid"] for row in stored(session)] == [str(sent)]


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1969-12-31T23:59:59Z",
                                    "2200-01-01T00:00:00Z"])
@pytest.mark.parametrize("field", ["submitted_at", "started_at"])
def test_an_implausible_date_is_rejected_with_a_clear_reason(client, session, field, moment):
    """M1: year 1 or 9999 made every Solar Hijri results page fail."""
    version = current_version(client)
    response = client.post(SYNC, json=batch(record(version, **{field: moment}), record(version)))
    assert statuses(response) == ["rejected", "stored"]
    assert "plausible" in response.get_json()["results"][0]["errors"][field]


def test_a_source_that_cannot_be_stored_refuses_the_batch_naming_the_field(client, session):
    response = client.post(SYNC, data=b'{"source": "phone\\ud800", "submissions": []}', content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["field"] == "source"


def test_escaped_backslashes_and_surrogate_pairs_are_ordinary_text(client, session):
    text = "C:\\u0000 \\ud800 and 😀"
    answers = {"overall": "2", "why_low": text}
    response = client.post(SYNC, json=batch(record(current_version(client), answers=answers)))
    assert statuses(response) == ["stored"]
    assert stored(session)[0]["answers"]["why_low"] == text


@pytest.mark.parametrize(("body", "field"), [
    pytest.param([], None, id="body_a_list"),
    pytest.param("batch", None, id="body_a_string"),
    pytest.param({"source": "phone", "submissions": {}}, "submissions", id="submissions_a_dict"),
    pytest.param({"source": "phone"}, "submissions", id="submissions_missing"),
    pytest.param({"source": 17, "submissions": []}, "source", id="source_a_number"),
    pytest.param({"submissions": []}, "source", id="source_missing"),
    pytest.param({"source": "", "submissions": []}, "source", id="source_empty"),
    pytest.param({"source": "p" * 201, "submissions": []}, "source", id="source_too_long"),
])
def test_body_of_the_wrong_shape_is_refused_naming_the_field(client, session, body, field):
    response = client.post(SYNC, json=body)
    assert response.status_code == 400
    error = response.get_json()
    assert error["error"] == "bad_shape" and error.get("field") == field
    if field:
        assert f"'{field}'" in error["message"]
    assert counts(session) == (0, 0)


@pytest.mark.parametrize("item", ["a record", 17, None, ["uuid"]], ids=["string", "number", "null", "list"])
def test_record_that_is_not_an_object_is_rejected_and_kept(client, session, item):
    response = client.post(SYNC, json=batch(item, record(current_version(client))))
    assert statuses(response) == ["rejected", "stored"]
    assert response.get_json()["results"][0]["errors"] == {"record": "must be a JSON object"}
    assert counts(session) == (1, 1)


@pytest.mark.parametrize("field", ["why_low", "uuid", "form_id", "form_version", "lang", "workshop"])
def test_huge_string_is_rejected_and_kept_and_the_server_keeps_serving(client, session, field):
    version = current_version(client)
    huge = "س" * 1_000_000
    bad = record(version, answers={"overall": "2", "why_low": huge}) if field == "why_low" else {
        **record(version), field: huge}
    assert statuses(client.post(SYNC, json=batch(bad))) == ["rejected"]
    assert counts(session) == (0, 1)
    assert statuses(client.post(SYNC, json=batch(record(version)))) == ["stored"]
    assert counts(session) == (1, 1)


@pytest.mark.parametrize("answers", [{"overall": 10**400, "age": "30"}, {"overall": "4", "age": -(10**400)}])
def test_huge_number_is_rejected_not_a_server_error(client, session, answers):
    response = client.post(SYNC, json=batch(record(current_version(client), answers=answers)))
    assert statuses(response) == ["rejected"]
    assert counts(session) == (0, 1)


def test_integers_beyond_64_bits_are_kept_exactly(client, session):
    """orjson would read them as floats; such bodies are read the standard library's way."""
    answers = {"overall": 10**20, "age": -(2**64), "why_low": "1" * 19}
    response = client.post(SYNC, json=batch(record(current_version(client), answers=answers)))
    assert statuses(response) == ["rejected"]
    kept = session.exec(select(QuarantinedRecord)).one()
    assert kept.payload["answers"] == answers and isinstance(kept.payload["answers"]["overall"], int)


def read_as(reader, body: bytes) -> tuple:
    """What a body reader makes of a body: the value (repr tells 1 from 1.0 and shows key order), or its refusal."""
    try:
        return ("read", repr(reader(body)))
    except api.Refusal as refusal:
        return ("refused", refusal.status, refusal.error, refusal.message)


BODY_PIECES = [
    b"{", b"}", b"[", b"]", b",", b":", b" ", b"\t", b"\n", b"\r", b"\x0c", b"\x00", b"\x1f", b"\x7f", b'"', b'"a"',
    b'"\\u0000"', b'"\\\\u0000"', b'"\\\\\\u0000"', b'"\\ud800"', b'"\\udc00"', b'"\\ud83d\\ude00"', b'"\\uD83D"',
    b'"\\x"', b'"\\/"', b'"\\u00e9"', b"1", b"-0", b"-0.0", b"01", b".5", b"5.", b"1E5", b"2.5e-07", b"1e400",
    b"-1e-400", b"1.7976931348623157e308", b"1.8e308", b"0.1000000000000000055511151231257827", b"123456789012345678",
    b"9223372036854775807", b"-9223372036854775809", b"18446744073709551615", b"18446744073709551616",
    b"NaN", b"Infinity", b"-Infinity", b"true", b"false", b"null", b"tru", b"+1", b"-",
    b"\xef\xbb\xbf", b"\xed\xa0\x80", b"\xc0\x80", b"\xff", "é".encode(), "😀".encode(), "\u2028".encode(),
]


def random_body(rng: random.Random) -> bytes:
    """Mostly JSON, with numbers, escapes and bytes that JSON readers are known to treat differently."""
    def value(depth: int) -> bytes:
        kind = rng.randrange(10 if depth < 5 else 6)
        if kind < 6:
            return rng.choice([rng.choice(BODY_PIECES), str(rng.randint(-10**18, 10**18)).encode(),
                               repr(rng.random() * 10 ** rng.randint(-30, 30)).encode(), b'"x"', b"2.5"])
        if kind < 8:
            return b"[" + b",".join(value(depth + 1) for _ in range(rng.randrange(4))) + b"]"
        names = [b'"a"', b'"b"', b'"\\u0061"', b'"\xc3\xa9"', b'"\\ud800"']
        keys = [rng.choice(names) for _ in range(rng.randrange(5))]
        return b"{" + b",".join(key + b":" + value(depth + 1) for key in keys) + b"}"

    body = bytearray(value(0))
    if rng.random() < 0.3:
        for _ in range(rng.randint(1, 3)):
            at = rng.randint(0, len(body))
            body[at:at] = rng.choice(BODY_PIECES)
    return bytes(body)


def test_a_body_is_read_exactly_as_the_standard_library_reads_it():
    """orjson reads most bodies; every one must give the same value, or the same refusal, as before."""
    rng = random.Random(20261122)
    bodies = [random_body(rng) for _ in range(4000)]
    bodies += [b'{"a": 1, "b": 2, "a": 3}', b"[" * 300 + b"]" * 300, b"[" * 1020 + b"]" * 1020, b'["\\u0000"]']
    for body in bodies:
        assert read_as(api._json, body) == read_as(api._stdlib_json, body), body
        assert read_as(api._json, bytearray(body)) == read_as(api._stdlib_json, body), body
    ordinary = encoded(batch(*[record("v1", answers={"why_low": "کمی 😀", "age": 30, "hours": 2.5})] * 3))
    assert api._orjson(ordinary) is not api._NOT_READ  # the fast reader is the one tested above


def test_results_are_written_byte_for_byte_as_jsonify_writes_them(app):
    rng = random.Random(5)
    texts = ["", "stored", "کمی", "😀", "\x7f", "\x00", "\n", "</script>", '"', "\\", "\u2028", "e\u0301"]
    for debug in (False, True):
        app.debug = debug
        for _ in range(300):
            results = [{"uuid": rng.choice([None, str(uuid.uuid4()), rng.choice(texts)]), "status": rng.choice(texts),
                        "errors": {rng.choice(texts): rng.choice(texts) for _ in range(rng.randrange(3))}}
                       for _ in range(rng.randrange(4))]
            with app.test_request_context():
                ours, flasks = api.results_response(results), api.jsonify(results=results)
                assert ours.get_data() == flasks.get_data(), results
                assert ours.mimetype == flasks.mimetype == "application/json"


@pytest.mark.parametrize("anonymous", [True, False])
@pytest.mark.parametrize("header", ["Bearer wrong-token", "Bearer ", "Basic d29ya3Nob3A6", TOKEN])
def test_wrong_token_is_refused_and_nothing_stored(app, client, session, anonymous, header):
    app.config.update(SURVEY_ANONYMOUS_SYNC=anonymous, SURVEY_SYNC_TOKENS=[TOKEN])
    response = client.post(SYNC, json=batch(record(current_version(client))), headers={"Authorization": header})
    assert response.status_code == 401
    assert response.get_json()["error"] == "bad_token"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert counts(session) == (0, 0)


def test_missing_token_is_refused_when_anonymous_sync_is_off(app, client, session):
    app.config.update(SURVEY_ANONYMOUS_SYNC=False, SURVEY_SYNC_TOKENS=[TOKEN])
    response = client.post(SYNC, json=batch(record(current_version(client))))
    assert response.status_code == 401
    assert response.get_json()["error"] == "token_required"
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert counts(session) == (0, 0)


@pytest.mark.parametrize("tokens", [[TOKEN], ["other-token", TOKEN], [f" {TOKEN} "]],
                         ids=["only", "second", "padded"])
def test_known_token_is_accepted_when_anonymous_sync_is_off(app, client, session, tokens):
    app.config.update(SURVEY_ANONYMOUS_SYNC=False, SURVEY_SYNC_TOKENS=tokens)
    response = client.post(SYNC, json=batch(record(current_version(client))),
                           headers={"Authorization": f"Bearer {TOKEN}"})
    assert statuses(response) == ["stored"]


@pytest.mark.parametrize("method", ["commit", "exec"])
def test_database_failure_answers_503_and_acknowledges_nothing(client, session, monkeypatch, method):
    body = batch(record(current_version(client)))

    def fail(*args, **kwargs):
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(sqlmodel.Session, method, fail)
    response = client.post(SYNC, json=body)
    monkeypatch.undo()
    assert response.status_code == 503
    assert response.get_json()["error"] == "unavailable" and "results" not in response.get_json()
    assert counts(session) == (0, 0)
    assert statuses(client.post(SYNC, json=body)) == ["stored"]


def test_results_are_not_cached(client):
    response = client.post(SYNC, json=batch())
    assert response.get_json() == {"results": []}
    assert response.headers["Cache-Control"] == "no-store"


def test_sync_sets_no_cookie_and_no_cors_header(client):
    response = client.post(SYNC, json=batch(), headers={"Origin": "https://elsewhere.example"})
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert not any(name.lower().startswith("access-control-") for name, _ in response.headers.items())


def broken_forms_list(*args, **kwargs):
    raise RuntimeError("a bug")


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/api/v1/no-such-thing", 404),
    ("GET", "/api/v1", 404),
    ("GET", SYNC, 405),
    ("DELETE", "/api/v1/forms", 405),
    ("POST", SYNC, 413),
    ("GET", "/api/v1/forms", 500),
])
def test_api_errors_are_json_never_html(app, client, monkeypatch, method, path, status):
    app.config.update(MAX_CONTENT_LENGTH=10, PROPAGATE_EXCEPTIONS=False)
    monkeypatch.setattr("survey_app.api.current_versions", broken_forms_list)
    response = client.open(path, method=method, data=b'{"source": "phone", "submissions": []}')
    assert response.status_code == status
    assert response.is_json and set(response.get_json()) >= {"error", "message"}
    if status == 405:
        assert method not in response.headers["Allow"]


def test_pages_outside_the_api_keep_their_own_errors(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and not response.is_json
