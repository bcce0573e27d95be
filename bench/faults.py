"""Faults injected while a workshop server pushes to the central one, counted over many rounds.

Every round pushes a fresh workshop database (SQLite, --size submissions) with the real
`flask --app survey_app sync push` to a central server, injects one kind of fault, lets the
push finish (or pushes again), and compares what the workshop side holds as acknowledged
with what the central database stores:
- server kill -9: the central server (`python run.py`) is SIGKILLed at a random moment once
  ingestion has begun, and started again on the same port; the push retries on its own;
  rounds go on until --rounds kills have landed while the push was still sending;
- push kill -9: the pushing process is SIGKILLed at a random moment; what it had
  acknowledged must be stored; then the push is run again to the end (again counted until
  --other-rounds kills landed mid-push);
- PostgreSQL backend terminated: pg_terminate_backend() on the central server's own
  connections, several times during the push;
- PostgreSQL restarted (with --restart-postgres): the database service itself is restarted
  in fast mode at a random moment of the push;
- SQLite disk full: the central server runs in this process with `PRAGMA max_page_count`
  held at (about) the database's size, so writes fail with SQLITE_FULL; the push must get
  an error with nothing unstored acknowledged; then the limit is raised and a resend must
  store everything exactly once.
- poisoned push (its own table): a workshop database of --poisoned-size good submissions among which
  a few poisoned ones are written around the app (a UUID with a newline, NUL and half a surrogate pair
  in an answer, a date in year 1, a number beyond a double); one push must deliver every good record
  and keep each poisoned one in the quarantine of both sides. Figures: good delivered / good sent,
  poisoned quarantined on the central server and on the workshop laptop.
Columns: injections; acknowledged (by the workshop side, after the final push); stored
(the central server holds, of those rounds' records); lost (acknowledged but not stored,
checked both right after the fault and at the end); doubled (rows minus distinct UUIDs).
mid-push counts the injections that hit a push still under way (for disk full: a push
that got some batches in before the disk filled); failed counts pushes that ended with an
error and had to be run again. Goal: lost 0 and doubled 0, and stored = acknowledged.

Run: python bench/faults.py [--rounds 20] [--size 1000] [--restart-postgres]   (--rounds 100 for the full figure)
     python bench/faults.py --only poisoned [--poisoned-size 5000]
"""

import argparse
import contextlib
import logging
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from _common import FORMS
from _common import PG_ADMIN
from _common import load
from _common import postgres_database
from _common import postgres_reachable
from _common import prepare
from _common import rng
from _common import scalar
from _common import seed
from _common import start_push
from _common import uuids
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from werkzeug.serving import make_server

from survey_app import create_app
from tests.servers import LiveServer
from tests.servers import free_port

PATIENCE = 300
KILL_WINDOW = 0.3  # seconds after the first records arrive; a push of 1,000 takes about 0.2-0.5 s here
QUICK = ("--attempts", "30", "--retry-delay", "0.05", "--batch-size", "100", "--timeout", "30")


@dataclass
class Tally:
    fault: str
    injections: int = 0
    acknowledged: int = 0
    stored: int = 0
    lost: int = 0
    doubled: int = 0
    failed_pushes: int = 0  # pushes that ended with an error and were sent again
    mid_push: int = 0  # injections that landed while the push was still running

    def row(self) -> str:
        return (f"{self.fault:32} {self.injections:10d} {self.acknowledged:12d} {self.stored:8d} {self.lost:5d} "
                f"{self.doubled:7d} {self.mid_push:8d} {self.failed_pushes:6d}  {load()}")


class Workshop:
    """One round's sending side: a copy of the empty template database with fresh submissions."""

    def __init__(self, tmp: Path, template: Path, version: str, size: int, number: int):
        self.folder = tmp / f"workshop-{number}"
        self.folder.mkdir()
        shutil.copy(template, self.folder / "workshop.db")
        self.url = f"sqlite:///{self.folder / 'workshop.db'}"
        seed(self.url, version, size)
        self.sent = set(uuids(self.url, "SELECT uuid FROM submission"))

    def start(self, to: str, *options: str):
        return start_push(self.url, self.folder / "instance", to, *options, log=self.folder / "push.log")

    def push_to_end(self, to: str) -> None:
        process = self.start(to, *QUICK)
        process.wait(PATIENCE)
        if process.returncode != 0:
            raise SystemExit(f"the final push failed:\n{(self.folder / 'push.log').read_text()[-2000:]}")

    def acknowledged(self) -> set[str]:
        return set(uuids(self.url, "SELECT s.uuid FROM submission s JOIN pushack p ON p.submission_id = s.id"))


