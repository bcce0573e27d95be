"""The production server: gunicorn workers run the unchanged app, configured only by the environment."""

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from survey_app import create_app
from survey_app import forms_store

from .conftest import TEST_FORMS

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "central-server-token"


def test_production_without_secret_key_refuses_to_start(app_config, monkeypatch):
    monkeypatch.setenv("SURVEY_ENV", "production")
    monkeypatch.delenv("SURVEY_SECRET_KEY", raising=False)
    config = {key: value for key, value in app_config.items() if key != "SECRET_KEY"}
    with pytest.raises(RuntimeError, match="SURVEY_SECRET_KEY"):
        create_app(config)


def test_worker_losing_a_publishing_race_starts_anyway(app_config, monkeypatch):
    real = forms_store.load_forms_folder
    calls = []

    def racing(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise IntegrityError("INSERT INTO form", {}, Exception("duplicate key"))
        return real(**kwargs)

    monkeypatch.setattr(forms_store, "load_forms_folder", racing)
    app = create_app(app_config)
    app.extensions["survey_engine"].dispose()
    assert len(calls) == 2
    assert app.extensions["survey_form_errors"] == []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(url: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if data else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers), timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def empty(url: str) -> None:
    engine = create_engine(url)
    SQLModel.metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


@pytest.fixture
def gunicorn(postgres_url, tmp_path):
    """Start three gunicorn workers at once on an empty PostgreSQL database; stop them afterwards."""
    if importlib.util.find_spec("gunicorn") is None:
        pytest.skip("gunicorn is not installed")
    empty(postgres_url)
    port = free_port()
    env = {**os.environ, "SURVEY_ENV": "production", "SURVEY_SECRET_KEY": "x" * 64,
           "SURVEY_DATABASE_URL": postgres_url, "SURVEY_ANONYMOUS_SYNC": "0", "SURVEY_SYNC_TOKENS": TOKEN,
           "SURVEY_FORMS_DIR": str(TEST_FORMS), "SURVEY_INSTANCE_PATH": str(tmp_path / "instance")}
    log = open(tmp_path / "gunicorn.log", "w+")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "3", "-b", f"127.0.0.1:{port}", "survey_app:create_app()"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, process, tmp_path / "gunicorn.log")
        yield base, tmp_path / "gunicorn.log"
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
        empty(postgres_url)


def wait_until_serving(base: str, process, log_path: Path) -> None:
    for _ in range(300):
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited:\n{log_path.read_text()}")
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"gunicorn did not answer:\n{log_path.read_text()}")


@pytest.mark.postgres
def test_gunicorn_workers_serve_health_forms_and_sync(gunicorn):
    base, log_path = gunicorn
    assert request(f"{base}/healthz")[1]["migrations"] == "current"
    status, listing = request(f"{base}/api/v1/forms")
    assert status == 200
    version = listing["forms"][0]["version"]
    record = {"uuid": str(uuid.uuid4()), "form_id": "sample_feedback", "form_version": version, "lang": "en",
              "started_at": "2026-01-05T09:00:00Z", "submitted_at": "2026-01-05T09:07:30Z", "workshop": None,
              "answers": {"overall": "4", "age": "30"}}
    batch = {"source": "phone-1", "submissions": [record]}

    assert request(f"{base}/api/v1/sync", batch)[0] == 401
    status, answer = request(f"{base}/api/v1/sync", batch, token=TOKEN)

    assert status == 200
    assert answer["results"][0]["status"] == "stored"
    assert log_path.read_text().count("Booting worker") == 3
    assert "Traceback" not in log_path.read_text(), log_path.read_text()
