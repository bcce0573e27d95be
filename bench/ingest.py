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
import datetime
import json
import os
import re
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

from survey_app.db import make_engine  # noqa: E402
from survey_app.forms_store import canonical_json  # noqa: E402
from survey_app.forms_store import text_hash  # noqa: E402
from survey_app.submissions import parse_time  # noqa: E402
from tests.servers import LiveServer  # noqa: E402

FORMS = ROOT / "tests" / "data" / "forms"
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SIZES = (100, 500, 1000)  # 1000 is the most the server takes in one batch
INSERT = ("INSERT INTO submission (uuid, form_id, form_version, lang, answers, content_hash, workshop, source, "
          "started_at, submitted_at, received_at) VALUES (:uuid, :form_id, :form_version, :lang, :answers, "
          ":content_hash, :workshop, :source, :started_at, :submitted_at, :received_at)")


def records(version: str, count: int) -> list[dict]:
    return [{"uuid": str(uuid.uuid4()), "form_id": "sample_feedback", "form_version": version, "lang": "fa",
             "started_at": "2026-11-20T09:00:00Z", "submitted_at": "2026-11-20T09:05:00Z", "workshop": None,
             "answers": {"overall": str(1 + n % 5), "age": str(20 + n % 50), "topics": ["work", "health"],
                         "clear": str(1 + n % 5), "why_low": "کمی طولانی بود" if n % 5 < 2 else ""}}
            for n in range(count)]


def post(url: str, body: bytes) -> None:
    request = urllib.request.Request(url + "/api/v1/sync", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        results = json.load(response)["results"]
    assert all(r["status"] == "stored" for r in results), results[:3]


def rate(url: str, version: str, count: int, size: int) -> float:
    """Post `count` new submissions `size` to a request; the bodies are encoded before the clock starts."""
    rows = records(version, count)
    bodies = [json.dumps({"source": "bench", "submissions": rows[i:i + size]}).encode()
              for i in range(0, count, size)]
    started = time.perf_counter()
    for body in bodies:
        post(url, body)
    return count / (time.perf_counter() - started)


def best(measure, repeat: int) -> float:
    """The best of a few runs: the machine is shared, so the best run is the least disturbed one."""
    return max(measure() for _ in range(repeat))


def raw_insert(database_url: str, rows: list[dict], per_transaction: int) -> float:
    """The limit: the driver's own executemany of the same rows into the same table.

    Every column the server writes is written, with the values it would write (answers as the JSON
    text it stores, a real SHA-256, times), through an engine made like the server's (on SQLite:
    WAL, synchronous=NORMAL, BEGIN IMMEDIATE), committing as often as the server does for a batch
    of `per_transaction`. Only what the values cost to compute is left out of the time.
    """
    engine = make_engine(database_url)
    postgresql = engine.dialect.name == "postgresql"
    sql = re.sub(r":(\w+)", r"%(\1)s", INSERT) if postgresql else INSERT  # psycopg's parameter style
    received = datetime.datetime.now(datetime.UTC)
    params = []
    for r in rows:
        answers = canonical_json(r["answers"])
        params.append({"uuid": r["uuid"], "form_id": r["form_id"], "form_version": r["form_version"],
                       "lang": r["lang"], "answers": answers, "content_hash": text_hash(answers), "workshop": None,
                       "source": "bench", "started_at": parse_time(r["started_at"]),
                       "submitted_at": parse_time(r["submitted_at"]), "received_at": received})
    if not postgresql:  # as SQLAlchemy writes times into SQLite's text columns
        for param in params:
            for key in ("started_at", "submitted_at", "received_at"):
                param[key] = param[key].strftime("%Y-%m-%d %H:%M:%S.%f")
    connection = engine.raw_connection()
    try:
        started = time.perf_counter()
        for first in range(0, len(params), per_transaction):
            cursor = connection.cursor()
            if not postgresql:
                cursor.execute("BEGIN IMMEDIATE")
            cursor.executemany(sql, params[first:first + per_transaction])
            connection.commit()
        elapsed = time.perf_counter() - started
    finally:
        connection.close()
        engine.dispose()
    return len(rows) / elapsed


def run(label: str, database_url: str, tmp: Path, count: int, repeat: int) -> None:
    server = LiveServer(tmp / f"instance-{label}", database_url, FORMS).start()
    try:
        with urllib.request.urlopen(server.url + "/api/v1/forms") as response:
            version = json.load(response)["forms"][0]["version"]
        single = best(lambda: rate(server.url, version, max(200, count // 10), 1), repeat)
        batched = {size: best(lambda size=size: rate(server.url, version, count, size), repeat) for size in SIZES}
        limit = best(lambda: raw_insert(database_url, records(version, count), max(SIZES)), repeat)
    finally:
        server.stop()
    top = max(batched.values())
    print(f"\n{label}: submissions per second ({count} per batch run, best of {repeat}; "
          f"load {' '.join(f'{v:.2f}' for v in os.getloadavg())})")
    print(f"  one per request   {single:10.0f}")
    for size, value in batched.items():
        print(f"  batches of {size:<5}  {value:10.0f}   x{value / single:5.1f} one-per-request")
    print(f"  raw executemany   {limit:10.0f}   best batch = {top / limit:.2f} of the limit")


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
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measure; the best one counts")
    args = parser.parse_args()
    count, repeat = args.count, args.repeat
    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite", f"sqlite:///{tmp}/bench.db", Path(tmp), count, repeat)
        name = f"survey_bench_{uuid.uuid4().hex[:8]}"
        admin, url = postgres_database(name)
        if url:
            try:
                run("PostgreSQL", url, Path(tmp), count, repeat)
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print("\ntargets: batches at least 20x one-per-request and at least 1/5 of the raw-insert limit")


if __name__ == "__main__":
    main()
