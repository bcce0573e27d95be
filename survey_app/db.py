"""The database life cycle: one engine per app, one session per request, and its CLI."""

import logging
import os
import sqlite3
import stat
from pathlib import Path

import click
from flask import current_app
from flask import g
from flask.cli import AppGroup
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from sqlmodel import create_engine

from . import migrations
from . import models  # noqa: F401  (registers the tables on SQLModel.metadata)

log = logging.getLogger(__name__)
# What storing can fail with: SQLAlchemy's errors, and the SQLite driver's own where its cursor is used
# directly (submissions._insert_sqlite).
STORAGE_ERRORS = (SQLAlchemyError, sqlite3.Error)
# Words of the errors that mean "cannot write now", not a bug: a read-only or full disk, a lock held too
# long, a database that cannot be reached. They answer 503 with Retry-After, never 500.
UNAVAILABLE_WORDS = ("readonly", "read-only", "disk is full", "disk full", "no space left", "disk i/o error",
                     "database is locked", "unable to open database", "could not connect", "connection refused",
                     "server closed the connection", "terminating connection")
RETRY_AFTER = "30"


def is_unavailable(exc: BaseException) -> bool:
    """Tell whether a storage error means the database cannot take writes now (retry later), not a bug."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, SQLAlchemyError) and not isinstance(exc, DBAPIError):
        return False
    original = exc.orig if isinstance(exc, DBAPIError) else exc
    text = str(original).lower()
    return type(original).__name__ in ("DiskFull", "ReadOnlySqlTransaction") or any(
        word in text for word in UNAVAILABLE_WORDS)


def make_engine(url: str):
    """Create an engine; SQLite gets WAL, a busy timeout, foreign keys and write-first transactions."""
    if url.startswith("sqlite"):
        _keep_private(url)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _keep_private(url: str) -> None:
    """Make the SQLite file readable by its owner only: it holds password and token hashes.

    The file is created empty with mode 0600 before SQLite opens it (SQLite gives its -wal
    and -shm files the database file's mode); a file left readable by others is tightened.
    """
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    try:
        if not path.exists():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            if name.exists() and name.stat().st_mode & 0o077:
                name.chmod(stat.S_IMODE(name.stat().st_mode) & 0o700)
    except OSError as exc:  # another owner, a read-only disk: SQLite itself says what it can do
        log.warning("could not make %s readable by its owner only: %s", path, exc)


def _sqlite_pragmas(connection, _record):
    # The driver's own implicit BEGIN (deferred, and only before writes) is switched off;
    # _sqlite_begin_immediate emits the BEGIN instead.
    connection.isolation_level = None
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin_immediate(connection):
    """Take the write lock when a transaction starts, waiting up to the busy timeout.

    A deferred transaction that reads and then writes fails at once with "database is
    locked" when another writer committed in between (WAL cannot upgrade a stale
    snapshot); taking the lock first makes concurrent writers queue instead. A database that takes
    no writes (read-only) refuses that BEGIN: reading still works, and a write fails where it is made,
    so that a page can answer 503 with the answers sent still in it.
    """
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except DBAPIError as exc:
        if "readonly" not in str(exc.orig).lower():
            raise
        connection.exec_driver_sql("BEGIN")


def init_app(app) -> None:
    """Bind an engine to the app, prepare its schema and register teardown and CLI."""
    engine = make_engine(app.config["SURVEY_DATABASE_URL"])
    app.extensions["survey_engine"] = engine
    migrations.prepare(engine)
    app.teardown_appcontext(close_session)
    app.register_error_handler(sqlite3.Error, _storage_failure)
    app.register_error_handler(DBAPIError, _storage_failure)
    app.cli.add_command(init_db_command)
    app.cli.add_command(db_command)


def _storage_failure(exc):
    """A page that could not be written answers 503 with Retry-After when the disk is the cause, else 500."""
    if not is_unavailable(exc):
        raise exc
    current_app.logger.error("database cannot take writes now: %s", exc)
    body = _("This server cannot save anything right now (its storage is full or read-only). Nothing you "
             "sent was lost on your side: please try again in a few minutes.")
    return current_app.response_class(f"<!doctype html><title>503</title><p>{escape(body)}</p>", status=503,
                                      headers={"Retry-After": RETRY_AFTER}, mimetype="text/html")


def get_engine():
    return current_app.extensions["survey_engine"]


def get_session() -> Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = Session(get_engine(), expire_on_commit=False)
    return g.db_session


def close_session(_exc=None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


@click.command("init-db")
def init_db_command():
    """Create the tables and load the questionnaires from the forms folder."""
    from .forms_store import load_forms_folder

    migrations.prepare(get_engine())
    with Session(get_engine()) as session:
        report = load_forms_folder(session=session, folder=current_app.config["SURVEY_FORMS_DIR"])
    for line in report.lines():
        click.echo(line)


@click.group("db", cls=AppGroup)
def db_command():
    """Migrate the database schema (Alembic)."""


@db_command.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Revision to upgrade to.")
def upgrade_command(revision):
    """Apply every migration the database has not had yet."""
    migrations.upgrade(get_engine(), revision)
    click.echo(f"database at {migrations.current_revision_of(get_engine())}")


@db_command.command("current")
def current_command():
    """Show the database's revision and whether it is current."""
    with get_engine().connect() as connection:
        revision, state = migrations.current_revision(connection), migrations.status(connection)
    click.echo(f"{revision or 'none'} ({state}; code at {migrations.head()})")


@db_command.command("revision")
@click.option("-m", "--message", required=True, help="What the migration changes.")
@click.option("--autogenerate", is_flag=True, help="Compare the models with the database.")
def revision_command(message, autogenerate):
    """Write a new migration file (developers)."""
    from alembic import command

    with get_engine().begin() as connection:
        command.revision(migrations.alembic_config(connection), message=message, autogenerate=autogenerate,
                         rev_id=migrations.next_revision_id())
    migrations.head.cache_clear()
