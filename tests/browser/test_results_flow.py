"""Results end to end in real Chromium: a participant answers in Persian, the organiser sees it counted."""

import csv
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine
from sqlalchemy import text
from sqlmodel import Session

from survey_app.accounts import create_user
from tests.browser.conftest import CHROMIUM
from tests.browser.conftest import CHROMIUM_ARGS
from tests.browser.conftest import PHONE

PASSWORD = "a long enough password"
TITLE = "کارگاه بازگشت داوطلبانه"


@pytest.fixture
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def stored_count(server) -> int:
    engine = create_engine(server.env["SURVEY_DATABASE_URL"])
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM submission")).scalar_one()
    engine.dispose()
    return count


def sign_in(page, server) -> None:
    page.goto(f"{server.url}/login?lang=en")
    page.fill("#email", "org@example.org")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Staff")


def create_workshop(page, server) -> str:
    """Create a workshop through its page in English; return the participants' link."""
    page.goto(f"{server.url}/organise/workshops/new?lang=en")
    page.fill("#title", TITLE)
    page.fill("#start_date", "2026-01-01")
    page.fill("#end_date", "2099-12-31")
    page.check("input[name=form_ids][value=sample_feedback]")
    page.check("input[name=languages][value=fa]")
    page.click("button[type=submit].primary")
    expect(page.locator("h1")).to_have_text(TITLE)
    return page.locator("a.workshop-link").get_attribute("href")


def answer_on_a_phone(phone, link: str, server) -> None:
    page = phone.new_page()
    page.goto(link)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.click("text=بازخورد نمونه")
    page.locator("input[name=overall][value='4']").check()
    page.fill("#f-age", "۳۲")
    page.locator("input[name=topics][value=housing]").check()
    page.click("button[type=submit]")
    expect(page.locator("#saved-thanks")).to_be_visible()
    for _ in range(100):
        if stored_count(server):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the answer never reached the server")


def test_an_answer_given_on_a_phone_is_counted_and_downloaded(server, browser, open_phone, tmp_path):
    engine = create_engine(server.env["SURVEY_DATABASE_URL"])
    with Session(engine) as session:
        create_user(session=session, email="org@example.org", password=PASSWORD, role="organiser")
    engine.dispose()
    laptop = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    organiser = laptop.new_page()
    sign_in(organiser, server)
    link = create_workshop(organiser, server)
    code = re.search(r"/w/([A-Z0-9]+)$", link)[1]

    answer_on_a_phone(open_phone(), link, server)

    organiser.goto(f"{server.url}/organise/results/sample_feedback?lang=en&workshop={code}")
    expect(organiser.locator(".results-total")).to_have_text("Responses: 1")
    expect(organiser.locator("#q-overall")).to_contain_text("Answered by 1 of 1.")
    organiser.click("text=Download the answers")
    # Codes, as an analyst's script reads them (labels in the reader's language are the default).
    organiser.select_option("select[name=labels]", "")
    organiser.check("input[name=headers][value=codes]")
    with organiser.expect_download() as download:
        organiser.click("button[type=submit].primary")
    path = tmp_path / "answers.csv"
    download.value.save_as(path)
    assert download.value.suggested_filename.startswith("sample_feedback-")
    rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert [(row["workshop"], row["lang"], row["overall"], row["age"], row["topics/housing"]) for row in rows] == [
        (code, "fa", "4", "32", "1")]


def test_results_read_right_to_left_on_a_phone(server, browser, open_phone):
    engine = create_engine(server.env["SURVEY_DATABASE_URL"])
    with Session(engine) as session:
        create_user(session=session, email="org@example.org", password=PASSWORD, role="organiser")
    engine.dispose()
    organiser = browser.new_context(**PHONE).new_page()
    sign_in(organiser, server)
    answer_on_a_phone(open_phone(), f"{server.url}/forms/sample_feedback?lang=fa", server)

    organiser.goto(f"{server.url}/organise/results/sample_feedback?lang=fa")
    expect(organiser.locator(".results-total")).to_contain_text("۱")
    assert organiser.evaluate("() => document.documentElement.scrollWidth") <= 360
    chart = organiser.locator("#q-overall svg.chart")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    bar = chart.locator("rect[width]:not([width='0.0']):not([width='0'])").first.bounding_box()
    assert abs((bar["x"] + bar["width"]) - (box["x"] + box["width"] * (354 / 360))) < 2  # grows from the right
    label = organiser.evaluate(
        "() => { const t = document.querySelector('#q-overall svg.chart text'); const b = t.getBBox();"
        " return [b.x + b.width, t.ownerSVGElement.viewBox.baseVal.width]; }")
    assert label[0] == pytest.approx(354, abs=1)  # the first label ends at the right edge
