"""Batch ingest through POST /api/v1/sync against one-per-request and a raw driver insert.

For SQLite and (when reachable) PostgreSQL, a real server process is started and fed
submissions of the test questionnaire:
- one submission per request,
- batches of 100, 500 and 1000 (validation included),
- the limit: the same rows inserted straight with the driver's executemany, no validation.
Each figure is submissions per second, the best of --repeat rounds that run every measure once, in
turn (a shared machine's load drifts: interleaved, the drift falls on every measure alike); the
ratios are computed inside the same run. Every run starts from the same table: empty, then again
with --existing submissions already stored (a central server's table is large, and a big unique
index on random UUIDs makes every insert dearer, the raw one most). The request bodies and the raw
insert's parameters are made before the clock starts.

Run: python bench/ingest.py [--count 5000] [--existing 50000] [--repeat 5]
"""

import argparse
import datetime
import json
import re
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import FORMS  # noqa: E402
from _common import load  # noqa: E402
from _common import postgres_database  # noqa: E402
from _common import postgres_reachable  # noqa: E402
from _common import records  # noqa: E402
from _common import scalar  # noqa: E402
from _common import seed  # noqa: E402
from sqlalchemy import text  # noqa: E402

from survey_app.db import make_engine  # noqa: E402
from survey_app.forms_store import canonical_json  # noqa: E402
from survey_app.forms_store import text_hash  # noqa: E402
from survey_app.submissions import parse_time  # noqa: E402
from tests.servers import LiveServer  # noqa: E402

SOURCE = "ingest"  # the rows the runs store; rows seeded as already stored have source "bench"
SIZES = (100, 500, 1000)  # 1000 is the most the server takes in one batch
INSERT = ("INSERT INTO submission (uuid, form_id, form_version, lang, answers, content_hash, workshop, source, "
          "started_at, submitted_at, received_at) VALUES (:uuid, :form_id, :form_version, :lang, :answers, "
          ":content_hash, :workshop, :source, :started_at, :submitted_at, :received_at)")


def post(url: str, body: bytes) -> None:
    request = urllib.request.Request(url + "/api/v1/sync", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        results = json.load(response)["results"]
    assert all(r["status"] == "stored" for r in results), results[:3]


def rate(url: str, version: str, count: int, size: int) -> float:
    """Post `count` new submissions `size` to a request; the bodies are encoded before the clock starts."""
    rows = records(version, count)
    bodies = [json.dumps({"source": SOURCE, "submissions": rows[i:i + size]}).encode()
              for i in range(0, count, size)]
    started = time.perf_counter()
    for body in bodies:
        post(url, body)
    return count / (time.perf_counter() - started)


def best_of_rounds(measures: dict, repeat: int, database_url: str) -> dict:
    """Run every measure once per round, `repeat` rounds, and keep each one's best run.

    Rounds interleave the measures, so a change in the machine's load between the first and the
    last minute of the run falls on all of them alike, the limit included, rather than on one
    (the machine is shared: the best run is the least disturbed one). Each run starts from the
    same table: the rows of the previous run are deleted first.
    """
    results: dict = {name: [] for name in measures}
    for _ in range(repeat):
        for name, measure in measures.items():
            forget_measured(database_url)
            results[name].append(measure())
    return {name: max(values) for name, values in results.items()}


def forget_measured(database_url: str) -> None:
    """Delete what earlier runs stored; the rows seeded as already existing stay."""
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM submission WHERE source = :source"), {"source": SOURCE})
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE submission"))
    engine.dispose()


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
                       "source": SOURCE, "started_at": parse_time(r["started_at"]),
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


def run(label: str, database_url: str, tmp: Path, args) -> None:
    server = LiveServer(tmp / f"instance-{label}", database_url, FORMS).start()
    try:
        with urllib.request.urlopen(server.url + "/api/v1/forms") as response:
            version = json.load(response)["forms"][0]["version"]
        for existing in sorted({0, args.existing}):
            seed(database_url, version, existing - scalar(database_url, "SELECT count(*) FROM submission"))
            measure(label, database_url, server.url, version, existing, args)
    finally:
        server.stop()


def measure(label: str, database_url: str, url: str, version: str, existing: int, args) -> None:
    count, repeat = args.count, args.repeat
    measures = {"single": lambda: rate(url, version, max(200, count // 10), 1)}
    measures.update({size: (lambda size=size: rate(url, version, count, size)) for size in SIZES})
    measures["limit"] = lambda: raw_insert(database_url, records(version, count), max(SIZES))
    found = best_of_rounds(measures, repeat, database_url)
    single, limit = found["single"], found["limit"]
    batched = {size: found[size] for size in SIZES}
    top = max(batched.values())
    print(f"\n{label}, {existing} submissions stored before each run: per second ({count} per batch run, "
          f"best of {repeat} interleaved rounds; {load()})")
    print(f"  one per request   {single:10.0f}")
    for size, value in batched.items():
        print(f"  batches of {size:<5}  {value:10.0f}   x{value / single:5.1f} one-per-request")
    print(f"  raw executemany   {limit:10.0f}   best batch = {top / limit:.2f} of the limit")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5, help="rounds of every measure; each one's best counts")
    parser.add_argument("--existing", type=int, default=50_000, help="submissions stored before each run "
                        "of the second round (the first starts from an empty table)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite", f"sqlite:///{tmp}/bench.db", Path(tmp), args)
        if postgres_reachable():
            with postgres_database() as url:
                run("PostgreSQL", url, Path(tmp), args)
    print("\ntargets: batches at least 20x one-per-request and at least 1/5 of the raw-insert limit")


if __name__ == "__main__":
    main()
