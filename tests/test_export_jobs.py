"""Background exports: progress, the finished file with its length and checksum, failures that offer nothing, roles."""

import base64
import datetime
import errno
import hashlib
import json
import os
import subprocess
import sys
import threading
import time

import pytest

from survey_app import exports
from survey_app import jobs
from survey_app.organisers.exports import runner

from .test_exports import FORM
from .test_exports import PAGE
from .test_exports import answers  # noqa: F401 - a fixture
from .test_exports import read_csv
from .test_results import sign_in

pytestmark = pytest.mark.usefixtures("answers")  # three submissions in every test


@pytest.fixture
def app_config(app_config):
    """Every export with more than one answer runs in the background."""
    return {**app_config, "SURVEY_EXPORT_DIRECT_ROWS": 1}


@pytest.fixture
def organiser(client, session):
    sign_in(client, session)
    return client


def start(client, **fields) -> str:
    """Start a background export as the page does; return the job's id."""
    response = client.post(PAGE, data={"format": "csv", **fields})
    assert response.status_code == 303, response.data
    assert response.headers["Location"].startswith("/organise/exports/")
    return response.headers["Location"].rsplit("/", 1)[1]


def finished(app, job_id: str) -> jobs.Job:
    with app.app_context():
        return runner().wait(job_id, timeout=30)


def test_a_large_export_becomes_a_job_whose_file_comes_with_length_and_checksum(app, organiser):
    job = finished(app, start(organiser, format="csv"))
    assert job.state == jobs.DONE and job.done == 3 and job.total == 3
    page = organiser.get(f"/organise/exports/{job.id}?lang=en").data.decode()
    assert "ready" in page and f"/organise/exports/{job.id}/file" in page and f'data-sha256="{job.sha256}"' in page
    assert f"({job.size} bytes)" in page
    assert 'http-equiv="refresh"' not in page
    response = organiser.get(f"/organise/exports/{job.id}/file", headers={"Accept-Encoding": "br, gzip"})
    data = response.data
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert "Content-Encoding" not in response.headers  # the length is the file's own, and Range requests work
    assert int(response.headers["Content-Length"]) == len(data) == job.size
    assert hashlib.sha256(data).hexdigest() == job.sha256
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert response.headers["Repr-Digest"] == f"sha-256=:{digest}:"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=sample_feedback-")
    assert len(read_csv(data)) == 3
    folder = app.instance_path + "/exports"
    assert os.stat(folder).st_mode & 0o777 == 0o700 and os.stat(f"{folder}/{job.file}").st_mode & 0o777 == 0o600


def test_a_cut_download_resumes_where_it_stopped(app, organiser):
    job = finished(app, start(organiser, format="xlsx"))
    whole = organiser.get(f"/organise/exports/{job.id}/file").data
    rest = organiser.get(f"/organise/exports/{job.id}/file", headers={"Range": "bytes=100-"})
    assert rest.status_code == 206 and rest.data == whole[100:]


def test_the_page_shows_progress_and_refreshes_itself_until_the_job_ends(app, organiser, monkeypatch):
    monkeypatch.setattr(exports, "PAGE_SIZE", 1)
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 0)
    go_on, halfway = threading.Event(), threading.Event()
    write_csv = exports.WRITERS["csv"]

    def slow(rows, layout, file):
        def held():
            for number, row in enumerate(rows):
                if number == 2:
                    halfway.set()
                    go_on.wait(10)
                yield row
        write_csv(held(), layout, file)

    monkeypatch.setitem(exports.WRITERS, "csv", slow)
    job_id = start(organiser, format="csv")
    assert halfway.wait(10)
    page = organiser.get(f"/organise/exports/{job_id}?lang=en").data.decode()
    assert 'http-equiv="refresh"' in page and '<progress max="3" value="2">' in page
    assert "2 of 3 answers written" in page and "/file" not in page
    assert organiser.get(f"/organise/exports/{job_id}/file").status_code == 404
    go_on.set()
    assert finished(app, job_id).state == jobs.DONE


def test_a_job_that_cannot_write_its_file_says_so_and_offers_nothing(app, organiser, monkeypatch):
    monkeypatch.setattr(jobs, "new_id", lambda: "a" * 32)
    folder = app.instance_path + "/exports"
    os.makedirs(f"{folder}/{'a' * 32}.csv.part")  # a folder where the file should go: no one can write there
    job = finished(app, start(organiser, format="csv"))
    assert job.state == jobs.FAILED and job.error == jobs.DISK and job.size is None
    assert not os.path.exists(f"{folder}/{'a' * 32}.csv")
    page = organiser.get(f"/organise/exports/{job.id}?lang=en").data.decode()
    assert "could not be written on the server" in page and "/file" not in page
    assert organiser.get(f"/organise/exports/{job.id}/file").status_code == 404


def test_a_disk_that_fills_up_midway_leaves_no_partial_file(app, organiser, monkeypatch):
    def full_disk(rows, layout, file):
        file.write(b"\xef\xbb\xbfuuid\n" * 100)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setitem(exports.WRITERS, "csv", full_disk)
    job = finished(app, start(organiser, format="csv"))
    assert job.state == jobs.FAILED and job.error_detail == os.strerror(errno.ENOSPC)
    assert sorted(os.listdir(app.instance_path + "/exports")) == [f"{job.id}.json"]
    assert os.strerror(errno.ENOSPC) in organiser.get(f"/organise/exports/{job.id}?lang=en").data.decode()


