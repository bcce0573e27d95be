"""Shared fixtures: an app on a fresh SQLite file, and the same on a fresh PostgreSQL database.

PostgreSQL is found at SURVEY_TEST_POSTGRES (default postgresql+psycopg://postgres@127.0.0.1:5432/test,
used only to create and drop a database of this run's own). Without it those tests skip,
except under CI (CI=true), where a missing PostgreSQL is a failure.
"""

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session
from sqlmodel import SQLModel

from survey_app import create_app

DATA = Path(__file__).parent / "data"
TEST_FORMS = DATA / "forms"
ADMIN_URL = os.environ.get("SURVEY_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _postgres_available() -> bool:
    try:
        with create_engine(ADMIN_URL, connect_args={"connect_timeout": 3}).connect():
            return True
    except Exception:  # noqa: BLE001 - any failure means "not here"
        return False


@pytest.fixture(scope="session")
def postgres_url():
    """Create a database for this test run and drop it at the end."""
    if not _postgres_available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI but {ADMIN_URL} is not reachable")
        pytest.skip("PostgreSQL not reachable")
    name = f"survey_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """Yield an empty database: a new SQLite file, or the run's PostgreSQL database emptied."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'survey.db'}"
        return
    url = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    SQLModel.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    yield url


@pytest.fixture
def app_config(database_url, tmp_path):
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SURVEY_DATABASE_URL": database_url,
        "SURVEY_FORMS_DIR": str(TEST_FORMS),
        "SURVEY_DEFAULT_LANGUAGE": "en",
        "WTF_CSRF_ENABLED": False,
    }


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    yield app
    app.extensions["survey_engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    with Session(app.extensions["survey_engine"]) as session:
        yield session
