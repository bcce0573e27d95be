"""A health check for load balancers and monitoring: is the database there and migrated?"""

import tomllib
from functools import cache
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version

from flask import Blueprint
from flask import jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from . import migrations
from .config import PROJECT_ROOT
from .db import get_engine

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
    if report["migrations"] == "behind":
        report["status"] = "unavailable"
    response = jsonify(report)
    response.status_code = 200 if report["status"] == "ok" else 503
    response.headers["Cache-Control"] = "no-store"
    return response
