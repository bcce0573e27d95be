"""Large exports as background jobs under the README's production command (gunicorn, threaded workers).

The outside audit's case (issue 11, M5): 410,000 submissions as CSV and 155,000 as XLSX, which
answered 500 or came cut in half under `gunicorn -w 4` with its 30 s worker timeout. Here the
same tables are seeded around the app (then the results tallies are recounted), gunicorn runs
with the README's command, and an organiser signs in over HTTP, starts each export on the export
page, follows the job's page as a browser without JavaScript does (it refreshes itself) until the
file is offered, and downloads it. Figures per export: the job's own seconds (from its state
file, to the second), seconds from the click to the file being offered (the page refreshes every
2 s), the download's seconds, its size, whether the length and SHA-256 the page gives match the
bytes received, the slowest /healthz answered while the job ran, and peak resident memory
(VmHWM) of the worker that ran the job, against the same worker's before the export.

Run: python bench/export_jobs.py [--csv 410000] [--xlsx 155000] [--backend sqlite|postgresql]
"""

import argparse
import contextlib
import datetime
import hashlib
import html
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import psutil
from _common import FORM_ID
from _common import FORMS
from _common import ROOT
from _common import load
from _common import postgres_database
from _common import postgres_reachable
from _common import prepare
from _common import seed

from survey_app import tallies
from survey_app.accounts import create_user
from survey_app.db import make_engine

EMAIL, PASSWORD = "bench-organiser@example.org", "bench-password-long-enough"
COMMAND = ["-m", "gunicorn", "-w", "4", "--worker-class", "gthread", "--threads", "4", "--timeout", "60"]
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def prepared(database_url: str, instance: Path, rows: int) -> None:
    """Tables, the test questionnaire, `rows` submissions, recounted tallies and an organiser."""
    version = prepare(database_url, instance)
    seconds = seed(database_url, version, rows)
    engine = make_engine(database_url)
    started = time.perf_counter()
    with engine.begin() as connection:
        tallies.rebuild(connection=connection)
    from sqlmodel import Session

    with Session(engine) as session:
        create_user(session=session, email=EMAIL, password=PASSWORD, role="organiser")
        session.commit()
    engine.dispose()
    print(f"seeded {rows} submissions in {seconds:.1f} s, tallies recounted in {time.perf_counter() - started:.1f} s")


@contextlib.contextmanager
def gunicorn(database_url: str, instance: Path, port: int):
    env = {**os.environ, "SURVEY_DATABASE_URL": database_url, "SURVEY_INSTANCE_PATH": str(instance),
           "SURVEY_FORMS_DIR": str(FORMS), "SURVEY_SECRET_KEY": "bench-secret"}
    log = (instance.parent / "gunicorn.log").open("ab")
    process = subprocess.Popen([sys.executable, *COMMAND, "-b", f"127.0.0.1:{port}", "survey_app:create_app()"],
                               env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(300):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).close()
                break
            time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        process.wait(60)
        log.close()


