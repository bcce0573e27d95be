"""The organisers' import page: a file carried from a workshop laptop or a phone, stored once, refused whole."""

import gzip
import hashlib
import io
import json
import re

import pytest
from sqlmodel import select

from survey_app import create_app
from survey_app.models import AuditEvent
from survey_app.models import QuarantinedRecord
from survey_app.models import Submission

from .test_results import sign_in
from .test_sync_files import _answer_changed
from .test_sync_files import _lines
from .test_sync_files import _recompressed
from .test_sync_files import current_version
from .test_sync_files import make_record
from .test_sync_files import rows
from .test_sync_files import stored_copies


@pytest.fixture
def laptop(app_config, tmp_path):
    """A workshop laptop with 12 answers, and the export it wrote."""
    from sqlmodel import Session

    from survey_app.submissions import apply_batch

    laptop = create_app({**app_config, "INSTANCE_PATH": str(tmp_path / "laptop"),
                         "SURVEY_DATABASE_URL": f"sqlite:///{tmp_path / 'laptop.db'}"})
    version = current_version(laptop)
    with Session(laptop.extensions["survey_engine"]) as session:
        apply_batch(session=session, records=[make_record(version) for _ in range(12)], source="laptop-1")
    path = tmp_path / "answers.jsonl.gz"
    result = laptop.test_cli_runner().invoke(args=["sync", "export", "-o", str(path)])
    assert result.exit_code == 0, result.output
    yield laptop, path
    laptop.extensions["survey_engine"].dispose()


@pytest.fixture
def organiser(client, session):
    sign_in(client, session)
    return client


def upload(client, content: bytes, filename="answers.jsonl.gz"):
    return client.post("/organise/import", data={"file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


def counts_on(page: bytes) -> dict:
    return {status: int(number) for status, number in
            re.findall(r'data-status="(\w+)">([0-9]+)<', page.decode())}


def test_import_page_needs_an_organiser(client, session):
    assert client.get("/organise/import").status_code == 302
    sign_in(client, session, role="translator")
    assert client.get("/organise/import").status_code == 403
    assert upload(client, b"{}").status_code == 403


def test_export_uploaded_is_stored_once_and_logged(app, organiser, laptop, session):
    laptop_app, path = laptop
    page = organiser.get("/organise/import?lang=en")
    assert page.status_code == 200 and b'enctype="multipart/form-data"' in page.data

    first = upload(organiser, path.read_bytes())
    assert first.status_code == 200
    assert counts_on(first.data) == {"stored": 12, "duplicate": 0, "conflict": 0, "rejected": 0}
    assert stored_copies(app) == stored_copies(laptop_app)

    again = upload(organiser, path.read_bytes())
    assert counts_on(again.data) == {"stored": 0, "duplicate": 12, "conflict": 0, "rejected": 0}
    assert rows(app) == 12
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "import_file")).all()
    assert [event.detail.get("stored") for event in events] == [12, None]
    assert events[1].detail["duplicate"] == 12 and events[0].detail["filename"] == "answers.jsonl.gz"


def test_damaged_export_is_refused_whole_with_the_reason_next_to_the_field(app, organiser, laptop):
    _laptop_app, path = laptop
    lines = _lines(path)
    cut = _recompressed(lines[:-1])  # the end line lost while copying
    response = upload(organiser, cut)
    assert response.status_code == 400
    assert rows(app) == 0
    page = response.data.decode()
    assert 'class="error"' in page and "cut off while copying" in page

    response = upload(organiser, _answer_changed(path))
    assert response.status_code == 400 and "checksum" in response.data.decode()
    assert rows(app) == 0


def test_reason_is_given_in_the_organisers_language(organiser):
    response = organiser.get("/organise/import?lang=fa")
    assert response.status_code == 200
    response = upload(organiser, b"not a file of answers")
    assert response.status_code == 400
    page = response.data.decode()
    assert 'lang="fa"' in page and "not a file of answers" not in page
    assert re.search(r'class="error"[^>]*>[^<]*[\u0600-\u06ff]', page), page


def test_phone_file_with_a_bad_record_keeps_it_in_quarantine(app, organiser):
    version = current_version(app)
    good = make_record(version)
    bad = make_record(version, answers={"overall": "9"})  # not one of the options
    body = json.dumps({"source": "phone of participant", "submissions": [good, bad]}).encode()
    response = upload(organiser, gzip.compress(body), filename="answers.json")
    assert counts_on(response.data) == {"stored": 1, "duplicate": 0, "conflict": 0, "rejected": 1}
    assert "/organise/quarantine" in response.data.decode()
    assert rows(app) == 1 and rows(app, QuarantinedRecord) == 1