def test_a_job_whose_server_process_is_gone_reads_as_interrupted(app, organiser):
    job = finished(app, start(organiser, format="csv"))
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    state = app.instance_path + f"/exports/{job.id}.json"
    with open(state) as file:
        recorded = json.load(file)
    with open(state, "w") as file:
        json.dump({**recorded, "state": jobs.RUNNING, "pid": int(ended.stdout), "size": None}, file)
    page = organiser.get(f"/organise/exports/{job.id}?lang=en").data.decode()
    assert "stopped when the server restarted" in page and "/file" not in page
    assert 'http-equiv="refresh"' not in page
    assert organiser.get(f"/organise/exports/{job.id}/file").status_code == 404


def test_only_the_account_that_started_a_job_sees_it(app, client, session):
    sign_in(client, session)
    job = finished(app, start(client))
    urls = [f"/organise/exports/{job.id}", f"/organise/exports/{job.id}/file"]
    client.post("/logout")
    assert [client.get(url).status_code for url in urls] == [302, 302]
    sign_in(client, session, role="translator")
    assert [client.get(url).status_code for url in urls] == [403, 403]
    sign_in(client, session, email="other-organiser@example.org")
    assert [client.get(url).status_code for url in urls] == [404, 404]
    assert job.id not in client.get(PAGE).data.decode()


@pytest.mark.parametrize("job_id", ["../secret_key", "A" * 32, "a" * 31])
def test_a_job_id_that_is_not_one_is_not_found(organiser, job_id):
    assert organiser.get(f"/organise/exports/{job_id}").status_code == 404


def test_the_export_page_lists_the_accounts_jobs(app, organiser):
    job = finished(app, start(organiser))
    body = organiser.get(f"{PAGE}?lang=en").data.decode()
    assert f"/organise/exports/{job.id}" in body and "ready" in body


def test_an_account_may_have_only_a_few_exports_waiting(app, organiser, monkeypatch):
    go_on = threading.Event()
    write_csv = exports.WRITERS["csv"]
    monkeypatch.setitem(exports.WRITERS, "csv", lambda *args: (go_on.wait(10), write_csv(*args)))
    started = [start(organiser) for _ in range(3)]
    response = organiser.post(f"{PAGE}?lang=en", data={"format": "csv"})
    assert response.status_code == 429 and "Please wait until one of your exports" in response.data.decode()
    go_on.set()
    assert {finished(app, job_id).state for job_id in started} == {jobs.DONE}


def test_old_files_are_removed_when_a_job_starts_or_the_export_page_opens(app, organiser):
    old = finished(app, start(organiser))
    folder = app.instance_path + "/exports"
    day_ago = time.time() - 25 * 3600
    for name in os.listdir(folder):
        os.utime(f"{folder}/{name}", (day_ago, day_ago))
    new = finished(app, start(organiser))
    assert sorted(os.listdir(folder)) == sorted([f"{new.id}.json", f"{new.id}.csv"])
    assert organiser.get(f"/organise/exports/{old.id}").status_code == 404
    for name in os.listdir(folder):
        os.utime(f"{folder}/{name}", (day_ago, day_ago))
    organiser.get(PAGE)
    assert os.listdir(folder) == []


def test_small_exports_still_come_at_once(app, organiser):
    app.config["SURVEY_EXPORT_DIRECT_ROWS"] = 3
    response = organiser.post(PAGE, data={"format": "csv"})
    assert response.status_code == 200 and len(read_csv(response.data)) == 3


def test_a_job_is_audited_with_its_id(app, organiser, session):
    from sqlmodel import select

    from survey_app.models import AuditEvent

    job_id = start(organiser, labels="fa")
    finished(app, job_id)
    (event,) = session.exec(select(AuditEvent).where(AuditEvent.action == "export")).all()
    session.commit()
    assert event.detail["job"] == job_id and event.detail["labels"] == "fa" and event.detail["form_id"] == FORM


def test_runner_reports_an_unexpected_failure_without_a_file(tmp_path):
    def broken(path, progress):
        path.write_bytes(b"half")
        raise ValueError("boom")

    runner_ = jobs.Runner(tmp_path)
    job = runner_.start(jobs.Job(id=jobs.new_id(), owner=1, form_id=FORM, format="csv", download_name="x.csv"), broken)
    job = runner_.wait(job.id, 10)
    assert job.state == jobs.FAILED and job.error == jobs.BROKEN and not runner_.path(job).exists()
    assert datetime.datetime.fromisoformat(job.updated) >= job.created_at


@pytest.mark.parametrize(("alive", "minutes_ago", "state"), [
    (True, 0, jobs.RUNNING), (True, 30, jobs.RUNNING), (True, 61, jobs.FAILED), (False, 0, jobs.FAILED)])
def test_another_process_reads_a_job_as_running_while_its_process_lives(tmp_path, alive, minutes_ago, state):
    """Any gunicorn worker reads the state a job's worker writes; a job whose worker died or went silent stopped."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        if not alive:
            process.kill()
            process.wait()
        updated = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=minutes_ago)
        job = jobs.Job(id=jobs.new_id(), owner=1, form_id=FORM, format="csv", download_name="x.csv", total=9,
                       done=4, state=jobs.RUNNING, created=updated.isoformat(), updated=updated.isoformat(),
                       pid=process.pid)
        (tmp_path / f"{job.id}.json").write_text(json.dumps(jobs.asdict(job)))
        read = jobs.Runner(tmp_path).get(job.id)
        assert read.state == state and read.done == 4
        assert read.error == (None if state == jobs.RUNNING else jobs.INTERRUPTED)
    finally:
        process.kill()
        process.wait()


def test_starting_an_export_needs_the_pages_csrf_token(app, organiser):
    app.config["WTF_CSRF_ENABLED"] = True
    response = organiser.post(PAGE, data={"format": "csv"})
    assert response.status_code == 400 and not os.path.exists(app.instance_path + "/exports")
