"""Background work that writes a file (large exports), its state kept in a small JSON file per job (no Flask).

A request only starts a job and answers at once, so no worker timeout can cut a long export;
the page then reads the job's state file, which every worker process of the server can see.
A few threads per process run the jobs (a bounded pool, so a burst of requests only queues).
A job writes its file beside the final name and renames it once complete, with its size and
SHA-256 in the state; a job that fails removes what it wrote and says why. A job whose
process is gone (a worker restarted) reads as interrupted. Files and states older than
`keep` are removed when the next job starts.
"""

import datetime
import json
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from pathlib import Path

import psutil

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
DISK, INTERRUPTED, BROKEN = "disk", "interrupted", "error"  # why a job failed
JOB_ID = re.compile(r"[0-9a-f]{32}")
# A job is known dead when its process is. This is for a process number used again by another
# process: a running job writes its state every page of rows, but zipping a large XLSX at the
# end writes nothing for minutes, hence the wide margin.
STALE = datetime.timedelta(hours=1)
PROGRESS_EVERY = 0.5  # seconds between two writes of a running job's state


@dataclass(frozen=True)
class Job:
    """One export in the background: who asked for what, how far it got, and the finished file."""

    id: str
    owner: int
    form_id: str
    format: str
    download_name: str
    total: int = 0
    done: int = 0
    state: str = QUEUED
    created: str = ""
    updated: str = ""
    size: int | None = None
    sha256: str | None = None
    error: str | None = None
    error_detail: str | None = None
    pid: int = 0
    detail: dict = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.state in (DONE, FAILED)

    @property
    def file(self) -> str:
        return f"{self.id}.{self.format}"

    @property
    def created_at(self) -> datetime.datetime:
        return datetime.datetime.fromisoformat(self.created)


Work = Callable[[Path, Callable[[int], None]], tuple[int, int, str]]  # (path, progress) -> rows, size, sha256


class Runner:
    """Start jobs in a bounded pool of threads and read their state back from `folder`."""

    def __init__(self, folder: Path, *, workers: int = 2, keep: datetime.timedelta = datetime.timedelta(hours=24)):
        self.folder, self.workers, self.keep = Path(folder), workers, keep
        self._pool: ThreadPoolExecutor | None = None
        self._futures: dict[str, Future | None] = {}
        self._lock = threading.Lock()

    def start(self, job: Job, work: Work) -> Job:
        """Record a new job and queue its work; return it as recorded."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.clean()
        job = replace(job, state=QUEUED, created=_now(), pid=os.getpid())
        with self._lock:
            self._futures[job.id] = None  # known to this process before its state can be read
            try:
                self._write(job)
            except BaseException:
                del self._futures[job.id]
                raise
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="export-job")
            self._futures[job.id] = self._pool.submit(self._run, job, work)
        return job

    def get(self, job_id: str) -> Job | None:
        """Read a job's state; a job whose process or thread is gone reads as interrupted."""
        if not JOB_ID.fullmatch(job_id or ""):
            return None
        try:
            job = Job(**json.loads((self.folder / f"{job_id}.json").read_text("utf-8")))
        except (OSError, ValueError, TypeError):
            return None
        if not job.finished and self._gone(job):
            return replace(job, state=FAILED, error=INTERRUPTED)
        return job

    def jobs_of(self, owner: int, form_id: str | None = None) -> list[Job]:
        """The jobs an account started (for one questionnaire), newest first."""
        found = [self.get(path.stem) for path in self.folder.glob("*.json")] if self.folder.is_dir() else []
        return sorted((job for job in found if job and job.owner == owner and form_id in (None, job.form_id)),
                      key=lambda job: job.created, reverse=True)

    def path(self, job: Job) -> Path:
        return self.folder / job.file

    def wait(self, job_id: str, timeout: float | None = None) -> Job | None:
        """Wait for a job this process runs to end (tests and benchmarks), then read its state."""
        future = self._futures.get(job_id)
        if future is not None:
            future.result(timeout)
        return self.get(job_id)

    def clean(self, now: float | None = None) -> None:
        """Remove the files and states of jobs older than `keep`, and leftovers of interrupted ones."""
        limit = (now or time.time()) - self.keep.total_seconds()
        for path in self.folder.iterdir() if self.folder.is_dir() else ():
            try:
                if path.stat().st_mtime < limit and path.is_file():
                    path.unlink()
            except OSError:
                continue  # another worker removed it first

    def _run(self, job: Job, work: Work) -> None:
        job = replace(job, state=RUNNING)
        last = [time.monotonic()]

        def progress(done: int) -> None:
            if time.monotonic() - last[0] >= PROGRESS_EVERY:
                last[0] = time.monotonic()
                self._write(replace(job, done=done))

        try:
            self._write(job)
            rows, size, digest = work(self.path(job), progress)
            self._write(replace(job, state=DONE, done=rows, total=max(job.total, rows), size=size, sha256=digest))
        except OSError as exc:
            log.exception("export job %s could not write its file", job.id)
            self._fail(job, DISK, exc.strerror or str(exc))
        except Exception as exc:  # noqa: BLE001 - any failure is reported on the job's page
            log.exception("export job %s failed", job.id)
            self._fail(job, BROKEN, type(exc).__name__)
        finally:
            self._futures.pop(job.id, None)

    def _fail(self, job: Job, reason: str, detail: str) -> None:
        self.path(job).unlink(missing_ok=True)  # never offer a file from a failed job
        try:
            self._write(replace(job, state=FAILED, error=reason, error_detail=detail))
        except OSError:
            log.exception("export job %s: its failure could not be recorded either", job.id)

    def _write(self, job: Job) -> None:
        """Replace the state file in one step, so a reader never sees half of it."""
        job = replace(job, updated=_now())
        temporary = self.folder / f".{job.id}.{threading.get_ident()}.tmp"
        temporary.write_text(json.dumps(asdict(job), ensure_ascii=False), "utf-8")
        for attempt in range(5):
            try:
                temporary.replace(self.folder / f"{job.id}.json")
                return
            except PermissionError:  # Windows: a page is reading the state file at this moment
                if attempt == 4:
                    raise
                time.sleep(0.05)

    def _gone(self, job: Job) -> bool:
        if job.pid == os.getpid():
            return job.id not in self._futures
        updated = datetime.datetime.fromisoformat(job.updated)
        return not _alive(job.pid) or datetime.datetime.now(datetime.UTC) - updated > STALE


def new_id() -> str:
    return secrets.token_hex(16)


def _alive(pid: int) -> bool:
    # psutil, not os.kill(pid, 0): on Windows that would send the process a Ctrl+C
    return psutil.pid_exists(pid)


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
