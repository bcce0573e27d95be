"""Published XLSForms from other organisations: how many import, render in every language and
accept an answer posted without JavaScript.

They are not part of the project (their authors own them): the test runs where they are,
in SURVEY_XLSFORM_CORPUS, /work/shared/xlsforms or ../shared/xlsforms beside the clone (as
CI has them), and is skipped elsewhere. Each form's import report and outcome is printed.
"""

import io
import os
import re
import warnings
from functools import cache
from pathlib import Path

import pytest

from survey_app import create_app
from survey_app.engine.xlsform import read_xlsform

from .photo_helpers import png
from .test_xlsform_corpus import hidden_value
from .test_xlsform_corpus import posted_answers
from .test_xlsform_corpus import walk

ROOT = Path(__file__).parent.parent
PLACES = [os.environ.get("SURVEY_XLSFORM_CORPUS"), "/work/shared/xlsforms", str(ROOT.parent / "shared" / "xlsforms")]
FOLDER = next((Path(place) for place in PLACES if place and Path(place).is_dir()), None)
FILES = sorted(p for p in FOLDER.iterdir() if p.suffix.lower() in (".xlsx", ".xls", ".zip")) if FOLDER else []
CANDIDATES = ["1", "0", "2", "10", "100", "999", "5551234567", "A1B2C3D4E5F", "A1B2C3D", "abc12", "2025-01-15",
              "01/2025", "yes", "a", "15", "123456789", "123456", "0712345678", "2099-12-31"]
DEFAULT_TYPES = ("text", "integer", "decimal", "date", "select_one")  # an author's default is a valid answer
ROUNDS = len(CANDIDATES) + 1
EQUAL_TO_ANSWER = re.compile(r"^\s*([\w-]+)\s*=\s*\$\{([\w-]+)\}\s*$")  # choice_filter: column = ${question}


@pytest.fixture
def real_app(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "INSTANCE_PATH": str(tmp_path / "instance"),
                      "SURVEY_DATABASE_URL": f"sqlite:///{tmp_path / 'survey.db'}",
                      "SURVEY_FORMS_DIR": str(tmp_path / "no_forms"), "SURVEY_DEFAULT_LANGUAGE": "en",
                      "WTF_CSRF_ENABLED": False})
    yield app
    app.extensions["survey_engine"].dispose()