def held(central_url: str, workshop: Workshop) -> set[str]:
    return workshop.sent & set(uuids(central_url, "SELECT uuid FROM submission"))


def settle(tally: Tally, central_url: str, workshop: Workshop, process) -> None:
    """Let the push end; if it failed, push again; then add this round's counts."""
    process.wait(PATIENCE)
    if process.returncode != 0:
        tally.failed_pushes += 1
        tally.lost += len(workshop.acknowledged() - held(central_url, workshop))
        workshop.push_to_end(central_url_of[central_url])
    acknowledged, stored = workshop.acknowledged(), held(central_url, workshop)
    tally.acknowledged += len(acknowledged)
    tally.stored += len(stored)
    tally.lost += len(acknowledged - stored)
    assert stored == workshop.sent, "the final push did not deliver everything"


central_url_of: dict[str, str] = {}  # central database URL -> the server's base URL


def wait_for_arrivals(central_url: str, before: int, process) -> None:
    """Wait until the central database holds some of this round's records (or the push ended)."""
    deadline = time.monotonic() + PATIENCE
    while scalar(central_url, "SELECT count(*) FROM submission") <= before and process.poll() is None:
        assert time.monotonic() < deadline, "no record arrived"
        time.sleep(0.02)


def kill_server(server: LiveServer, central_url: str, workshops, rounds: int) -> Tally:
    """Kill the server until `rounds` kills have landed while a push was still sending."""
    tally = Tally("kill -9 central server")
    while tally.mid_push < rounds and tally.injections < 3 * rounds:
        workshop = next(workshops)
        before = scalar(central_url, "SELECT count(*) FROM submission")
        process = workshop.start(server.url, *QUICK)
        wait_for_arrivals(central_url, before, process)
        time.sleep(rng.uniform(0, KILL_WINDOW))
        tally.mid_push += process.poll() is None
        server.kill()
        tally.injections += 1
        server.start(timeout=PATIENCE)
        settle(tally, central_url, workshop, process)
    tally.doubled = doubles(central_url)
    return tally


def kill_push(server: LiveServer, central_url: str, workshops, rounds: int) -> Tally:
    """Kill the push until `rounds` kills have landed while it was still sending."""
    tally = Tally("kill -9 pushing process")
    while tally.mid_push < rounds and tally.injections < 3 * rounds:
        workshop = next(workshops)
        before = scalar(central_url, "SELECT count(*) FROM submission")
        process = workshop.start(server.url, *QUICK)
        wait_for_arrivals(central_url, before, process)
        time.sleep(rng.uniform(0, KILL_WINDOW))
        tally.mid_push += process.poll() is None
        process.kill()
        process.wait(PATIENCE)
        tally.injections += 1
        tally.lost += len(workshop.acknowledged() - held(central_url, workshop))  # right after the fault
        workshop.push_to_end(server.url)
        settle(tally, central_url, workshop, _Done())
    tally.doubled = doubles(central_url)
    return tally


class _Done:
    """A finished push, for settle() after a push run to the end."""

    returncode = 0

    def wait(self, _timeout):
        return 0


def terminate_backends(server: LiveServer, central_url: str, workshops, rounds: int) -> Tally:
    tally = Tally("PostgreSQL backends terminated")
    name = make_url(central_url).database
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    for _ in range(rounds):
        workshop = next(workshops)
        before = scalar(central_url, "SELECT count(*) FROM submission")
        process = workshop.start(server.url, *QUICK)
        wait_for_arrivals(central_url, before, process)
        for _hit in range(3):
            time.sleep(rng.uniform(0, KILL_WINDOW / 3))
            if process.poll() is not None:
                break
            tally.mid_push += 1
            with admin.connect() as conn:
                tally.injections += conn.execute(text(
                    "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()) AS t"), {"name": name}).scalar_one()
        settle(tally, central_url, workshop, process)
    admin.dispose()
    tally.doubled = doubles(central_url)
    return tally


