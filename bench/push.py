"""A workshop server's submissions pushed to the central server with the real `flask ... sync push`.

For each N, a fresh workshop database (SQLite) holding N submissions is pushed to a fresh
central server (a real `python run.py` process on PostgreSQL when reachable, else SQLite).
Measured: seconds, submissions per second, peak resident memory (VmHWM) of the pushing
process and of the receiving server. The push reads and sends a page at a time, so its
memory must not grow with N: the ratio of the peaks at the largest and smallest N is
printed (limit: 1.5). Afterwards the counts are checked exactly: N stored centrally, N
acknowledged on the workshop side, no UUID twice.

Run: python bench/push.py [--max 100000]   (default sizes 10,000 and 30,000)
"""

import argparse
import contextlib
import tempfile
import time
from pathlib import Path

from _common import FORMS
from _common import PeakWatcher
from _common import hwm_kib
from _common import load
from _common import postgres_database
from _common import postgres_reachable
from _common import prepare
from _common import scalar
from _common import seed
from _common import start_push

from tests.servers import LiveServer

SIZES = (10_000, 30_000, 100_000)
MEMORY_LIMIT = 1.5  # peak RSS at the largest N over the smallest


def run(n: int, tmp: Path, central_url: str) -> dict:
    workshop_url = f"sqlite:///{tmp}/workshop-{n}.db"
    version = prepare(workshop_url, tmp / f"workshop-{n}")
    seed(workshop_url, version, n)
    server = LiveServer(tmp / f"central-{n}", central_url, FORMS).start(timeout=60)
    try:
        started = time.perf_counter()
        process = start_push(workshop_url, tmp / f"workshop-{n}", server.url, "--batch-size", "500",
                             log=tmp / f"push-{n}.log")
        push_peak = PeakWatcher(process).wait(timeout=3600)
        seconds = time.perf_counter() - started
        server_peak = hwm_kib(server.process.pid)
    finally:
        server.stop()
    if process.returncode != 0:
        raise SystemExit(f"push of {n} failed:\n{(tmp / f'push-{n}.log').read_text()[-2000:]}")
    stored = scalar(central_url, "SELECT count(*) FROM submission")
    distinct = scalar(central_url, "SELECT count(DISTINCT uuid) FROM submission")
    acknowledged = scalar(workshop_url, "SELECT count(*) FROM pushack")
    assert stored == distinct == acknowledged == n, (n, stored, distinct, acknowledged)
    return {"n": n, "seconds": seconds, "rate": n / seconds, "push_mib": push_peak / 1024,
            "server_mib": server_peak / 1024, "load": load()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max", type=int, default=30_000, help="largest N to run (10000, 30000 or 100000)")
    sizes = [n for n in SIZES if n <= parser.parse_args().max]
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        label = "PostgreSQL" if postgres_reachable() else "SQLite"
        print(f"workshop SQLite -> central {label} (run.py), batches of 500")
        print(f"{'N':>8} {'seconds':>8} {'subm/s':>8} {'push MiB':>9} {'server MiB':>11}  exact  load")
        rows = []
        for n in sizes:
            if label == "PostgreSQL":
                central_url = stack.enter_context(postgres_database())
            else:
                central_url = f"sqlite:///{tmp}/central-{n}.db"
            row = run(n, Path(tmp), central_url)
            rows.append(row)
            print(f"{n:8d} {row['seconds']:8.1f} {row['rate']:8.0f} {row['push_mib']:9.1f} {row['server_mib']:11.1f}"
                  f"  yes    {row['load']}", flush=True)
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        ratio, server_ratio = last["push_mib"] / first["push_mib"], last["server_mib"] / first["server_mib"]
        verdict = "flat" if ratio <= MEMORY_LIMIT else "GROWS"
        print(f"peak RSS at N={last['n']} / N={first['n']}: push x{ratio:.2f} ({verdict}; limit x{MEMORY_LIMIT}), "
              f"server x{server_ratio:.2f}")


if __name__ == "__main__":
    main()
