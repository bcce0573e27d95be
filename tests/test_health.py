"""GET /healthz: a JSON answer for load balancers, 503 when this server should not take traffic."""

import pytest
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy import text

from survey_app.health import app_version


def test_healthy_server_reports_ok_without_cookies(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "migrations": "current",
                                   "version": app_version()}
    assert "Set-Cookie" not in response.headers


def test_unreachable_database_answers_503(app, client, tmp_path):
    app.extensions["survey_engine"].dispose()
    app.extensions["survey_engine"] = create_engine(f"sqlite:///{tmp_path / 'missing' / 'folder' / 'x.db'}")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_database_behind_the_code_answers_503(app, client):
    with app.extensions["survey_engine"].begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["migrations"] == "behind"


def test_unversioned_database_is_still_healthy(app, client):
    with app.extensions["survey_engine"].begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["migrations"] == "unversioned"



@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_read_only_postgresql_is_reported(app, client):
    """A standby, or a database set read-only: the write probe is refused and the server says so."""
    engine = app.extensions["survey_engine"]

    def read_only(connection, _record):
        with connection.cursor() as cursor:
            cursor.execute("SET default_transaction_read_only = on")
        connection.commit()

    engine.dispose()
    event.listen(engine, "connect", read_only)
    try:
        response = client.get("/healthz")
    finally:
        event.remove(engine, "connect", read_only)
        engine.dispose()
    assert response.status_code == 503 and response.get_json()["database"] == "read_only"
