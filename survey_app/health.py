"""A health check for load balancers and monitoring: is the database there, migrated and writable?"""

import shutil
import tomllib
from functools import cache
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path

from flask import Blueprint
from flask import jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from . import migrations
from .config import PROJECT_ROOT
from .db import STORAGE_ERRORS
from .db import get_engine

# Free bytes below which a SQLite database's disk is reported full: a batch of 1000 answers takes about 1 MB.
MIN_FREE_BYTES = 4 * 1024 * 1024

bp = Blueprint("health", __name__)


@cache
def app_version() -> str:
    """Return the installed version, or the checkout's own when the package is not installed."""
    try:
        return package_version("survey-app")
    except PackageNotFoundError:
        with open(PROJECT_ROOT / "pyproject.toml", "rb") as file:
            return tomllib.load(file)["project"]["version"]


@bp.get("/healthz")
def healthz():
    """Report the database and migration state; 503 when this server should not take traffic."""
    report = {"status": "ok", "database": "ok", "migrations": "unversioned", "version": app_version()}
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
            report["migrations"] = migrations.status(connection)
    except SQLAlchemyError:
        report.update(status="unavailable", database="unreachable", migrations="unknown")
    if report["database"] == "ok":
        report["database"] = writable()
    if report["migrations"] == "behind" or report["database"] != "ok":
        report["status"] = "unavailable"
    response = jsonify(report)
    response.status_code = 200 if report["status"] == "ok" else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def writable() -> str:
    """Say whether the database takes writes: "ok", "read_only" or "disk_full".

    A table is made and rolled back (nothing stays), and a SQLite file's disk must have room: in WAL mode
    a rolled-back write never reaches the disk, so a full disk shows only in its free space. On
    PostgreSQL the table is a temporary one, which any role may make and no read-only server allows.
    """
    engine = get_engine()
    temporary = "TEMPORARY " if engine.dialect.name == "postgresql" else ""
    try:
        with engine.connect() as connection:
            probe = connection.begin()
            try:
                connection.execute(text(f"CREATE {temporary}TABLE healthz_write_probe (id INTEGER)"))
                connection.execute(text("INSERT INTO healthz_write_probe VALUES (1)"))
            finally:
                probe.rollback()
    except STORAGE_ERRORS as exc:
        return "disk_full" if "full" in str(exc).lower() or "space" in str(exc).lower() else "read_only"
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if database and database != ":memory:":
        try:
            if shutil.disk_usage(Path(database).resolve().parent).free < MIN_FREE_BYTES:
                return "disk_full"
        except OSError:
            return "read_only"
    return "ok"
