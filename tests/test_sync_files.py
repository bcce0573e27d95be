"""Exports and imports of submission files, through the CLI: round trip, resending, damage."""

import gzip
import hashlib
import io
import json
import uuid
from pathlib import Path

import pytest
from sqlmodel import Session
from sqlmodel import func
from sqlmodel import select

from survey_app import create_app
from survey_app.forms_store import get_version
from survey_app.models import PushAck
from survey_app.models import QuarantinedRecord
from survey_app.models import Submission
from survey_app.submissions import apply_batch
from survey_app.sync_files import SubmissionFileError
from survey_app.sync_files import read_submission_file


def make_record(version: str, **changes) -> dict:
    record = {"uuid": str(uuid.uuid4()), "form_id": "sample_feedback", "form_version": version, "lang": "fa",
              "started_at": "2026-01-05T08:00:00Z", "submitted_at": "2026-01-05T08:05:30Z",
              "workshop": None, "answers": {"overall": "4", "age": "30", "topics": ["work"]}}
    record.update(changes)
    return record


def current_version(app) -> str:
    with Session(app.extensions["survey_engine"]) as session:
        return get_version(session=session, form_id="sample_feedback").version


def fill(app, count: int) -> list[dict]:
    """Store count valid submissions in an app's database and return what was sent."""
    version = current_version(app)
    records = [make_record(version) for _ in range(count)]
    with Session(app.extensions["survey_engine"]) as session:
        apply_batch(session=session, records=records, source="phone-1")
    assert rows(app) == count
    return records


def rows(app, table=Submission) -> int:
    with Session(app.extensions["survey_engine"]) as session:
        return session.exec(select(func.count()).select_from(table)).one()


def stored_copies(app) -> dict:
    with Session(app.extensions["survey_engine"]) as session:
        return {s.uuid: (s.form_version, s.lang, s.answers, s.workshop, s.started_at, s.submitted_at)
                for s in session.exec(select(Submission))}


def counts_in(output: str) -> dict:
    return {status: int(n) for status, n in (line.split(": ") for line in output.splitlines()
                                            if line.split(":")[0] in ("stored", "duplicate", "conflict", "rejected"))}


@pytest.fixture
def other_app(app_config, tmp_path):
    """A second server (a central one) on its own SQLite file."""
    other = create_app({**app_config, "INSTANCE_PATH": str(tmp_path / "other-instance"),
                        "SURVEY_DATABASE_URL": f"sqlite:///{tmp_path / 'other.db'}"})
    yield other
    other.extensions["survey_engine"].dispose()


@pytest.fixture
def exported(app, runner, tmp_path):
    """An export of 30 submissions."""
    fill(app, 30)
    path = tmp_path / "submissions.jsonl.gz"
    result = runner.invoke(args=["sync", "export", "-o", str(path)])
    assert result.exit_code == 0, result.output
    assert "Wrote 30 submissions" in result.output
    return path


def import_file(app, path):
    return app.test_cli_runner().invoke(args=["sync", "import", str(path)])


def test_export_then_import_copies_every_submission(app, other_app, exported):
    result = import_file(other_app, exported)
    assert result.exit_code == 0, result.output
    assert counts_in(result.output) == {"stored": 30, "duplicate": 0, "conflict": 0, "rejected": 0}
    assert stored_copies(other_app) == stored_copies(app)


def test_importing_the_same_file_twice_changes_nothing(other_app, exported):
    import_file(other_app, exported)
    before = (rows(other_app), rows(other_app, QuarantinedRecord))
    result = import_file(other_app, exported)
    assert result.exit_code == 0, result.output
    assert counts_in(result.output) == {"stored": 0, "duplicate": 30, "conflict": 0, "rejected": 0}
    assert (rows(other_app), rows(other_app, QuarantinedRecord)) == before


def test_export_file_is_gzip_json_lines_with_header_and_checksum(app, exported):
    lines = gzip.decompress(exported.read_bytes()).splitlines(keepends=True)
    header, records, end = json.loads(lines[0]), lines[1:-1], json.loads(lines[-1])
    assert header["format"] == "survey-submissions" and header["version"] == 1
    assert header["source"] == (Path(app.instance_path) / "server_id").read_text().strip()
    assert end == {"end": "survey-submissions", "count": 30,
                   "sha256": hashlib.sha256(b"".join(lines[:-1])).hexdigest()}
    assert set(json.loads(records[0])) == {"uuid", "form_id", "form_version", "lang", "started_at",
                                           "submitted_at", "workshop", "answers"}


def test_export_leaves_out_acknowledged_submissions_unless_all(app, runner, tmp_path):
    fill(app, 5)
    with Session(app.extensions["survey_engine"]) as session:
        for submission in list(session.exec(select(Submission).order_by(Submission.id)))[:2]:
            session.add(PushAck(destination="http://central", submission_id=submission.id, status="stored"))
        session.commit()
    for args, expected in ([], 3), (["--all"], 5):
        path = tmp_path / f"export{len(args)}.gz"
        assert runner.invoke(args=["sync", "export", "-o", str(path), *args]).exit_code == 0
        assert read_submission_file(path.open("rb")).count == expected