def test_no_file_and_too_large_file_get_a_message(app_config, organiser):
    response = organiser.post("/organise/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and 'class="error"' in response.data.decode()

    small = create_app({**app_config, "SURVEY_IMPORT_MAX_BYTES": 1024}).test_client()
    with organiser.session_transaction() as cookie:
        signed_in = dict(cookie)
    with small.session_transaction() as cookie:
        cookie.update(signed_in)
    response = upload(small, b"x" * 4096)
    assert response.status_code == 413 and 'class="error"' in response.data.decode()


def test_upload_needs_the_csrf_token(app_config, client, session):
    guarded = create_app({**app_config, "WTF_CSRF_ENABLED": True}).test_client()
    sign_in(guarded, session)
    response = upload(guarded, b"{}")
    assert response.status_code == 400
    assert session.exec(select(Submission)).all() == []


POISONED = {
    "nul_in_an_answer": lambda good: json.dumps({**good, "answers": {"overall": "4", "why_low": "a\x00b"}}),
    "lone_surrogate": lambda good: json.dumps({**good, "answers": {"overall": "4", "why_low": "\ud800"}}),
    "nested_5000_deep": lambda good: '{"uuid": "x", "answers": ' + "[" * 5000 + "]" * 5000 + "}",
    "uuid_with_a_newline": lambda good: json.dumps({**good, "uuid": good["uuid"] + "\n"}),
}


@pytest.mark.parametrize("poison", POISONED, ids=list(POISONED))
def test_a_poisoned_record_in_a_phone_file_is_kept_aside_and_the_rest_stored(app, organiser, poison):
    """L9: each of these failed the whole upload with a 500."""
    version = current_version(app)
    good = [make_record(version) for _ in range(3)]
    bad = POISONED[poison](make_record(version))
    listed = ", ".join([json.dumps(good[0]), bad, json.dumps(good[1]), json.dumps(good[2])])
    body = f'{{"source": "phone-9", "submissions": [{listed}]}}'
    response = upload(organiser, gzip.compress(body.encode()), filename="answers.json")
    assert response.status_code == 200
    assert counts_on(response.data) == {"stored": 3, "duplicate": 0, "conflict": 0, "rejected": 1}
    assert rows(app) == 3 and rows(app, QuarantinedRecord) == 1
    quarantine = organiser.get("/organise/quarantine")
    assert quarantine.status_code == 200


@pytest.mark.parametrize("poison", POISONED, ids=list(POISONED))
def test_a_poisoned_line_in_an_export_is_kept_aside_and_the_rest_stored(app, organiser, poison):
    version = current_version(app)
    good = [make_record(version) for _ in range(3)]
    lines = [json.dumps({"format": "survey-submissions", "version": 1, "source": "laptop"}).encode() + b"\n"]
    lines += [json.dumps(good[0]).encode() + b"\n", POISONED[poison](make_record(version)).replace("\n", "\\n")
              .encode("utf-8", "surrogatepass") + b"\n", json.dumps(good[1]).encode() + b"\n"]
    lines.append(json.dumps({"end": "survey-submissions", "count": 3,
                             "sha256": hashlib.sha256(b"".join(lines)).hexdigest()}).encode() + b"\n")
    response = upload(organiser, gzip.compress(b"".join(lines)))
    assert response.status_code == 200
    assert counts_on(response.data) == {"stored": 2, "duplicate": 0, "conflict": 0, "rejected": 1}
    assert rows(app) == 2 and rows(app, QuarantinedRecord) == 1


def test_a_file_of_millions_of_empty_objects_is_refused_at_once(app, organiser):
    """M5: 150 MB of `{}` lines under a checksummed header kept a worker busy past its timeout."""
    header = json.dumps({"format": "survey-submissions", "version": 1, "source": "x"}).encode() + b"\n"
    bomb = gzip.compress(header + b"{}\n" * (50 * 1024 * 1024), compresslevel=9)
    response = upload(organiser, bomb)
    assert response.status_code == 400
    assert "Nothing was imported" in response.data.decode() or 'class="error"' in response.data.decode()
    assert rows(app) == 0 and rows(app, QuarantinedRecord) == 0


def test_a_file_with_more_answers_than_the_page_can_store_is_refused_before_storing(app, organiser):
    app.config["SURVEY_IMPORT_PAGE_MAX_RECORDS"] = 2
    version = current_version(app)
    body = json.dumps({"source": "phone", "submissions": [make_record(version) for _ in range(3)]}).encode()
    response = upload(organiser, body, filename="answers.json")
    assert response.status_code == 400 and 'class="error"' in response.data.decode()
    assert rows(app) == 0
