"""The SQLite file holds password and token hashes: only its owner may read it."""

import os
import stat

import pytest
from sqlmodel import Session

from survey_app import create_app
from survey_app.accounts import create_user

from .conftest import TEST_FORMS


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def config(tmp_path, path) -> dict:
    """A SQLite app of its own (the shared fixtures also run on PostgreSQL, which has no file)."""
    return {"TESTING": True, "SECRET_KEY": "test-secret", "SURVEY_FORMS_DIR": str(TEST_FORMS),
            "INSTANCE_PATH": str(tmp_path / "instance"), "SURVEY_DATABASE_URL": f"sqlite:///{path}"}


@pytest.fixture
def open_umask():
    """The common default, under which new files are readable by everyone."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_new_database_and_its_wal_files_are_private(tmp_path, open_umask, monkeypatch):
    monkeypatch.delenv("SURVEY_SECRET_KEY", raising=False)
    path = tmp_path / "data" / "survey.db"
    app = create_app(config(tmp_path, path))
    engine = app.extensions["survey_engine"]
    with Session(engine) as session:
        create_user(session=session, email="org@example.org", password="a long enough password", role="organiser")
        with engine.connect():  # a second reader keeps the -wal and -shm files in place
            assert {mode(path), mode(f"{path}-wal"), mode(f"{path}-shm")} == {0o600}
    engine.dispose()
    assert mode(path.parent) == 0o700
    assert mode(tmp_path / "instance") == 0o700 and mode(tmp_path / "instance" / "secret_key") == 0o600


def test_a_database_left_readable_by_others_is_made_private(tmp_path, open_umask):
    path = tmp_path / "old.db"
    path.touch()
    os.chmod(path, 0o644)
    app = create_app(config(tmp_path, path))
    app.extensions["survey_engine"].dispose()
    assert mode(path) == 0o600


def test_a_database_the_app_may_not_change_still_opens(tmp_path, open_umask, monkeypatch):
    """Tightening the mode is a courtesy: a file of another owner or on a read-only disk still opens."""
    path = tmp_path / "shared.db"
    create_app(config(tmp_path, path)).extensions["survey_engine"].dispose()
    os.chmod(path, 0o644)

    def refuse(*_args, **_kwargs):
        raise PermissionError("Operation not permitted")

    monkeypatch.setattr("pathlib.Path.chmod", refuse)
    app = create_app(config(tmp_path, path))
    app.extensions["survey_engine"].dispose()
    assert mode(path) == 0o644
