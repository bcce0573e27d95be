"""Schema migrations with Alembic, run on the app's own engine (no alembic.ini)."""

import logging
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy import text
from sqlmodel import SQLModel

log = logging.getLogger(__name__)
FOLDER = Path(__file__).parent
INITIAL = "0001"
# Any constant will do: it names the lock every worker takes while it prepares the schema.
STARTUP_LOCK = 4_271_953


def alembic_config(connection=None) -> Config:
    """Return an Alembic configuration that runs on the given connection."""
    config = Config()
    config.set_main_option("script_location", str(FOLDER))
    config.attributes["connection"] = connection
    return config


@cache
def head() -> str:
    """Return the newest revision the code knows."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def next_revision_id() -> str:
    """Number migrations in order (0001, 0002, ...) so the folder reads as a history."""
    return f"{len(list(ScriptDirectory.from_config(alembic_config()).walk_revisions())) + 1:04d}"


def current_revision(connection) -> str | None:
    """Return the revision the database is stamped with, or None when it is not versioned."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return MigrationContext.configure(connection).get_current_revision()


def status(connection) -> str:
    """Say how the database stands: "current", "behind" or "unversioned"."""
    revision = current_revision(connection)
    if revision is None:
        return "unversioned"
    return "current" if revision == head() else "behind"


def upgrade(engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def prepare(engine) -> str:
    """Make the schema usable at start-up without fighting Alembic; return its status.

    A fresh database gets every table from the models and is stamped at head, so a
    workshop laptop needs no extra step and a later `db upgrade` starts from the right
    place. A database made by `create_all` before migrations existed has the initial
    schema: missing tables are added and it is stamped at the first revision. A SQLite
    file behind the code is upgraded at once (a workshop laptop); a PostgreSQL database
    is left to `db upgrade`, run when deploying, and start-up only checks it. On PostgreSQL
    several workers starting at once take turns under an advisory lock.
    """
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": STARTUP_LOCK})
        inspector = inspect(connection)
        if not inspector.has_table("alembic_version"):
            fresh = not inspector.get_table_names()
            SQLModel.metadata.create_all(connection)
            command.stamp(alembic_config(connection), "head" if fresh else INITIAL)
        state = status(connection)
    if state == "behind" and engine.dialect.name == "sqlite":
        state = _upgrade_in_place(engine)
    if state == "behind":
        log.error("the database schema is at revision %s but this code needs %s: "
                  "run `flask --app survey_app db upgrade`", current_revision_of(engine), head())
    return state


def _upgrade_in_place(engine) -> str:
    """Bring a workshop laptop's SQLite file up to the code it now runs, at start-up.

    A laptop is updated by people who are not administrators, and one process owns the file,
    so there is no separate step to forget. SQLite changes its schema inside the transaction:
    a step that fails leaves the file as it was, and the error says what to do.
    """
    before = current_revision_of(engine)
    try:
        upgrade(engine)
    except Exception:  # an unknown revision, a failed step: the file is left as it was
        log.exception("could not upgrade the database from revision %s: run `flask --app survey_app db upgrade` "
                      "to see why", before)
        return "behind"
    log.warning("upgraded the database from revision %s to %s", before, head())
    return "current"


def current_revision_of(engine) -> str | None:
    with engine.connect() as connection:
        return current_revision(connection)
