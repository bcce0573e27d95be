"""A database that cannot take writes (read-only file, full disk): 503 with Retry-After, never 500; /healthz says so."""

import uuid

import pytest
from sqlalchemy import event

from .test_participants import FORM_URL
from .test_participants import good_answers
from .test_sync_api import SYNC
from .test_sync_api import batch
from .test_sync_api import current_version
from .test_sync_api import record

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def read_only(connection, _record):
    connection.execute("PRAGMA query_only = ON")  # SQLite answers "attempt to write a readonly database"


def full(connection, _record):
    page_count = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.execute(f"PRAGMA max_page_count = {page_count}")  # "database or disk is full" on growing


@pytest.fixture(params=[read_only, full], ids=["read_only", "disk_full"])
def unwritable(request, app):
    """Call it to make the app's database unable to take writes the way the parameter says; returns how."""
    engine = app.extensions["survey_engine"]

    def now() -> str:
        engine.dispose()
        event.listen(engine, "connect", request.param)
        return request.param.__name__

    yield now
    if event.contains(engine, "connect", request.param):
        event.remove(engine, "connect", request.param)
    engine.dispose()


def test_sync_answers_503_with_retry_after_and_acknowledges_nothing(app, client, unwritable):
    version = current_version(client)
    unwritable()
    response = client.post(SYNC, json=batch(*[record(version, answers={"overall": "2", "why_low": "x" * 4000})
                                              for _ in range(200)]))
    assert response.status_code == 503
    assert response.headers["Retry-After"] and "results" not in response.get_json()


def test_web_form_answers_503_with_the_answers_kept_on_the_page(app, client, unwritable):
    answers = good_answers(age="41", overall="2", why_low="z" * 4000, submission_uuid=str(uuid.uuid4()))
    client.get(FORM_URL)
    unwritable()
    response = client.post(FORM_URL, data=answers)
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    page = response.data.decode()
    assert 'value="41"' in page and "send them again" in page


def test_healthz_reports_a_database_that_takes_no_writes(app, client, unwritable):
    assert client.get("/healthz").status_code == 200
    how = unwritable()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json()["database"] in {"read_only": ("read_only", "unreachable"), "full": ("disk_full",)}[how]