def test_server_id_can_come_from_the_environment(app, runner, tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEY_SERVER_ID", "laptop-shiraz")
    path = tmp_path / "export.gz"
    assert runner.invoke(args=["sync", "export", "-o", str(path)]).exit_code == 0
    assert read_submission_file(path.open("rb")).source == "laptop-shiraz"


def _lines(path) -> list[bytes]:
    return gzip.decompress(path.read_bytes()).splitlines(keepends=True)


def _recompressed(lines: list[bytes]) -> bytes:
    return gzip.compress(b"".join(lines))


def _answer_changed(path) -> bytes:
    lines = _lines(path)
    lines[5] = lines[5].replace(b'"overall":4', b'"overall":5')  # still valid JSON and a valid answer
    assert lines[5] != _lines(path)[5]
    return _recompressed(lines)


def _byte_flipped(path) -> bytes:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    return bytes(data)


def _wrong_checksum(path) -> bytes:
    lines = _lines(path)
    end = json.loads(lines[-1])
    end["sha256"] = hashlib.sha256(b"something else").hexdigest()
    return _recompressed([*lines[:-1], json.dumps(end).encode() + b"\n"])


DAMAGE = {
    "answer changed inside a record": (_answer_changed, "checksum does not match"),
    "one byte flipped in the compressed file": (_byte_flipped, "damaged"),
    "compressed file cut in half": (lambda path: path.read_bytes()[: len(path.read_bytes()) // 2], "incomplete"),
    "last lines missing": (lambda path: _recompressed(_lines(path)[:-3]), "no end line"),
    "record line cut off": (lambda path: _recompressed([*_lines(path)[:-1], b'{"uuid": "ab']), "cut off"),
    "wrong checksum": (_wrong_checksum, "checksum does not match"),
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_damaged_file_is_refused_and_stores_nothing(other_app, exported, tmp_path, damage):
    change, message = damage
    damaged = tmp_path / "damaged.gz"
    damaged.write_bytes(change(exported))
    result = import_file(other_app, damaged)
    assert result.exit_code == 1
    assert message in result.output and "Nothing was imported" in result.output
    assert rows(other_app) == 0 and rows(other_app, QuarantinedRecord) == 0


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_phone_answers_file_imports(app, tmp_path, compress):
    version = current_version(app)
    body = {"source": "phone-7f3a", "submissions": [make_record(version), make_record(version),
                                                    make_record(version, answers={"overall": "9"})]}
    data = json.dumps(body, ensure_ascii=False, indent=2).encode()
    path = tmp_path / "answers.json"
    path.write_bytes(gzip.compress(data) if compress else data)
    result = import_file(app, path)
    assert result.exit_code == 0, result.output
    assert "phone answers file from phone-7f3a, 3 submissions" in result.output
    assert counts_in(result.output) == {"stored": 2, "duplicate": 0, "conflict": 0, "rejected": 1}
    with Session(app.extensions["survey_engine"]) as session:
        assert {s.source for s in session.exec(select(Submission))} == {"phone-7f3a"}


@pytest.mark.parametrize("content", [b"", b"not json at all", b'{"submissions": "no"}', b"[1, 2]",
                                     b'{"format": "survey-submissions", "version": 2}\n'])
def test_file_that_is_not_a_submissions_file_is_refused(content):
    with pytest.raises(SubmissionFileError):
        read_submission_file(io.BytesIO(content))


def test_file_is_read_from_a_stream_that_cannot_seek(exported):
    class Stream(io.RawIOBase):
        def __init__(self, data):
            self.data = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, buffer):
            return self.data.readinto(buffer)

    checked = read_submission_file(io.BufferedReader(Stream(exported.read_bytes())))
    assert checked.count == 30 and len(list(checked.records())) == 30


@pytest.mark.parametrize("bad", [
    pytest.param('{"uuid": "x", "answers": ' + "[" * 5000 + "]" * 5000 + "}", id="nested_5000_deep"),
    pytest.param('{"uuid": "6d1f8a0e-94a3-4f6b-9d0c-1a2b3c4d5e6f\\n", "answers": {}}', id="uuid_with_a_newline"),
    pytest.param('{"uuid": "6d1f8a0e-94a3-4f6b-9d0c-1a2b3c4d5e6f", "answers": {"why_low": "\\ud800\\u0000"}}',
                 id="lone_surrogate_and_nul"),
])
def test_sync_import_keeps_a_poisoned_record_aside_and_stores_the_rest(app, tmp_path, bad):
    """L9, from the command line: the same checks as the sync API, one record at a time."""
    version = current_version(app)
    good = [json.dumps(make_record(version)) for _ in range(2)]
    path = tmp_path / "answers.json"
    path.write_text(f'{{"source": "phone-1", "submissions": [{good[0]}, {bad}, {good[1]}]}}')
    result = import_file(app, path)
    assert result.exit_code == 0, result.output
    assert counts_in(result.output) == {"stored": 2, "duplicate": 0, "conflict": 0, "rejected": 1}
    assert rows(app) == 2 and rows(app, QuarantinedRecord) == 1
