"""Every corpus questionnaire's answers travel: from a laptop by `sync push` to a central server on
loopback (SQLite or PostgreSQL), and by `sync export` / `sync import` to a third server, unchanged.

The laptop and the third server are apps in this process; the central server is a real one
(tests/servers.py). Each form gets one answer posted through the web form, as in
tests/test_xlsform_corpus.py.
"""

import pytest
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool
from sqlmodel import Session
from sqlmodel import select

from survey_app import create_app
from survey_app.engine.xlsform import read_xlsform
from survey_app.models import Submission

from .conftest import TEST_FORMS
from .servers import LiveServer
from .test_xlsform_corpus import CORPUS
from .test_xlsform_corpus import EXPECTED
from .test_xlsform_corpus import hidden_value
from .test_xlsform_corpus import posted_answers


def make_app(folder, database_url: str):
    return create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(folder / "instance"),
                       "SURVEY_DATABASE_URL": database_url, "SURVEY_FORMS_DIR": str(TEST_FORMS),
                       "SURVEY_DEFAULT_LANGUAGE": "en", "WTF_CSRF_ENABLED": False})


def import_corpus(app) -> dict[str, dict]:
    """Import every corpus file; return each form's definition by file name."""
    runner = app.test_cli_runner()
    definitions = {}
    for name in sorted(EXPECTED):
        result = runner.invoke(args=["forms", "import", str(CORPUS / name)])
        assert result.exit_code == 0, (name, result.output)
        definitions[name] = read_xlsform(CORPUS / name).definition
    return definitions


def answer_every_form(app, definitions: dict[str, dict]) -> None:
    client = app.test_client()
    for name, definition in definitions.items():
        form_id = definition["form_id"]
        page = client.get(f"/forms/{form_id}").data.decode()
        data = posted_answers(definition, EXPECTED[name].get("answers", {}))
        data.update(submission_uuid=hidden_value(page, "submission_uuid"),
                    form_version=hidden_value(page, "form_version"))
        response = client.post(f"/forms/{form_id}", data=data)
        assert response.status_code == 302, (name, response.data[-800:])


def records(database_url: str) -> dict[str, tuple]:
    """Every stored submission by UUID, read with a connection of the test's own."""
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with Session(engine) as session:
            return {row.uuid: (row.form_id, row.form_version, row.lang, row.answers)
                    for row in session.exec(select(Submission))}
    finally:
        engine.dispose()


@pytest.fixture
def central(database_url, tmp_path):
    """A central server on loopback that knows every corpus questionnaire and holds no answers."""
    import_app = make_app(tmp_path / "central", database_url)
    import_corpus(import_app)
    import_app.extensions["survey_engine"].dispose()
    server = LiveServer(tmp_path / "central" / "instance", database_url, TEST_FORMS).start()
    server.database_url = database_url
    yield server
    server.stop()


def test_every_corpus_answer_reaches_the_central_server_and_an_imported_file(central, tmp_path):
    laptop_url = f"sqlite:///{tmp_path / 'laptop.db'}"
    laptop = make_app(tmp_path / "laptop", laptop_url)
    answer_every_form(laptop, import_corpus(laptop))
    sent = records(laptop_url)
    assert len(sent) == len(EXPECTED)
    assert {form_id for form_id, *_ in sent.values()} == {
        read_xlsform(CORPUS / name).definition["form_id"] for name in EXPECTED}

    result = laptop.test_cli_runner().invoke(args=["sync", "push", "--to", central.url])
    assert result.exit_code == 0, result.output
    assert f"stored: {len(EXPECTED)}" in result.output, result.output
    assert records(central.database_url) == sent

    exported = tmp_path / "answers.jsonl.gz"
    result = laptop.test_cli_runner().invoke(args=["sync", "export", "--all", "-o", str(exported)])
    assert result.exit_code == 0, result.output
    third_url = f"sqlite:///{tmp_path / 'third.db'}"
    third = make_app(tmp_path / "third", third_url)
    import_corpus(third)
    assert records(third_url) == {}
    result = third.test_cli_runner().invoke(args=["sync", "import", str(exported)])
    assert result.exit_code == 0, result.output
    assert records(third_url) == sent
    for app in (laptop, third):
        app.extensions["survey_engine"].dispose()
