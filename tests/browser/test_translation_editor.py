"""The translation editor in a real browser: translate, survive a lost connection, preview, publish."""

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from survey_app.accounts import create_user
from survey_app.db import make_engine

from .conftest import CHROMIUM
from .conftest import CHROMIUM_ARGS

PASSWORD = "a long enough password"
EDITOR = "/translate/sample_feedback/fa"
OVERALL = "در کل، این جلسه چقدر برایتان مفید بود؟"
HOURS = "چند ساعت در راه بودید؟"


@pytest.fixture
def desk(playwright, server):
    """A translator's laptop, signed in to the server."""
    engine = make_engine(server.env["SURVEY_DATABASE_URL"])
    with Session(engine) as session:
        create_user(session=session, email="tr@example.org", password=PASSWORD, role="translator")
    engine.dispose()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(server.url + "/login")
    page.fill("#email", "tr@example.org")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(server.url + "/staff")
    yield context, page
    browser.close()


def row(page, key):
    return page.locator(f'tr[data-key="{key}"]')


def test_translate_preview_and_publish_to_participants(desk, server):
    context, page = desk
    page.goto(server.url + EDITOR)
    expect(row(page, "overall:label").locator("textarea")).to_have_attribute("dir", "rtl")

    row(page, "overall:label").locator("textarea").click()
    page.keyboard.press("Control+A")
    page.keyboard.type(OVERALL)
    page.keyboard.press("Tab")  # leaving the row saves it
    expect(row(page, "overall:label")).to_have_attribute("data-save", "saved")

    # The connection drops for the next save: the request fails at the network level.
    page.route("**/texts/**", lambda route: route.abort("internetdisconnected"))
    row(page, "hours:label").locator("textarea").fill(HOURS)
    page.keyboard.press("Tab")
    expect(row(page, "hours:label")).to_have_attribute("data-save", "failed")
    expect(row(page, "hours:label").locator("textarea")).to_have_value(HOURS)
    page.unroute("**/texts/**")
    expect(row(page, "hours:label")).to_have_attribute("data-save", "saved", timeout=15000)

    preview = page.frame_locator("#preview-frame")
    expect(preview.locator("html")).to_have_attribute("dir", "rtl")
    expect(preview.get_by_text(OVERALL)).to_be_visible()
    expect(preview.get_by_text(HOURS)).to_be_visible()

    participant = context.new_page()
    participant.goto(server.url + "/forms/sample_feedback?lang=fa")
    expect(participant.get_by_text(OVERALL)).to_have_count(0)

    page.click("button[data-action=publish]")
    expect(page.locator(".flash")).to_be_visible()
    participant.goto(server.url + "/forms/sample_feedback?lang=fa")
    expect(participant.get_by_text(OVERALL)).to_be_visible()
    expect(participant.get_by_text(HOURS)).to_be_visible()


def test_a_text_the_server_refused_comes_back_after_a_reload(desk, server):
    context, page = desk
    page.on("dialog", lambda dialog: dialog.accept())  # "leave with unsaved changes?"
    failing = "**/texts/**"
    page.route(failing, lambda route: route.fulfill(status=503, body="busy"))
    page.goto(server.url + EDITOR)
    row(page, "hours:label").locator("textarea").fill(HOURS)
    page.keyboard.press("Tab")
    expect(row(page, "hours:label")).to_have_attribute("data-save", "failed")
    page.reload()
    expect(row(page, "hours:label").locator("textarea")).to_have_value(HOURS)
    page.unroute(failing)
    expect(row(page, "hours:label")).to_have_attribute("data-save", "saved", timeout=15000)
    page.reload()
    expect(row(page, "hours:label").locator("textarea")).to_have_value(HOURS)
