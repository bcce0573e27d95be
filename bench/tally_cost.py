"""What keeping the results tallies costs at ingestion: store_records with and without them.

In one process, for SQLite and (when reachable) PostgreSQL: batches of the test questionnaire's
records are stored with `submissions.apply_batch` (validation, insert, commit), alternately
with `tallies.add` switched on and replaced by a no-op (in the order ABBA, so neither always
comes first), under the same machine load. Each figure is the median per batch over the
rounds; "inside add" is the time spent in `tallies.add` itself (counting and upserts).

Run: python bench/tally_cost.py [--batch 500] [--rounds 10]
"""

import argparse
import contextlib
import statistics
import tempfile
import time
from pathlib import Path

from _common import FORM_ID
from _common import FORMS
from _common import load
from _common import postgres_database
from _common import postgres_reachable
from _common import records
from sqlmodel import Session

from survey_app import create_app
from survey_app import submissions
from survey_app import tallies
from survey_app.forms_store import get_version


def timed_batch(engine, version: str, size: int) -> float:
    batch = records(version, size)
    with Session(engine) as session:
        started = time.perf_counter()
        results = submissions.apply_batch(session=session, records=batch, source="bench")
        elapsed = time.perf_counter() - started
    assert all(result.status == submissions.STORED for result in results)
    return elapsed


def run(label: str, database_url: str, instance: Path, size: int, rounds: int) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "INSTANCE_PATH": str(instance),
                      "SURVEY_DATABASE_URL": database_url, "SURVEY_FORMS_DIR": str(FORMS)})
    engine = app.extensions["survey_engine"]
    with Session(engine) as session:
        version = get_version(session=session, form_id=FORM_ID).version
    real, times, inside = tallies.add, {"with tallies": [], "without": []}, []

    def timed_add(**kwargs):
        started = time.perf_counter()
        real(**kwargs)
        inside.append(time.perf_counter() - started)

    timed_batch(engine, version, size)  # warm-up: definitions parsed, statements compiled
    for number in range(rounds):
        for name in sorted(times, reverse=number % 2 == 1):
            tallies.add = timed_add if name == "with tallies" else (lambda **_kwargs: None)
            times[name].append(timed_batch(engine, version, size))
    tallies.add = real
    engine.dispose()
    with_, without = (statistics.median(times[name]) for name in times)
    print(f"\n{label}: {size} records per batch, median of {rounds} rounds  {load()}")
    print(f"  without tallies  {without * 1000:7.1f} ms  {size / without:7.0f} subm/s")
    extra = (with_ / without - 1) * 100
    print(f"  with tallies     {with_ * 1000:7.1f} ms  {size / with_:7.0f} subm/s  ({extra:+.0f}%)")
    print(f"  inside add       {statistics.median(inside) * 1000:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        run("SQLite", f"sqlite:///{tmp}/cost.db", Path(tmp) / "sqlite", args.batch, args.rounds)
        if postgres_reachable():
            run("PostgreSQL", stack.enter_context(postgres_database()), Path(tmp) / "pg", args.batch, args.rounds)


if __name__ == "__main__":
    main()
