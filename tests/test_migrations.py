"""Alembic migrations: they build exactly the models' schema, and start-up never fights them."""

import logging

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine
from sqlalchemy import inspect
from sqlalchemy import text
from sqlmodel import SQLModel

from survey_app import create_app
from survey_app import migrations
from survey_app.models import Form


def revision_of(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return migrations.current_revision(connection)
    finally:
        engine.dispose()


def test_migrations_build_the_models_schema(database_url):
    engine = create_engine(database_url)
    try:
        migrations.upgrade(engine)
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_new_database_is_stamped_at_head(app_config):
    create_app(app_config).extensions["survey_engine"].dispose()
    assert revision_of(app_config["SURVEY_DATABASE_URL"]) == migrations.head()


def test_upgrade_after_start_up_changes_nothing(app, runner, session):
    session.add(Form(form_id="kept", current_version="v1"))
    session.commit()
    with app.extensions["survey_engine"].connect() as connection:
        tables = sorted(inspect(connection).get_table_names())

    result = runner.invoke(args=["db", "upgrade"])

    assert result.exit_code == 0, result.output
    with app.extensions["survey_engine"].connect() as connection:
        assert sorted(inspect(connection).get_table_names()) == tables
        assert migrations.current_revision(connection) == migrations.head()
    assert session.get(Form, "kept") is not None


def test_database_made_before_migrations_is_stamped_at_the_first_revision_then_upgraded(app_config):
    engine = create_engine(app_config["SURVEY_DATABASE_URL"])
    Form.__table__.create(engine)
    engine.dispose()
    create_app(app_config).extensions["survey_engine"].dispose()
    url = app_config["SURVEY_DATABASE_URL"]
    # Then a SQLite file goes on up to the code's revision at once; PostgreSQL waits for `db upgrade`.
    assert revision_of(url) == (migrations.head() if url.startswith("sqlite") else migrations.INITIAL)


def test_database_behind_the_code_is_reported_not_rebuilt(app_config, caplog):
    engine = create_engine(app_config["SURVEY_DATABASE_URL"])
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
        connection.execute(text("INSERT INTO alembic_version VALUES ('0000')"))
    engine.dispose()
    caplog.set_level(logging.ERROR)

    app = create_app({**app_config, "SURVEY_FORMS_DIR": app_config["INSTANCE_PATH"]})
    with app.extensions["survey_engine"].connect() as connection:
        tables = inspect(connection).get_table_names()
    app.extensions["survey_engine"].dispose()

    assert tables == ["alembic_version"]
    assert "db upgrade" in caplog.text


def test_a_laptops_sqlite_file_behind_the_code_is_upgraded_at_start_up(app_config, tmp_path, caplog):
    url = f"sqlite:///{tmp_path / 'laptop.db'}"
    engine = create_engine(url)
    migrations.upgrade(engine, migrations.INITIAL)
    engine.dispose()
    assert revision_of(url) == migrations.INITIAL != migrations.head()
    caplog.set_level(logging.WARNING)
    create_app({**app_config, "SURVEY_DATABASE_URL": url}).extensions["survey_engine"].dispose()
    assert revision_of(url) == migrations.head()
    assert "upgraded the database" in caplog.text


def test_db_current_says_the_database_is_current(runner):
    result = runner.invoke(args=["db", "current"])
    assert result.exit_code == 0
    assert f"{migrations.head()} (current;" in result.output