def restart_postgres(server: LiveServer, central_url: str, workshops, rounds: int) -> Tally:
    """Restart the PostgreSQL service itself (fast mode: open transactions are rolled back) mid-push."""
    tally = Tally("PostgreSQL restarted")
    cluster = _local_cluster()
    while tally.mid_push < rounds and tally.injections < 3 * rounds:
        workshop = next(workshops)
        before = scalar(central_url, "SELECT count(*) FROM submission")
        process = workshop.start(server.url, *QUICK)
        wait_for_arrivals(central_url, before, process)
        time.sleep(rng.uniform(0, KILL_WINDOW / 2))
        tally.mid_push += process.poll() is None
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", *cluster, "restart", "-m", "fast"],
                       check=True, capture_output=True, timeout=PATIENCE)
        tally.injections += 1
        settle(tally, central_url, workshop, process)
    tally.doubled = doubles(central_url)
    return tally


def _local_cluster() -> tuple[str, str]:
    """The version and name of the PostgreSQL cluster on this machine (Debian's pg_lsclusters)."""
    listed = subprocess.run(["pg_lsclusters", "--no-header"], check=True, capture_output=True, text=True).stdout
    version, name = listed.split()[:2]
    return version, name


def disk_full(tmp: Path, workshops, rounds: int) -> Tally:
    """SQLITE_FULL on the central server: max_page_count at the file's size, then raised for the resend."""
    tally = Tally("SQLite disk full (max_page_count)")
    central_url = f"sqlite:///{tmp / 'full.db'}"
    app = create_app({"SECRET_KEY": "bench", "INSTANCE_PATH": str(tmp / "full-instance"),
                      "SURVEY_DATABASE_URL": central_url, "SURVEY_FORMS_DIR": str(FORMS)})
    limit = {"pages": 1_073_741_823}

    @event.listens_for(app.extensions["survey_engine"], "checkout")
    def _cap(dbapi_connection, _record, _proxy):
        dbapi_connection.execute(f"PRAGMA max_page_count = {limit['pages']}")

    logging.disable(logging.CRITICAL)  # the server's tracebacks of SQLITE_FULL are expected here
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    central_url_of[central_url] = url
    try:
        for _ in range(rounds):
            workshop = next(workshops)
            pages = scalar(central_url, "PRAGMA page_count")
            limit["pages"] = pages + rng.randint(0, 40)  # full at once, or after a few batches
            # One attempt: the server asks for 30 s before a retry (Retry-After), and the disk stays full.
            process = workshop.start(url, "--attempts", "1", "--batch-size", "100")
            process.wait(PATIENCE)
            tally.injections += 1
            tally.mid_push += 0 < len(workshop.acknowledged()) < len(workshop.sent)
            refused = process.returncode != 0
            acknowledged = workshop.acknowledged()
            tally.lost += len(acknowledged - held(central_url, workshop))
            assert held(central_url, workshop) == acknowledged, "stored without being acknowledged"
            limit["pages"] = 1_073_741_823
            if refused:
                tally.failed_pushes += 1
            workshop.push_to_end(url)
            settle(tally, central_url, workshop, _Done())
    finally:
        server.shutdown()
        app.extensions["survey_engine"].dispose()
        logging.disable(logging.NOTSET)
    tally.doubled = doubles(central_url)
    return tally


# Records a workshop laptop may hold from before its own checks refused them: SQL assignments, each applied
# to rows spread through the database so that good records come before and after every one.
POISONS = (
    "uuid = uuid || char(10)",
    """answers = '{"overall": "1", "why_low": "a\\u0000b"}'""",
    """answers = '{"overall": "1", "why_low": "\\ud800"}'""",
    "submitted_at = '0001-01-01 00:00:00.000000'",
    """answers = '{"overall": Infinity, "age": "30"}'""",
)