class Browser:
    """Cookies, CSRF tokens and redirects, as a browser without JavaScript."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.geturl(), response.read().decode()

    def post(self, path: str, fields: dict) -> tuple[str, str]:
        token = TOKEN.search(self.get(path)[1]).group(1)
        data = urllib.parse.urlencode({**fields, "csrf_token": token}).encode()
        with self.opener.open(self.base + path, data=data, timeout=60) as response:
            return response.geturl(), response.read().decode()


def worker_peaks(master: subprocess.Popen) -> dict[int, int]:
    """Peak resident memory (KiB) of each gunicorn worker."""
    peaks = {}
    for child in psutil.Process(master.pid).children():
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{child.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks[child.pid] = int(line.split()[1])
    return peaks


def run_export(browser: Browser, master: subprocess.Popen, fmt: str, folder: Path, instance: Path) -> None:
    before = worker_peaks(master)
    started = time.perf_counter()
    url, page = browser.post(f"/organise/results/{FORM_ID}/export?lang=en", {"format": fmt, "labels": "fa"})
    job_path = urllib.parse.urlparse(url).path
    assert job_path.startswith("/organise/exports/"), url
    slowest_health = 0.0
    while 'http-equiv="refresh"' in page:
        time.sleep(2)  # what the page's refresh asks for
        moment = time.perf_counter()
        urllib.request.urlopen(browser.base + "/healthz", timeout=60).close()
        slowest_health = max(slowest_health, time.perf_counter() - moment)
        page = browser.get(job_path)[1]
    offered = time.perf_counter() - started
    assert "/file" in page, html.unescape(page)[-1500:]
    expected_sha = re.search(r'data-sha256="([0-9a-f]{64})"', page).group(1)
    expected_size = int(re.search(r"\(([0-9]+) bytes\)", page).group(1))
    moment, digest, size = time.perf_counter(), hashlib.sha256(), 0
    with browser.opener.open(browser.base + job_path + "/file", timeout=60) as response, \
            (folder / f"download.{fmt}").open("wb") as file:
        length = int(response.headers["Content-Length"])
        while chunk := response.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
            file.write(chunk)
    downloaded = time.perf_counter() - moment
    after = worker_peaks(master)
    pid = max(after, key=lambda p: after[p] - before.get(p, after[p]))
    rows = re.search(r"<dt>Answers</dt><dd>([0-9]+)</dd>", page).group(1)
    state = json.loads((instance / "exports" / f"{job_path.rsplit('/', 1)[1]}.json").read_text())
    took = (datetime.datetime.fromisoformat(state["updated"]) - datetime.datetime.fromisoformat(state["created"]))
    print(f"{fmt:>5} {rows:>8} {took.total_seconds():5.0f} {offered:9.1f} {downloaded:7.1f} {size / 2**20:8.1f} "
          f"{'yes' if size == length == expected_size and digest.hexdigest() == expected_sha else 'NO':>6} "
          f"{slowest_health:9.3f} {before.get(pid, 0) / 1024:8.0f} {after[pid] / 1024:8.0f}  {load()}", flush=True)


def run(label: str, database_url: str, tmp: Path, sizes: dict[str, int]) -> None:
    print(f"\n{label}")
    held = 0
    for fmt, rows in sorted(sizes.items(), key=lambda item: item[1]):
        instance = tmp / f"instance-{label}"
        if held:
            grow(database_url, rows - held)
        else:
            prepared(database_url, instance, rows)
        held = rows
        port = free_port()
        with gunicorn(database_url, instance, port) as master:
            browser = Browser(f"http://127.0.0.1:{port}")
            browser.post("/login", {"email": EMAIL, "password": PASSWORD})
            print(f"{'fmt':>5} {'rows':>8} {'job s':>5} {'offered s':>9} {'down s':>7} {'MiB':>8} {'whole':>6} "
                  f"{'health s':>9} {'RSS0 MiB':>8} {'peak MiB':>8}  load")
            run_export(browser, master, fmt, tmp, instance)


def grow(database_url: str, rows: int) -> None:
    from _common import scalar

    version = scalar(database_url, "SELECT form_version FROM submission LIMIT 1")
    seconds = seed(database_url, version, rows)
    engine = make_engine(database_url)
    with engine.begin() as connection:
        tallies.rebuild(connection=connection)
    engine.dispose()
    print(f"seeded {rows} more submissions in {seconds:.1f} s")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--csv", type=int, default=410_000, help="submissions in the CSV export")
    parser.add_argument("--xlsx", type=int, default=155_000, help="submissions in the XLSX export")
    parser.add_argument("--backend", choices=("both", "sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    sizes = {"csv": args.csv, "xlsx": args.xlsx}
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        if args.backend in ("both", "sqlite"):
            run("SQLite", f"sqlite:///{tmp}/exports.db", Path(tmp), sizes)
        if args.backend in ("both", "postgresql") and postgres_reachable():
            run("PostgreSQL", stack.enter_context(postgres_database()), Path(tmp), sizes)


if __name__ == "__main__":
    main()
