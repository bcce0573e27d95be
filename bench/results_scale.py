"""The organisers' results page and the full CSV export with 10k, 100k (and 1M) submissions.

One fresh database per backend (SQLite, and PostgreSQL when reachable) grows by executemany
into the `submission` table, around the app, so the results tallies are then recounted with
`tallies.rebuild` (the code of `flask --app survey_app results rebuild`; its time is shown on
its own). At each size, through the Flask test client signed in as an organiser:
- the results page of the questionnaire: the first request, then the best of three more
  (one more when the first took over 2 s, to keep the 1M step bounded);
- a full CSV export, as the export page asks for it (a background job beyond 5,000 answers, run
  in this process), then read: seconds, rows written, and how much this process's resident
  memory grew meanwhile (an export should not grow with N).
Target: the results page in under 0.5 s at 1M submissions.

Run: python bench/results_scale.py [--max 1000000]   (default sizes 10,000 and 100,000)
"""

import argparse
import contextlib
import tempfile
import time
from pathlib import Path

from _common import FORM_ID
from _common import FORMS
from _common import load
from _common import postgres_database
from _common import postgres_reachable
from _common import rss_kib
from _common import seed

from survey_app import create_app
from survey_app import tallies
from survey_app.accounts import create_user
from survey_app.db import get_session
from survey_app.db import make_engine

SIZES = (10_000, 100_000, 1_000_000)
PAGE_TARGET = 0.5
EMAIL, PASSWORD = "bench-organiser@example.org", "bench-password-long"


def signed_in(database_url: str, instance: Path):
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "bench",
                      "INSTANCE_PATH": str(instance), "SURVEY_DATABASE_URL": database_url,
                      "SURVEY_FORMS_DIR": str(FORMS)})
    with app.app_context():
        create_user(session=get_session(), email=EMAIL, password=PASSWORD, role="organiser")
        get_session().commit()
    client = app.test_client()
    response = client.post("/login", data={"email": EMAIL, "password": PASSWORD})
    assert response.status_code in (302, 303), response.status_code
    return app, client


def timed_rebuild(database_url: str) -> float:
    """Recount the tallies from every submission, as `flask --app survey_app results rebuild` does."""
    engine = make_engine(database_url)
    started = time.perf_counter()
    with engine.begin() as connection:
        tallies.rebuild(connection=connection)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def timed_page(client) -> float:
    started = time.perf_counter()
    response = client.get(f"/organise/results/{FORM_ID}")
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    return elapsed


def timed_export(app, client) -> tuple[float, int, float]:
    """Export everything as CSV as the page does (a background job past 5,000 answers) and read the file.

    Return seconds until the file is read, data rows, and RSS growth in MiB (the job runs in this process).
    """
    from survey_app.organisers.exports import runner

    before = peak = rss_kib()
    started = time.perf_counter()
    response = client.post(f"/organise/results/{FORM_ID}/export", data={"format": "csv"})
    if response.status_code == 303:
        job_id = response.headers["Location"].rsplit("/", 1)[1]
        with app.app_context():
            while not (job := runner().get(job_id)).finished:
                peak = max(peak, rss_kib())
                time.sleep(0.1)
        response = client.get(f"/organise/exports/{job.id}/file")
    assert response.status_code == 200, response.status_code
    lines = 0
    for number, chunk in enumerate(response.iter_encoded()):
        lines += chunk.count(b"\n")
        if number % 50 == 0:
            peak = max(peak, rss_kib())
    response.close()
    elapsed = time.perf_counter() - started
    return elapsed, lines - 1, (max(peak, rss_kib()) - before) / 1024


def run(label: str, database_url: str, tmp: Path, sizes: list[int]) -> None:
    app, client = signed_in(database_url, tmp / f"instance-{label}")
    with app.app_context():
        from survey_app.forms_store import get_version

        version = get_version(session=get_session(), form_id=FORM_ID).version
    print(f"\n{label}")
    print(f"{'N':>9} {'seed s':>7} {'rebuild s':>9} {'page 1st s':>10} {'page best s':>11} {'CSV s':>7} "
          f"{'CSV rows':>9} {'RSS +MiB':>8}  load")
    held = 0
    for n in sizes:
        seeded = seed(database_url, version, n - held)
        held = n
        rebuilt = timed_rebuild(database_url)
        first = timed_page(client)
        best = min(timed_page(client) for _ in range(3 if first < 2 else 1))
        seconds, rows, growth = timed_export(app, client)
        assert rows == n, (rows, n)
        print(f"{n:9d} {seeded:7.1f} {rebuilt:9.1f} {first:10.3f} {best:11.3f} {seconds:7.1f} {rows:9d} "
              f"{growth:8.1f}  {load()}", flush=True)
    app.extensions["survey_engine"].dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max", type=int, default=100_000, help="largest N (10000, 100000 or 1000000)")
    parser.add_argument("--backend", choices=("both", "sqlite", "postgresql"), default="both")
    args = parser.parse_args()
    sizes = [n for n in SIZES if n <= args.max]
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        if args.backend in ("both", "sqlite"):
            run("SQLite", f"sqlite:///{tmp}/results.db", Path(tmp), sizes)
        if args.backend in ("both", "postgresql") and postgres_reachable():
            run("PostgreSQL", stack.enter_context(postgres_database()), Path(tmp), sizes)
    print(f"\ntarget: results page under {PAGE_TARGET} s at 1,000,000 submissions")


if __name__ == "__main__":
    main()
