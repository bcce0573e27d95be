"""Helpers the benchmarks share: databases seeded fast, a PostgreSQL of their own, memory peaks, load."""

import datetime
import json
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

FORMS = ROOT / "tests" / "data" / "forms"
FORM_ID = "sample_feedback"
PG_ADMIN = os.environ.get("SURVEY_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
INSERT = ("INSERT INTO submission (uuid, form_id, form_version, lang, answers, content_hash, workshop, source, "
          "started_at, submitted_at, received_at) VALUES (:uuid, :form_id, :form_version, :lang, :answers, "
          ":content_hash, NULL, :source, :started_at, :submitted_at, :received_at)")
FIRST_DAY = datetime.datetime(2026, 10, 1, 9, 0)  # naive UTC, as the columns store it


def load() -> str:
    """The load averages now, to print next to each figure (this machine is shared)."""
    return "load " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def answers(n: int) -> dict:
    """Valid answers to the test questionnaire, varied so the results page has something to count."""
    return {"overall": str(1 + n % 5), "age": str(20 + n % 50), "topics": [["work", "health"], ["housing"]][n % 2],
            "clear": str(1 + n % 5), "why_low": "کمی طولانی بود" if n % 5 < 2 else ""}


def records(version: str, count: int) -> list[dict]:
    """Sync records, as a phone sends them."""
    return [{"uuid": str(uuid.uuid4()), "form_id": FORM_ID, "form_version": version, "lang": "fa",
             "started_at": "2026-11-20T09:00:00Z", "submitted_at": "2026-11-20T09:05:00Z", "workshop": None,
             "answers": answers(n)} for n in range(count)]


def prepare(database_url: str, instance: Path) -> str:
    """Create the tables and publish the test questionnaire through the app; return its version."""
    from sqlmodel import Session

    from survey_app import create_app
    from survey_app.forms_store import get_version

    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "INSTANCE_PATH": str(instance),
                      "SURVEY_DATABASE_URL": database_url, "SURVEY_FORMS_DIR": str(FORMS)})
    engine = app.extensions["survey_engine"]
    with Session(engine) as session:
        version = get_version(session=session, form_id=FORM_ID).version
    engine.dispose()
    return version


def seed(database_url: str, version: str, count: int, chunk: int = 20_000) -> float:
    """Insert count submissions with the driver's executemany, a chunk at a time; return seconds taken."""
    engine = create_engine(database_url, poolclass=NullPool)
    started = time.perf_counter()
    with engine.connect() as conn:
        base = conn.execute(text("SELECT count(*) FROM submission")).scalar_one()
        for first in range(0, count, chunk):
            rows = []
            for n in range(first, min(count, first + chunk)):
                moment = FIRST_DAY + datetime.timedelta(minutes=(base + n) % (60 * 24 * 60))
                rows.append({"uuid": str(uuid.uuid4()), "form_id": FORM_ID, "form_version": version, "lang": "fa",
                             "answers": json.dumps(answers(n), ensure_ascii=False), "content_hash": "bench",
                             "source": "bench", "started_at": moment, "submitted_at": moment,
                             "received_at": moment})
            conn.execute(text(INSERT), rows)
            conn.commit()
    engine.dispose()
    return time.perf_counter() - started


def scalar(database_url: str, sql: str):
    """Run one query on a connection of its own, so no server's locks are held."""
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar_one()
    finally:
        engine.dispose()


def uuids(database_url: str, sql: str) -> list[str]:
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return [row[0] for row in conn.execute(text(sql))]
    finally:
        engine.dispose()


def postgres_reachable() -> bool:
    try:
        engine = create_engine(PG_ADMIN, poolclass=NullPool, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - no PostgreSQL here: SQLite only
        return False


@contextmanager
def postgres_database(prefix: str = "survey_bench"):
    """A PostgreSQL database of this run's own, dropped afterwards; yields its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def hwm_kib(pid: int) -> int:
    """Peak resident memory (VmHWM) of a running process in KiB; 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_kib(pid: int | None = None) -> int:
    """Current resident memory (VmRSS) of a process in KiB (this one by default)."""
    for line in Path(f"/proc/{pid or 'self'}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class PeakWatcher:
    """Read a child's VmHWM every few milliseconds until it exits; the last reading is its peak."""

    def __init__(self, process: subprocess.Popen, every: float = 0.05):
        self.process, self.every, self.peak = process, every, 0
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while self.process.poll() is None:
            self.peak = max(self.peak, hwm_kib(self.process.pid))
            time.sleep(self.every)

    def wait(self, timeout: float) -> int:
        self.process.wait(timeout)
        self.thread.join()
        return self.peak


def push_env(database_url: str, instance: Path) -> dict:
    return {**os.environ, "SURVEY_DATABASE_URL": database_url, "SURVEY_INSTANCE_PATH": str(instance),
            "SURVEY_FORMS_DIR": str(FORMS), "SURVEY_SECRET_KEY": "workshop-secret"}


def start_push(database_url: str, instance: Path, to: str, *options: str, log: Path) -> subprocess.Popen:
    """The real `flask --app survey_app sync push` in a child process."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "survey_app", "sync", "push", "--to", to, *options],
            env=push_env(database_url, instance), cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "unknown CPU")
    return f"{os.cpu_count()} cores, {model}"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


rng = random.Random()
