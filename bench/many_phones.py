"""Many phones syncing at once: 200 phones each POST a batch of 10 to the production server.

The server is gunicorn with 4 workers when gunicorn is installed, else `python run.py`
(threaded Werkzeug), on PostgreSQL when reachable, else SQLite. The phones are threads,
at most --concurrency of them in flight at a time, each with one urllib request.
Measured: submissions per second over the whole run, request latency p50/p95/p99,
errors (anything but 200 with every record stored; must be 0), and the exact count
afterwards (phones x 10 stored, no UUID twice).

Run: python bench/many_phones.py [--phones 200] [--concurrency 50] [--server run.py]
"""

import argparse
import contextlib
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _common import FORMS
from _common import ROOT
from _common import load
from _common import percentile
from _common import postgres_database
from _common import postgres_reachable
from _common import records
from _common import scalar

from tests.servers import LiveServer
from tests.servers import free_port

BATCH = 10


class Gunicorn(LiveServer):
    """The production server: gunicorn with several workers, configured like LiveServer."""

    workers = 4

    def start(self, timeout: float = 60) -> "Gunicorn":
        log = (self.instance.parent / f"gunicorn-{self.port}.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}",
             "survey_app:create_app()"], env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/api/v1/forms", timeout=2):
                    return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer")


def phone(url: str, batch: list[dict]) -> tuple[float, str | None]:
    """Send one batch; return the latency and an error, if any."""
    body = json.dumps({"source": f"phone-{batch[0]['uuid'][:8]}", "submissions": batch}).encode()
    request = urllib.request.Request(url + "/api/v1/sync", body, {"Content-Type": "application/json"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            results = json.load(response)["results"]
    except Exception as exc:  # noqa: BLE001 - every failure is counted, none stops the run
        return time.perf_counter() - started, f"{type(exc).__name__}: {exc}"
    elapsed = time.perf_counter() - started
    if [r["status"] for r in results] != ["stored"] * len(batch):
        return elapsed, f"not all stored: {results[:2]}"
    return elapsed, None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phones", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50, help="phones in flight at once")
    parser.add_argument("--server", choices=("auto", "gunicorn", "run.py"), default="auto",
                        help="auto: gunicorn when installed, else run.py")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        backend = "PostgreSQL" if postgres_reachable() else "SQLite"
        if backend == "PostgreSQL":
            database_url = stack.enter_context(postgres_database())
        else:
            database_url = f"sqlite:///{tmp}/central.db"
        gunicorn = args.server == "gunicorn" or (args.server == "auto" and importlib.util.find_spec("gunicorn"))
        kind = Gunicorn if gunicorn else LiveServer
        server = kind(Path(tmp) / "central", database_url, FORMS, port=free_port()).start()
        try:
            with urllib.request.urlopen(server.url + "/api/v1/forms") as response:
                version = next(f["version"] for f in json.load(response)["forms"] if f["form_id"] == "sample_feedback")
            batches = [records(version, BATCH) for _ in range(args.phones)]
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
                outcomes = list(pool.map(lambda batch: phone(server.url, batch), batches))
            wall = time.perf_counter() - started
        finally:
            server.stop()
        latencies = [latency for latency, _error in outcomes]
        errors = [error for _latency, error in outcomes if error]
        stored = scalar(database_url, "SELECT count(*) FROM submission")
        distinct = scalar(database_url, "SELECT count(DISTINCT uuid) FROM submission")
    name = f"gunicorn -w {Gunicorn.workers}" if kind is Gunicorn else "run.py (threaded)"
    print(f"{args.phones} phones x {BATCH} -> {name} on {backend}, {args.concurrency} in flight")
    print(f"{'subm/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6} {'stored':>7} {'distinct':>8}  load")
    print(f"{args.phones * BATCH / wall:8.0f} {percentile(latencies, 0.50) * 1000:7.0f} "
          f"{percentile(latencies, 0.95) * 1000:7.0f} {percentile(latencies, 0.99) * 1000:7.0f} {len(errors):6d} "
          f"{stored:7d} {distinct:8d}  {load()}")
    for error in errors[:5]:
        print("  error:", error)
    expected = args.phones * BATCH
    verdict = "met" if not errors and stored == distinct == expected else "NOT MET"
    print(f"targets: 0 errors, exactly {expected} stored: {verdict}")


if __name__ == "__main__":
    main()
