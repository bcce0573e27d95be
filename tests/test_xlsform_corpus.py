"""Questionnaires written for the project as real XLSForms are written: each imports, renders in
every language, is answered without JavaScript through the web form, its answers are stored and
exported.

The files come from tests/data/make_xlsform_corpus.py, which also writes what each must give
(`expected.json`). The import report of each file is printed (see it with `pytest -rA`).
"""

import datetime
import json
import re
from pathlib import Path

import pytest
from sqlmodel import select

from survey_app.engine.xlsform import read_xlsform
from survey_app.models import Submission

CORPUS = Path(__file__).parent / "data" / "xlsform" / "corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
SKIPPED_TYPES = {"note", "calculate", "group", "repeat"}


def generic_answer(question: dict, choices: dict):
    """An answer any question of this type accepts (None: nothing to post)."""
    kind, _, list_name = question["type"].partition(" ")
    options = [option["name"] for option in choices.get(list_name.split()[0] if list_name else "", [])]
    params = question.get("parameters", {})
    return {
        "text": "a reply", "integer": "3", "decimal": "2.5", "date": "2025-11-20", "rating": "3",
        "select_one": options[:1] and options[0], "select_multiple": options[:1], "rank": options,
        "range": str(params.get("start", 1)), "geopoint": "35.7 51.4", "acknowledge": "OK", "time": "10:30",
        "datetime": "2025-11-20T10:30",
    }.get(kind)


def walk(items):
    for item in items:
        yield item
        yield from walk(item.get("children", []))


def posted_answers(definition: dict, overrides: dict) -> dict:
    data = {}
    for question in walk(definition["survey"]):
        if question["type"].split()[0] in SKIPPED_TYPES:
            continue
        value = overrides.get(question["name"], generic_answer(question, definition["choices"]))
        if value not in (None, "", []):
            data[question["name"]] = value
    return data


def hidden_value(page: str, name: str) -> str:
    return re.search(rf'name="{re.escape(name)}" type="hidden" value="([^"]*)"', page).group(1)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_questionnaire_imports_renders_and_stores_answers(name, runner, client, session, tmp_path):
    expected = EXPECTED[name]
    path = CORPUS / name
    result = runner.invoke(args=["forms", "import", str(path)])
    print(f"\n--- import report: {name}\n{result.output}")
    assert result.exit_code == 0, result.output
    definition = read_xlsform(path).definition
    form_id = definition["form_id"]
    assert definition["settings"]["languages"] == expected["languages"]
    assert form_id == expected.get("form_id", form_id)
    assert definition["title"][definition["settings"]["default_language"]] == expected.get("title", definition["title"][
        definition["settings"]["default_language"]])
    for fragment in expected.get("warnings", []):
        assert fragment in result.output, fragment
    questions = {question["name"]: question for question in walk(definition["survey"])}
    for question_name, kind in expected.get("types", {}).items():
        assert questions[question_name]["type"].split()[0] == kind

    pages = []
    for lang in expected["languages"]:
        response = client.get(f"/forms/{form_id}?lang={lang}")
        assert response.status_code == 200, (lang, response.data[-500:])
        pages.append(response.data.decode())
        assert f'lang="{lang.replace("_", "-")}"' in pages[-1]
    page = pages[0]
    for fragment in expected.get("page_contains", []):
        assert fragment in page, fragment
    if "version" in expected:
        assert definition["settings"]["version"] == expected["version"]

    data = posted_answers(definition, expected.get("answers", {}))
    data.update(submission_uuid=hidden_value(page, "submission_uuid"), form_version=hidden_value(page, "form_version"))
    response = client.post(f"/forms/{form_id}", data=data)
    assert response.status_code == 302, re.findall(r'<p class="error"[^>]*>([^<]+)</p>', response.data.decode())
    answers = session.exec(select(Submission).where(Submission.form_id == form_id)).one().answers
    session.rollback()  # the export below reads the database: the test's transaction must not hold it
    for question_name, value in expected.get("stored", {}).items():
        assert answers.get(question_name) == value, (question_name, answers)
    for question_name in expected.get("filled", []):
        assert answers.get(question_name), (question_name, answers)
    for question_name in expected.get("absent", []):
        assert question_name not in answers
    if "day" in expected.get("filled", []):
        assert answers["day"] == datetime.date.today().isoformat()
    check_media_files(client, definition, expected.get("media_files", []), "".join(pages))
    exported = tmp_path / "answers.csv"
    result = runner.invoke(args=["export", form_id, "--format", "csv", "-o", str(exported)])
    assert result.exit_code == 0, result.output
    assert len(exported.read_text(encoding="utf-8-sig").splitlines()) == 2  # the header and the one answer


def check_media_files(client, definition: dict, names: list[str], page: str) -> None:
    """Every file that came in the zip is listed with its hash and served at its content-hashed URL."""
    media_files = definition.get("media_files", {})
    assert sorted(media_files) == sorted(names)
    for meta in media_files.values():
        if meta["type"].startswith("image/"):
            url = re.search(rf'src="(/media/{meta["sha256"]}/[^"]+)"', page)
            assert url, meta
            served = client.get(url.group(1))
            assert served.status_code == 200 and len(served.data) == meta["size"]
            assert "immutable" in served.headers["Cache-Control"] or "max-age=31536000" in served.headers[
                "Cache-Control"]
