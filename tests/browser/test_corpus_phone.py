"""Every corpus questionnaire answered on a 360 px phone with its JavaScript: each visible question
filled by its kind of widget, pages turned with Next, sent, and stored by the server (not kept aside).

One server (all corpus forms imported) and one browser serve every case; each form gets a fresh
browser context. A value the generic filler cannot guess comes from expected.json's "answers".
"""

import json

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text
from sqlalchemy.pool import NullPool

from tests.browser.conftest import CHROMIUM
from tests.browser.conftest import CHROMIUM_ARGS
from tests.browser.conftest import PHONE
from tests.conftest import TEST_FORMS
from tests.servers import LiveServer
from tests.test_corpus_sync import import_corpus
from tests.test_corpus_sync import make_app
from tests.test_xlsform_corpus import EXPECTED

pytestmark = pytest.mark.slow
TYPED = {"integer": "3", "decimal": "2.5", "date": "2025-11-20", "time": "10:30", "datetime": "2025-11-20T10:30",
         "geopoint": "35.7 51.4", "text": "a reply"}
MAX_SCREENS = 30  # more presses of Next than any corpus form has pages: a form that never ends fails


@pytest.fixture(scope="module")
def corpus_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus-phone")
    database_url = f"sqlite:///{folder / 'server.db'}"
    app = make_app(folder, database_url)
    definitions = import_corpus(app)
    app.extensions["survey_engine"].dispose()
    live = LiveServer(folder / "instance", database_url, TEST_FORMS).start()
    live.form_ids = {name: definition["form_id"] for name, definition in definitions.items()}
    yield live
    live.stop()


@pytest.fixture(scope="module")
def phone_browser(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def query(server, sql: str, **params) -> list:
    engine = create_engine(server.env["SURVEY_DATABASE_URL"], poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return list(connection.execute(text(sql), params))
    finally:
        engine.dispose()


def as_dict(value) -> dict:
    return value if isinstance(value, dict) else json.loads(value)


def override(overrides: dict, name: str):
    """The expected.json answer for a question, by its full name or its last part (in a repeat)."""
    return overrides.get(name, overrides.get(name.rsplit("/", 1)[-1]))


def fill_question(question, kind: str, value) -> None:
    """Answer one shown question the way a participant would, by the widget it shows."""
    if kind == "rank":
        selects = question.locator("select:visible")
        names = value or [option for option in selects.first.locator("option").evaluate_all(
            "options => options.map(o => o.value).filter(Boolean)")]
        for index, name in enumerate(names[:selects.count()]):
            selects.nth(index).select_option(name)
        return
    slider = question.locator("input[type=range]:visible")
    if slider.count():
        slider.first.fill(str(value or slider.first.get_attribute("min") or "1"))
        return
    choices = question.locator("input[type=radio], input[type=checkbox]")
    if choices.count():
        if question.locator("input:checked").count():
            return
        wanted = [value] if isinstance(value, str) else value or []
        for name in wanted:
            question.locator(f"label.option:has(input[value='{name}'])").click()
        if not wanted:
            question.locator("label.option:visible").first.click()
        return
    select = question.locator("select:visible")
    if select.count():
        if not select.first.input_value():
            select.first.select_option(value or select.first.locator("option:not([value='']):not([hidden])")
                                       .first.get_attribute("value"))
        return
    box = question.locator("input:visible:not([type=file]):not([readonly]), textarea:visible:not([readonly])")
    if box.count() and not box.first.input_value() and kind in TYPED:
        box.first.fill(value if value is not None else TYPED[kind])


def answer_on_the_phone(page, overrides: dict) -> None:
    """Fill each screen's shown questions, press Next until the last screen, then send."""
    for _ in range(MAX_SCREENS):
        filled = set()
        while shown := [question for question in page.locator(".question:visible").all()
                        if question.get_attribute("data-name") not in filled]:  # answers may show more
            for question in shown:
                name, kind = question.get_attribute("data-name"), question.get_attribute("data-type")
                filled.add(name)
                value = override(overrides, name)
                if value != "":
                    fill_question(question, kind, value)
        next_button = page.locator("[data-page-next]:visible")
        if next_button.count():
            next_button.click()
            continue
        page.locator("[data-page-send]:visible, button[type=submit]:visible").first.click()
        page.wait_for_selector("#saved-thanks:not([hidden])")
        return
    raise AssertionError("the form never reached its last page")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_questionnaire_answered_with_javascript_on_a_phone_is_stored(name, corpus_server, phone_browser):
    form_id = corpus_server.form_ids[name]
    context = phone_browser.new_context(**PHONE)
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{corpus_server.url}/forms/{form_id}")
        page.wait_for_function("() => performance.getEntriesByName('survey:ready').length > 0")
        answer_on_the_phone(page, EXPECTED[name].get("answers", {}))
        stored = []
        for _ in range(150):
            stored = query(corpus_server, "SELECT answers FROM submission WHERE form_id = :form_id", form_id=form_id)
            kept_aside = [as_dict(reasons) for reasons, payload in
                          query(corpus_server, "SELECT reasons, payload FROM quarantinedrecord")
                          if as_dict(payload).get("form_id") == form_id]
            assert not kept_aside, kept_aside
            if stored:
                break
            page.wait_for_timeout(100)
        assert len(stored) == 1, "the phone never sent the answers"
        answers = as_dict(stored[0][0])
        for question_name, value in EXPECTED[name].get("stored", {}).items():
            assert answers.get(question_name) == value, (question_name, answers)
        for question_name in EXPECTED[name].get("filled", []):  # metadata the phone fills
            assert answers.get(question_name), (question_name, answers)
        for question_name in EXPECTED[name].get("absent", []):
            assert question_name not in answers
        assert not errors, errors
    finally:
        context.close()