def offered_options(page: str, name: str) -> list[str]:
    """The options the page offers for a field now (a choice filter hides the others)."""
    pattern = (rf'<label class="option[^"]*"([^>]*)>\s*<input type="(?:radio|checkbox)" name="{re.escape(name)}" '
               r'value="([^"]*)"')
    offered = [value for attributes, value in re.findall(pattern, page) if " hidden" not in attributes]
    drop_down = re.search(rf'<select name="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.DOTALL)
    if drop_down:
        offered += [value for value, attributes in re.findall(r'<option value="([^"]+)"([^>]*)>', drop_down.group(1))
                    if " hidden" not in attributes]
    return offered


def filtered_answers(definition: dict) -> dict:
    """Answers for drop-downs filtered by an earlier answer (`column=${question}`), chosen level by level
    so that every level below still offers an option (a province whose districts have villages)."""
    questions = {q["name"]: q for q in walk(definition["survey"])}
    below: dict[str, list[tuple[str, str]]] = {}  # question -> [(filtered question, column)]
    for name, question in questions.items():
        match = EQUAL_TO_ANSWER.match(question.get("choice_filter") or "")
        if match and match.group(2) in questions:
            below.setdefault(match.group(2), []).append((name, match.group(1)))
    filtered = {name for levels in below.values() for name, _ in levels}

    def options(name: str) -> list[dict]:
        list_name = questions[name]["type"].partition(" ")[2].split(" ")[0]
        return definition["choices"].get(list_name, [])

    @cache
    def pick(name: str, option: str) -> tuple | None:
        """The answers of `name` and the levels below it, when `option` leaves each level below an option."""
        chosen = [(name, option)]
        for child, column in below.get(name, []):
            allowed = [o["name"] for o in options(child) if str((o.get("data") or {}).get(column, "")) == option]
            found = next((answers for value in allowed if (answers := pick(child, value))), None)
            if found is None:
                return None
            chosen.extend(found)
        return tuple(chosen)

    answers: dict = {}
    for top in below.keys() - filtered:
        found = next((found for o in options(top) if (found := pick(top, o["name"]))), None)
        answers.update(found or ())
    return answers


FIXED_VALUE = re.compile(r"^\s*(?:\$\{__choice\.)?([\w-]+)\}?\s*=\s*'([^']*)'\s*$")


def long_list_options(question: dict, options: list[dict]) -> list[str]:
    """The names of a long list's options that its choice filter allows (all of them without one)."""
    match = FIXED_VALUE.match(question.get("choice_filter") or "")
    if not match:
        return [option["name"] for option in options]
    column, value = match.groups()
    return [option["name"] for option in options if str((option.get("data") or {}).get(column, "")) == value]


def answer_until_accepted(client, form_id: str, definition: dict) -> tuple[bool, list[str]]:
    """Post answers; where the server refuses one, try other values, a few rounds at most.

    A field inside a repeat is named by its path (`household/0/age`); a filtered list offers
    only what the page shows.
    """
    choices = definition["choices"]
    questions = {q["name"]: q for q in walk(definition["survey"])}
    overrides: dict = filtered_answers(definition)
    for name, question in questions.items():
        default = str(question.get("default") or "")
        if default and default != "today" and question["type"].split()[0] in DEFAULT_TYPES:
            overrides.setdefault(name, default)
    errors: list[str] = []
    page = client.get(f"/forms/{form_id}").data.decode()
    for attempt in range(ROUNDS):
        data = posted_answers(definition, overrides)
        data.update((key, value) for key, value in overrides.items() if "/" in key)
        for name, number in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)" data-instance-marker',
                                       page):
            data.setdefault(name, [])
            if isinstance(data[name], list) and number:
                data[name].append(number)  # each instance of a repeat the page drew
        data.update(submission_uuid=hidden_value(page, "submission_uuid"),
                    form_version=hidden_value(page, "form_version"))
        for name in re.findall(r'<input id="f-[^"]*" name="([^"]+)" type="file"', page):  # a photo or file answer
            data[name] = (io.BytesIO(png()), "photo.png")
        response = client.post(f"/forms/{form_id}", data=data)
        if response.status_code == 302:
            return True, []
        page = response.data.decode()
        errors = re.findall(r'<p class="error" id="error-([^"]+)" >', page)
        for name in errors:
            question = questions.get(name.rsplit("/", 1)[-1], {})
            list_name = question.get("type", "").partition(" ")[2].split(" ")[0]
            options = offered_options(page, name) or [option["name"] for option in choices.get(list_name, [])]
            if re.search(rf'id="q-{re.escape(name)}"[^>]*data-choice-list=', page):
                # A long list draws only the answer it keeps: pick, as a participant's search would, among
                # the options its filter allows (a filter on a fixed value, as published forms write them).
                options = long_list_options(question, choices.get(list_name, []))
            pool = options or CANDIDATES
            pick = pool[attempt % len(pool)] if options else pool[(attempt + 1) % len(pool)]
            overrides[name] = [pick] if question.get("type", "").startswith("select_multiple") else pick
    return False, errors


@pytest.mark.skipif(not FILES, reason="no published XLSForms on this machine (SURVEY_XLSFORM_CORPUS)")
def test_published_xlsforms_import_render_and_accept_answers(real_app):
    warnings.simplefilter("ignore")  # openpyxl's notes about the workbooks' styles
    runner, client = real_app.test_cli_runner(), real_app.test_client()
    imported = rendered = accepted = 0
    lines = []
    for path in FILES:
        report = read_xlsform(path)
        result = runner.invoke(args=["forms", "import", str(path)])
        if result.exit_code != 0 or not report.ok:
            lines.append(f"{path.name}: NOT IMPORTED\n{result.output}")
            continue
        imported += 1
        definition = report.definition
        form_id = definition["form_id"]
        languages = definition["settings"]["languages"]
        statuses = [client.get(f"/forms/{form_id}?lang={lang}").status_code for lang in languages]
        rendered += all(status == 200 for status in statuses)
        ok, refused = answer_until_accepted(client, form_id, definition)
        accepted += ok
        lines.append(f"{path.name}: imported ({len(report.warnings)} rows reported), languages {languages} "
                     f"-> {statuses}, answer {'accepted' if ok else f'refused at {refused}'}")
    print(f"\npublished XLSForms: {len(FILES)} files, {imported} imported, {rendered} rendered in every "
          f"language, {accepted} accepted an answer")
    print("\n".join(lines))
    assert imported == len(FILES)
    assert rendered == imported
    assert accepted >= len(FILES) * 9 // 10
