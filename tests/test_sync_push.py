"""Pushes between two real servers on loopback, interrupted by SIGKILL on either side."""

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text
from sqlalchemy.pool import NullPool
from sqlmodel import Session
from sqlmodel import select as sqlmodel_select

from survey_app import create_app
from survey_app.forms_store import get_version
from survey_app.submissions import apply_batch
from survey_app.sync_client import RetryPolicy
from survey_app.sync_client import TransientError
from survey_app.sync_client import normalise_url
from survey_app.sync_client import with_retries

from .conftest import TEST_FORMS
from .servers import ROOT
from .servers import LiveServer

TOTAL = 5000
PATIENCE = 120  # seconds any one wait may take before the test gives up; never reached when things work


@pytest.fixture(scope="module")
def workshop_template(tmp_path_factory):
    """A workshop server's SQLite file holding TOTAL valid submissions, made once and copied per test."""
    folder = tmp_path_factory.mktemp("workshop-template")
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(folder / "instance"),
                      "SURVEY_DATABASE_URL": f"sqlite:///{folder / 'workshop.db'}",
                      "SURVEY_FORMS_DIR": str(TEST_FORMS)})
    engine = app.extensions["survey_engine"]
    with Session(engine) as session:
        version = get_version(session=session, form_id="sample_feedback").version
        for _ in range(TOTAL // 1000):
            records = [{"uuid": str(uuid.uuid4()), "form_id": "sample_feedback", "form_version": version,
                        "lang": "fa", "submitted_at": "2026-01-05T08:05:00Z", "workshop": None,
                        "answers": {"overall": "4", "age": "30"}} for _ in range(1000)]
            apply_batch(session=session, records=records, source="phone-1")
    engine.dispose()  # checkpoints the WAL into the file, so copying the file copies everything
    assert count(f"sqlite:///{folder / 'workshop.db'}", "submission") == TOTAL
    return folder / "workshop.db"


class WorkshopServer:
    """The sending side: a copy of the template database, pushed with the real CLI in a child process."""

    def __init__(self, folder, template):
        folder.mkdir()
        shutil.copy(template, folder / "workshop.db")
        self.url = f"sqlite:///{folder / 'workshop.db'}"
        self.log = folder / "push.log"
        self.env = {**os.environ, "SURVEY_DATABASE_URL": self.url, "SURVEY_INSTANCE_PATH": str(folder / "instance"),
                    "SURVEY_FORMS_DIR": str(TEST_FORMS), "SURVEY_SECRET_KEY": "workshop-secret"}

    def start_push(self, to: str, *options: str) -> subprocess.Popen:
        with self.log.open("wb") as log:
            return subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "survey_app", "sync", "push", "--to", to, *options],
                env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            )

    def push(self, to: str, *options: str) -> tuple[int, str]:
        process = self.start_push(to, *options)
        process.wait(PATIENCE)
        return process.returncode, self.output()

    def output(self) -> str:
        return self.log.read_text()

    def acknowledged(self) -> int:
        return count(self.url, "pushack")


