"""The learning results page of a knowledge check with 10k and 100k paired participants.

Rows are written straight into `assessmentscore` (two per participant, pre and post, spread
over 50 workshops), as the storing path would have scored them, and the running pairs and
per-question sums rebuilt from them (as migration 0007 does); then the page and the CSV are
asked for through the Flask test client, signed in as an organiser: the first request and the
best of three more, each read to its last byte (the CSV streams: its first byte is timed too).
Targets (issue 12): the page under 0.5 s for 100,000 pairs; the CSV streamed, well under the 3–5.6 s
it took when every score was paired in Python first. SQLite, and PostgreSQL in a database of the
run's own when the local server answers.

Run: python bench/assessment_results.py [--max 100000] [--backend both|sqlite|postgresql]
"""

import argparse
import datetime
import random
import secrets
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _common import load  # noqa: E402
from _common import postgres_database  # noqa: E402
from _common import postgres_reachable  # noqa: E402

from survey_app import create_app  # noqa: E402
from survey_app.accounts import create_user  # noqa: E402
from survey_app.assessments import tally  # noqa: E402
from survey_app.db import get_session  # noqa: E402
from survey_app.forms_store import get_version  # noqa: E402
from survey_app.models import AssessmentScore  # noqa: E402

FORMS = ROOT / "tests" / "data" / "assessment_forms"
FORM = "knowledge_check"
SIZES = (10_000, 100_000)
TARGET = 0.5
MAXIMA = {"q1": 1, "q2": 2, "q3": 1}
START = datetime.datetime(2026, 11, 20, tzinfo=datetime.UTC)


def rows(version: str, pairs: int, rng: random.Random):
    for person in range(pairs):
        workshop = f"W{person % 50:07d}"
        code = f"P{person:07d}"[-6:]
        for phase, skill in (("pre", 0.4), ("post", 0.75)):
            questions = {name: [top if rng.random() < skill else 0, top] for name, top in MAXIMA.items()}
            points = sum(p for p, _ in questions.values())
            yield {"submission_uuid": f"{person:08d}-{phase}", "form_id": FORM, "form_version": version,
                   "workshop": workshop, "lang": rng.choice(("fa", "fa_AF", "ps")), "phase": phase,
                   "participant": code, "points": points, "maximum": 4, "passed": points >= 2.4,
                   "questions": questions, "answered_at": START + datetime.timedelta(days=phase == "post")}


def best(client, url: str) -> tuple[float, float, float, int]:
    """(first, best of three more) seconds to the last byte, the best time to the first byte, and the size.

    The CSV is streamed: its body is read to the end, chunk by chunk, as a browser would.
    """
    times, firsts = [], []
    for _ in range(4):
        started = time.perf_counter()
        with client.get(url) as response:
            assert response.status_code == 200, response.status_code
            size, first = 0, None
            for chunk in response.response:
                first = first or time.perf_counter() - started
                size += len(chunk)
        times.append(time.perf_counter() - started)
        firsts.append(first or times[-1])
    return times[0], min(times[1:]), min(firsts[1:]), size


def run(pairs: int, backend: str) -> None:
    if backend == "postgresql":
        with postgres_database("survey_bench_assess") as url:
            return measure(pairs, backend, lambda folder: url)
    return measure(pairs, backend, lambda folder: f"sqlite:///{folder}/bench.db")


def measure(pairs: int, backend: str, url_of) -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "INSTANCE_PATH": folder,
                          "SURVEY_DATABASE_URL": url_of(folder), "SURVEY_FORMS_DIR": str(FORMS)})
        with app.app_context():
            session = get_session()
            user = create_user(session=session, email="o@example.org", password=secrets.token_urlsafe(16),
                               role="organiser")
            version = get_version(session=session, form_id=FORM).version
            batch = list(rows(version, pairs, random.Random(1)))
            for first in range(0, len(batch), 20_000):
                session.execute(insert(AssessmentScore), batch[first:first + 20_000])
            tally.rebuild(session=session, form_id=FORM)  # as migration 0007 does for scores stored before it
            session.commit()
            user_id = user.id
        client = app.test_client()
        from survey_app import staff_sessions
        with app.app_context(), client.session_transaction() as cookie:
            cookie["sid"] = staff_sessions.start(session=get_session(), user=get_session().get(type(user), user_id),
                                                 lifetime=datetime.timedelta(hours=1))
            get_session().commit()
        page_first, page_best, _, _ = best(client, f"/organise/results/{FORM}/assessment?lang=fa")
        csv_first, csv_best, csv_byte, csv_size = best(client, f"/organise/results/{FORM}/assessment.csv")
        verdict = "met" if page_best < TARGET else "MISSED"
        print(f"{backend:<10} {pairs:>8,} pairs  page {page_first:.3f} s first, {page_best:.3f} s best ({verdict}, "
              f"target {TARGET} s)  csv {csv_first:.3f} s first, {csv_best:.3f} s best, first byte {csv_byte:.3f} s, "
              f"{csv_size / 1e6:.1f} MB  {load()}", flush=True)
        app.extensions["survey_engine"].dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=100_000)
    parser.add_argument("--backend", choices=("both", "sqlite", "postgresql"), default="both")
    args = parser.parse_args()
    backends = [name for name in ("sqlite", "postgresql") if args.backend in ("both", name)]
    if "postgresql" in backends and not postgres_reachable():
        print("PostgreSQL not reachable: SQLite only")
        backends.remove("postgresql")
    for backend in backends:
        for size in SIZES:
            if size <= args.max:
                run(size, backend)


if __name__ == "__main__":
    main()
