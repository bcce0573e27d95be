"""A workshop end to end in real Chromium: the organiser makes it, a participant answers through its link."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine
from sqlalchemy import text
from sqlmodel import Session

from survey_app.accounts import create_user
from tests.browser.conftest import CHROMIUM
from tests.browser.conftest import CHROMIUM_ARGS

PASSWORD = "a long enough password"


@pytest.fixture
def laptop(playwright):
    """The organiser's browser: a desktop-sized window."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser.new_context(viewport={"width": 1280, "height": 900})
    browser.close()


def query(server, sql: str) -> list:
    engine = create_engine(server.env["SURVEY_DATABASE_URL"])
    with engine.connect() as conn:
        rows = conn.execute(text(sql)).all()
    engine.dispose()
    return rows


def add_organiser(server) -> None:
    engine = create_engine(server.env["SURVEY_DATABASE_URL"])
    with Session(engine) as session:
        create_user(session=session, email="org@example.org", password=PASSWORD, role="organiser")
    engine.dispose()


def create_workshop(page, server) -> str:
    """Sign in, create a workshop in Persian with Solar Hijri dates, and return its participants' link."""
    page.goto(f"{server.url}/login")
    page.fill("#email", "org@example.org")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{server.url}/organise/workshops/new?lang=fa")
    page.fill("#title", "کارگاه مهاجرت و توسعه")
    page.fill("#place", "شیراز")
    page.fill("#start_date", "۱۴۰۵/۰۹/۰۱")
    page.fill("#end_date", "۱۴۰۵/۰۹/۰۳")
    page.check("input[name=form_ids][value=sample_feedback]")
    page.check("input[name=languages][value=fa]")
    page.click("button[type=submit].primary")
    expect(page.locator("h1")).to_have_text("کارگاه مهاجرت و توسعه")
    return page.locator("a.workshop-link").get_attribute("href")


def test_participant_answers_through_the_workshop_qr_link_and_is_tagged(server, laptop, open_phone):
    add_organiser(server)
    organiser = laptop.new_page()
    link = create_workshop(organiser, server)
    code = re.fullmatch(rf"{re.escape(server.url)}/w/([A-Z0-9]{{8}})", link)[1]

    organiser.click("a[href$='/poster']")
    expect(organiser.locator(".poster-link")).to_have_text(link)
    qr = organiser.locator("img.poster-qr")
    expect(qr).to_be_visible()
    assert organiser.evaluate("() => document.querySelector('img.poster-qr').naturalWidth") > 0

    phone = open_phone()
    page = phone.new_page()
    page.goto(link)
    expect(page.locator("html")).to_have_attribute("lang", "fa")
    page.click("text=بازخورد نمونه")
    form = page.locator("form.questionnaire")
    expect(form).to_have_attribute("data-workshop", code)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360

    page.locator("input[name=overall][value='4']").check()
    page.fill("#f-age", "۳۰")
    page.click("button[type=submit]")
    expect(page.locator("#saved-thanks")).to_be_visible()
    for _ in range(100):
        rows = query(server, "SELECT workshop, lang FROM submission")
        if rows:
            break
        page.wait_for_timeout(100)
    assert [tuple(row) for row in rows] == [(code, "fa")]
