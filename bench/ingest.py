"""Batch ingest through POST /api/v1/sync against one-per-request and a raw driver insert.

For SQLite and (when reachable) PostgreSQL, a real server process is started and fed
submissions of the test questionnaire:
- one submission per request,
- batches of 100, 500 and 1000 (validation included),
- the limit: the same rows inserted straight with the driver's executemany, no validation.
Each figure is submissions per second; the ratios are computed inside the same run.

Run: python bench/ingest.py [--count 5000]
"""

import argparse
import json
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from tests.servers import LiveServer  # noqa: E402

FORMS = ROOT / "tests" / "data" / "forms"
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def records(version: str, count: int) -> list[dict]:
    return [{"uuid": str(uuid.uuid4()), "form_id": "sample_feedback", "form_version": version, "lang": "fa",
             "started_at": "2026-11-20T09:00:00Z", "submitted_at": "2026-11-20T09:05:00Z", "workshop": None,
             "answers": {"overall": str(1 + n % 5), "age": str(20 + n % 50), "topics": ["work", "health"],
                         "clear": str(1 + n % 5), "why_low": "کمی طولانی بود" if n % 5 < 2 else ""}}
            for n in range(count)]


def post(url: str, batch: list[dict]) -> None:
    body = json.dumps({"source": "bench", "submissions": batch}).encode()
    request = urllib.request.Request(url + "/api/v1/sync", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        results = json.load(response)["results"]
    assert all(r["status"] == "stored" for r in results), results[:3]


def rate(url: str, rows: list[dict], size: int) -> float:
    started = time.perf_counter()
    for i in range(0, len(rows), size):
        post(url, rows[i:i + size])
    return len(rows) / (time.perf_counter() - started)


def raw_insert(database_url: str, rows: list[dict]) -> float:
    """The limit: plain executemany of the same rows into the same table."""
    engine = create_engine(database_url)
    params = [{"uuid": r["uuid"], "form_id": r["form_id"], "form_version": r["form_version"], "lang": r["lang"],
               "answers": json.dumps(r["answers"]), "content_hash": "x", "received_at": "2026-11-20T09:05:00Z"}
              for r in rows]
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO submission (uuid, form_id, form_version, lang, answers, content_hash, "
                          "received_at) VALUES (:uuid, :form_id, :form_version, :lang, :answers, :content_hash, "
                          ":received_at)"), params)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return len(rows) / elapsed


def run(label: str, database_url: str, tmp: Path, count: int) -> None:
    server = LiveServer(tmp / f"instance-{label}", database_url, FORMS).start()
    try:
        with urllib.request.urlopen(server.url + "/api/v1/forms") as response:
            version = json.load(response)["forms"][0]["version"]
        single = rate(server.url, records(version, max(200, count // 10)), 1)
        batched = {size: rate(server.url, records(version, count), size) for size in (100, 500, 1000)}
        limit = raw_insert(database_url, records(version, count))
    finally:
        server.stop()
    best = max(batched.values())
    print(f"\n{label}: submissions per second ({count} per batch run)")
    print(f"  one per request   {single:10.0f}")
    for size, value in batched.items():
        print(f"  batches of {size:<5}  {value:10.0f}   x{value / single:5.1f} one-per-request")
    print(f"  raw executemany   {limit:10.0f}   best batch = {best / limit:.2f} of the limit")


def postgres_database(tmp_name: str):
    try:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{tmp_name}"'))
    except Exception:  # noqa: BLE001 - no PostgreSQL here: SQLite only
        return None, None
    return admin, make_url(PG_ADMIN).set(database=tmp_name).render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=5000)
    count = parser.parse_args().count
    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite", f"sqlite:///{tmp}/bench.db", Path(tmp), count)
        name = f"survey_bench_{uuid.uuid4().hex[:8]}"
        admin, url = postgres_database(name)
        if url:
            try:
                run("PostgreSQL", url, Path(tmp), count)
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print("\ntargets: batches at least 20x one-per-request and at least 1/5 of the raw-insert limit")


if __name__ == "__main__":
    main()