def poisoned_push(server: LiveServer, central_url: str, workshop: Workshop, copies: int = 2) -> bool:
    """Push good records with a few poisoned ones among them; print what arrived and what was kept aside."""
    engine = create_engine(workshop.url, poolclass=NullPool)
    total = len(workshop.sent)
    poisoned_ids = [1 + (total * (n + 1)) // (len(POISONS) * copies + 1) for n in range(len(POISONS) * copies)]
    with engine.begin() as conn:
        poisoned = {conn.execute(text(f"SELECT uuid FROM submission WHERE id = {row_id}")).scalar_one()  # noqa: S608
                    for row_id in poisoned_ids}
        for n, row_id in enumerate(poisoned_ids):
            conn.execute(text(f"UPDATE submission SET {POISONS[n % len(POISONS)]} WHERE id = {row_id}"))  # noqa: S608
    engine.dispose()
    good = workshop.sent - poisoned
    kept_before = scalar(central_url, "SELECT count(*) FROM quarantinedrecord")
    started = time.perf_counter()
    process = workshop.start(server.url, "--batch-size", "100", "--attempts", "3", "--retry-delay", "0.05")
    process.wait(PATIENCE)
    seconds = time.perf_counter() - started
    delivered = len(good & set(uuids(central_url, "SELECT uuid FROM submission")))
    kept_central = scalar(central_url, "SELECT count(*) FROM quarantinedrecord") - kept_before
    kept_laptop = scalar(workshop.url, "SELECT count(*) FROM quarantinedrecord")
    print(f"poisoned push: {len(good)} good and {len(poisoned)} poisoned records, batches of 100, push exit "
          f"{process.returncode}, {seconds:.1f} s  {load()}")
    print(f"good delivered / good sent: {delivered} / {len(good)}; poisoned quarantined: "
          f"central {kept_central} / {len(poisoned)}, laptop {kept_laptop} / {len(poisoned)}")
    return process.returncode == 0 and delivered == len(good) and kept_central == kept_laptop == len(poisoned)


def doubles(central_url: str) -> int:
    return scalar(central_url, "SELECT count(*) - count(DISTINCT uuid) FROM submission")


def workshop_factory(tmp: Path, size: int):
    template = tmp / "template.db"
    version = prepare(f"sqlite:///{template}", tmp / "template-instance")
    number = 0
    while True:
        number += 1
        yield Workshop(tmp, template, version, size, number)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20, help="rounds of server kill -9 (100 for the full figure)")
    parser.add_argument("--other-rounds", type=int, default=5, help="rounds of each other fault")
    parser.add_argument("--size", type=int, default=1000, help="submissions per round")
    parser.add_argument("--restart-postgres", action="store_true",
                        help="also restart this machine's PostgreSQL service mid-push (disturbs anything else "
                             "using it; needs root and Debian's pg_ctlcluster)")
    parser.add_argument("--poisoned-size", type=int, default=5000, help="good submissions in the poisoned push")
    parser.add_argument("--only", choices=["poisoned"], help="run only this scenario")
    args = parser.parse_args()
    if args.only == "poisoned":
        return only_poisoned(args.poisoned_size)
    tallies = []
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        tmp = Path(tmp)
        workshops = workshop_factory(tmp, args.size)
        postgres = postgres_reachable()
        central_url = stack.enter_context(postgres_database()) if postgres else f"sqlite:///{tmp / 'central.db'}"
        server = LiveServer(tmp / "central", central_url, FORMS).start(timeout=PATIENCE)
        central_url_of[central_url] = server.url
        backend = "PostgreSQL" if postgres else "SQLite"
        print(f"central server: run.py on {backend}; {args.size} submissions per round, batches of 100")
        print(f"{'fault':32} {'injections':>10} {'acknowledged':>12} {'stored':>8} {'lost':>5} {'doubled':>7} "
              f"{'mid-push':>8} {'failed':>6}  load")
        try:
            faults = [(kill_server, args.rounds), (kill_push, args.other_rounds)]
            if postgres:
                faults.append((terminate_backends, args.other_rounds))
            if postgres and args.restart_postgres:
                faults.append((restart_postgres, args.other_rounds))
            for fault, rounds in faults:
                tallies.append(fault(server, central_url, workshops, rounds))
                print(tallies[-1].row(), flush=True)
            poisoned_met = poisoned_push(server, central_url, next(workshop_factory(tmp, args.poisoned_size)))
        finally:
            server.stop()
        tallies.append(disk_full(tmp, workshops, args.other_rounds))
        print(tallies[-1].row(), flush=True)
    met = all(t.lost == 0 and t.doubled == 0 and t.stored == t.acknowledged for t in tallies)
    print(f"goal: lost 0, doubled 0, stored = acknowledged: {'met' if met else 'NOT MET'}")
    print(f"goal: every good record delivered, every poisoned one quarantined on both sides: "
          f"{'met' if poisoned_met else 'NOT MET'}")


def only_poisoned(size: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        tmp = Path(tmp)
        postgres = postgres_reachable()
        central_url = stack.enter_context(postgres_database()) if postgres else f"sqlite:///{tmp / 'central.db'}"
        server = LiveServer(tmp / "central", central_url, FORMS).start(timeout=PATIENCE)
        print(f"central server: run.py on {'PostgreSQL' if postgres else 'SQLite'}")
        try:
            met = poisoned_push(server, central_url, next(workshop_factory(tmp, size)))
        finally:
            server.stop()
    print(f"goal: every good record delivered, every poisoned one quarantined on both sides: "
          f"{'met' if met else 'NOT MET'}")


if __name__ == "__main__":
    main()