def count(url: str, table: str) -> int:
    """Count rows with a connection of the test's own, so no server's locks are held."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608
    finally:
        engine.dispose()


def wait_until(condition, what: str):
    """Poll a condition until it holds, giving up after PATIENCE seconds."""
    deadline = time.monotonic() + PATIENCE
    while not (value := condition()):
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.02)
    return value


def summary(output: str) -> dict:
    return {status: int(n) for status, n in (line.split(": ") for line in output.splitlines()
                                            if line.split(":")[0] in ("stored", "duplicate", "conflict", "rejected"))}


@pytest.fixture
def central(database_url, tmp_path):
    server = LiveServer(tmp_path / "central", database_url, TEST_FORMS).start(timeout=PATIENCE)
    server.database_url = database_url
    yield server
    server.stop()


@pytest.fixture
def workshop(tmp_path, workshop_template):
    return WorkshopServer(tmp_path / "workshop", workshop_template)


def interrupted_push_resumes(workshop, central, interrupt) -> None:
    """Start a push, interrupt it once the central server holds some but not all, then push to the end."""
    push = workshop.start_push(central.url, "--batch-size", "250", "--attempts", "3", "--retry-delay", "0.05")
    try:
        # 1,000 held means the fourth batch was sent, so the first three were acknowledged.
        held = wait_until(lambda: count(central.database_url, "submission") >= 1000 or push.poll() is not None,
                          "a part of the push to arrive")
        assert push.poll() is None and count(central.database_url, "submission") < TOTAL, "the push was not caught"
        interrupt(push)
    finally:
        if push.poll() is None:
            push.kill()
        push.wait(PATIENCE)
    assert held
    acknowledged = workshop.acknowledged()
    assert 750 <= acknowledged < TOTAL

    returncode, output = workshop.push(central.url, "--batch-size", "250")
    assert returncode == 0, output
    assert count(central.database_url, "submission") == TOTAL
    assert workshop.acknowledged() == TOTAL
    sent = summary(output)
    assert sent["stored"] + sent["duplicate"] == TOTAL - acknowledged  # only what was not acknowledged
    assert sent["conflict"] == sent["rejected"] == 0


def test_push_killed_part_way_resumes_without_loss(workshop, central):
    def kill_push(push):
        push.send_signal(signal.SIGKILL)
        assert push.wait(PATIENCE) == -signal.SIGKILL

    interrupted_push_resumes(workshop, central, kill_push)


def test_push_to_a_receiver_killed_part_way_resumes_without_loss(workshop, central):
    def kill_receiver(push):
        central.kill()
        # Nothing listens now, so the push gives up after its few quick attempts.
        assert push.wait(PATIENCE) == 1
        assert "push stopped after" in workshop.output()
        central.start(timeout=PATIENCE)

    interrupted_push_resumes(workshop, central, kill_receiver)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_refused_token_stops_at_once(workshop, tmp_path, database_url):
    central = LiveServer(tmp_path / "central", database_url, TEST_FORMS,
                         SURVEY_ANONYMOUS_SYNC="0", SURVEY_SYNC_TOKENS="right-token").start(timeout=PATIENCE)
    try:
        returncode, output = workshop.push(central.url, "--token", "wrong-token", "--retry-delay", "30")
    finally:
        central.stop()
    assert returncode == 1
    assert "refused the token (401)" in output and "Attempt" not in output
    assert workshop.acknowledged() == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_too_large_batch_is_halved(workshop, tmp_path, database_url):
    central = LiveServer(tmp_path / "central", database_url, TEST_FORMS, SURVEY_SYNC_MAX_RECORDS="400")
    central.start(timeout=PATIENCE)
    try:
        returncode, output = workshop.push(f"{central.url}/", "--batch-size", "1000")
    finally:
        central.stop()
    assert returncode == 0, output
    assert count(database_url, "submission") == workshop.acknowledged() == TOTAL


def test_pull_forms_publishes_the_central_questionnaires(central, tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path / "laptop"),
                      "SURVEY_DATABASE_URL": f"sqlite:///{tmp_path / 'laptop.db'}",
                      "SURVEY_FORMS_DIR": str(tmp_path / "no-forms-here")})
    runner = app.test_cli_runner()
    try:
        first = runner.invoke(args=["sync", "pull-forms", "--from", central.url + "/"])
        again = runner.invoke(args=["sync", "pull-forms", "--from", central.url])
        with Session(app.extensions["survey_engine"]) as session:
            local = get_version(session=session, form_id="sample_feedback")
    finally:
        app.extensions["survey_engine"].dispose()
    assert first.exit_code == 0, first.output
    assert f"published sample_feedback new {local.version}" in first.output
    assert again.output.strip() == f"unchanged sample_feedback {local.version}"
    assert local.number == 1


@pytest.mark.parametrize(("url", "expected"), [
    ("http://127.0.0.1:5000/", "http://127.0.0.1:5000"),
    ("HTTP://Central.Example.org:80//", "http://central.example.org"),
    ("https://central.example.org:443/survey/", "https://central.example.org/survey"),
    (" https://central.example.org:8443 ", "https://central.example.org:8443"),
])
def test_destination_address_is_normalised(url, expected):
    assert normalise_url(url) == expected


@pytest.mark.parametrize("url", ["file:///etc/passwd", "central.example.org", "ftp://central"])
def test_destination_must_be_http(url):
    with pytest.raises(ValueError, match="http"):
        normalise_url(url)


def test_backoff_doubles_with_jitter_up_to_a_cap():
    policy = RetryPolicy(first_delay=1, max_delay=10)
    for attempt, ceiling in [(1, 1), (2, 2), (3, 4), (4, 8), (5, 10), (12, 10)]:
        waits = {policy.delay(attempt) for _ in range(50)}
        assert all(min(ceiling, 10) / 2 <= wait <= ceiling for wait in waits)
        assert len(waits) > 1
    assert policy.delay(1, retry_after=7) == 7


def test_transient_failures_are_retried_a_bounded_number_of_times():
    waits, calls = [], []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise TransientError("503 unavailable")
        return "done"

    assert with_retries(flaky, RetryPolicy(attempts=3, sleep=waits.append)) == "done"
    assert len(waits) == 2
    calls.clear()
    with pytest.raises(Exception, match="gave up after 2 attempts"):
        with_retries(flaky, RetryPolicy(attempts=2, sleep=waits.append))


# Records a workshop laptop may hold from before its own checks refused them (rows written by an older
# version, or around the app), each placed among good ones: (id, SQL assignments).
POISONED_ROWS = {
    1200: "uuid = uuid || char(10)",  # H1: a UUID with a newline
    2500: """answers = '{"overall": "2", "why_low": "a\\u0000b"}'""",  # H2: NUL in a text answer
    2501: """answers = '{"overall": "2", "why_low": "\\ud800"}'""",  # a lone surrogate
    4000: "submitted_at = '0001-01-01 00:00:00.000000'",  # M1: year 1
    4999: """answers = '{"overall": Infinity, "age": "30"}'""",  # a number beyond a double
}


def poison(workshop) -> None:
    engine = create_engine(workshop.url, poolclass=NullPool)
    with engine.begin() as connection:
        for row_id, assignment in POISONED_ROWS.items():
            connection.execute(text(f"UPDATE submission SET {assignment} WHERE id = {row_id}"))  # noqa: S608
    engine.dispose()


def test_poisoned_records_never_stop_a_push_and_are_kept_aside_on_both_sides(workshop, central):
    """One bad record never holds back another: every good one arrives, each bad one is quarantined twice."""
    poison(workshop)
    returncode, output = workshop.push(central.url, "--batch-size", "250", "--attempts", "2", "--retry-delay", "0.05")
    assert returncode == 0, output
    good = TOTAL - len(POISONED_ROWS)
    assert count(central.database_url, "submission") == good
    assert count(central.database_url, "quarantinedrecord") == len(POISONED_ROWS)
    assert count(workshop.url, "quarantinedrecord") == len(POISONED_ROWS)
    assert workshop.acknowledged() == TOTAL
    assert summary(output) == {"stored": good, "duplicate": 0, "conflict": 0, "rejected": len(POISONED_ROWS)}
    returncode, output = workshop.push(central.url)
    assert returncode == 0 and summary(output)["stored"] == 0  # nothing is left to send


def test_a_batch_refused_whole_is_halved_until_the_refused_record_is_alone(app, session, monkeypatch):
    """An older server answers 400 for a whole batch holding one record it cannot read: the others still go."""
    from survey_app import sync_client
    from survey_app.models import PushAck
    from survey_app.models import QuarantinedRecord

    version = get_version(session=session, form_id="sample_feedback").version
    records = [{"uuid": str(uuid.uuid4()), "form_id": "sample_feedback", "form_version": version, "lang": "en",
                "submitted_at": "2026-01-05T08:05:00Z", "answers": {"overall": "4", "age": "30"}} for _ in range(40)]
    apply_batch(session=session, records=records, source="phone-1")
    refused = {records[3]["uuid"], records[31]["uuid"]}
    sent = []

    def older_server(endpoint, *, records, **options):
        sent.append(len(records))
        if refused & {record["uuid"] for record in records}:
            raise sync_client.Refused("400 The body is not JSON this server accepts")
        return [{"uuid": record["uuid"], "status": "stored", "errors": {}} for record in records]

    monkeypatch.setattr(sync_client, "send_batch", older_server)
    report = sync_client.push(session=session, url="http://central.test", source="laptop", batch_size=16)
    assert report.error is None
    assert report.counts == {"stored": 38, "refused": 2}
    kept = session.exec(sqlmodel_select(QuarantinedRecord)).all()
    assert {row.uuid for row in kept} == refused and {row.status for row in kept} == {"not_accepted"}
    assert "central.test" in str(kept[0].reasons["delivery"])
    assert len(session.exec(sqlmodel_select(PushAck)).all()) == 40
    assert len(sent) < 40  # halving, not one record at a time
    sent.clear()
    assert sync_client.push(session=session, url="http://central.test", source="laptop").counts == {}
    assert sent == []
