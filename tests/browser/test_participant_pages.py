"""What a participant's phone shows: workshop links offline, errors after an incomplete submit,
one truthful message after sending, and a page that does not move under the reader's thumb."""

import datetime
import json

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine
from sqlalchemy import text
from sqlmodel import Session

from survey_app.models import Workshop
from tests.browser.conftest import CHROMIUM
from tests.browser.conftest import CHROMIUM_ARGS
from tests.browser.conftest import PHONE
from tests.browser.test_offline import wait_draft_saved
from tests.browser.test_offline import wait_offline_ready
from tests.servers import ROOT
from tests.servers import LiveServer

CB = "/forms/capacity_building_feedback"
CO = "/forms/cultural_orientation_feedback"
RED = "rgb(176, 0, 32)"


@pytest.fixture
def shipped(tmp_path):
    """A server with the questionnaires the product ships (groups, Dari, Pashto, a rating)."""
    live = LiveServer(tmp_path / "instance", f"sqlite:///{tmp_path / 'server.db'}", ROOT / "forms")
    live.start()
    yield live
    live.stop()


def add_workshop(server, code: str, languages: list[str]) -> str:
    engine = create_engine(server.env["SURVEY_DATABASE_URL"])
    today = datetime.date.today()
    with Session(engine) as session:
        session.add(Workshop(code=code, title="Workshop", place="Mashhad", start_date=today,
                             end_date=today + datetime.timedelta(days=2), languages=languages,
                             form_ids=["capacity_building_feedback", "cultural_orientation_feedback"]))
        session.commit()
    engine.dispose()
    return code


def rows(server, sql: str) -> list[tuple]:
    engine = create_engine(server.env["SURVEY_DATABASE_URL"])
    with engine.connect() as conn:
        found = [tuple(row) for row in conn.execute(text(sql)).all()]
    engine.dispose()
    return found


def wait_rows(page, server, sql: str, count: int) -> list[tuple]:
    for _ in range(300):
        found = rows(server, sql)
        if len(found) >= count:
            return found
        page.wait_for_timeout(100)
    raise AssertionError(f"expected {count} rows, found {rows(server, sql)}")


def answer_co(page):
    page.locator("input[name=understood_trainer][value='4']").check()
    page.locator("input[name=overall_rating][value='5']").check()
    page.click("button[type=submit]")
    expect(page.locator("#saved-thanks")).to_be_visible()


def answer_cb(page):
    page.locator("input[name=workshop_topic]").first.check()
    page.locator("input[name=content_relevant][value='4']").check()
    page.locator("input[name=overall_rating][value='4']").check()
    page.click("button[type=submit]")
    expect(page.locator("#saved-thanks")).to_be_visible()


def test_workshop_answers_given_offline_keep_the_workshop_and_its_language(shipped, open_phone):
    """The audit's lost answers: a questionnaire link tapped for the first time without a connection."""
    code = add_workshop(shipped, "DARI2026", ["fa", "fa_AF"])
    phone = open_phone()
    page = phone.new_page()
    page.goto(f"{shipped.url}/w/{code}?lang=fa_AF")
    wait_offline_ready(page)
    with page.expect_navigation():
        page.click("a[href*='capacity_building_feedback']")  # opened once online
    expect(page.locator("form.questionnaire")).to_have_attribute("data-workshop", code)
    page.go_back()

    phone.set_offline(True)
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "fa-AF")
    page.click("a[href*='cultural_orientation_feedback']")  # never opened online
    expect(page.locator("html")).to_have_attribute("lang", "fa-AF")
    form = page.locator("form.questionnaire")
    expect(form).to_have_attribute("data-workshop", code)
    # The workshop offers Persian and Dari only, and switching language keeps the workshop.
    switcher = page.locator("nav.languages a")
    expect(switcher).to_have_count(2)
    assert all(f"w={code}" in href for href in switcher.evaluate_all("(links) => links.map((a) => a.href)"))
    answer_co(page)

    page.goto(f"{shipped.url}{CB}?lang=fa&w={code}")  # the kept copy from the online visit
    expect(page.locator("form.questionnaire")).to_have_attribute("data-workshop", code)
    answer_cb(page)
    assert rows(shipped, "SELECT count(*) FROM submission") == [(0,)]

    phone.set_offline(False)
    stored = wait_rows(page, shipped, "SELECT form_id, lang, workshop FROM submission ORDER BY form_id", 2)
    assert stored == [("capacity_building_feedback", "fa", code), ("cultural_orientation_feedback", "fa_AF", code)]


def test_offline_the_phone_never_shows_another_querys_page_nor_the_browsers_error(shipped, open_phone):
    first = add_workshop(shipped, "FIRST001", ["fa_AF", "ps"])
    phone = open_phone()
    page = phone.new_page()
    page.goto(f"{shipped.url}{CO}?lang=fa_AF&w={first}")
    wait_offline_ready(page)
    later = add_workshop(shipped, "LATER002", ["ps"])  # made after this phone kept the app

    phone.set_offline(True)
    page.goto(f"{shipped.url}{CO}?lang=ps&w={first}")  # a copy exists only for fa_AF with this code
    expect(page.locator("html")).to_have_attribute("lang", "ps")
    expect(page.locator("form.questionnaire")).to_have_attribute("data-workshop", first)
    page.goto(f"{shipped.url}{CO}?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("form.questionnaire")).not_to_have_attribute("data-workshop", first)

    page.goto(f"{shipped.url}/w/{first}?lang=ps")  # precached: open workshops are kept ahead
    expect(page.locator("#workshop")).to_have_attribute("data-code", first)
    page.goto(f"{shipped.url}/w/{later}?lang=ps")  # not kept: the phone's own page, in Pashto
    expect(page.locator("html")).to_have_attribute("lang", "ps")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("a.button[href='/?lang=ps']")).to_be_visible()


def error_borders(page) -> list[dict]:
    return page.locator(".question.has-error").evaluate_all("""(els) => els.map((el) => {
      const style = getComputedStyle(el);
      const options = [...el.querySelectorAll('.options:not(.rating) .option')];
      return {name: el.dataset.name, color: style.borderInlineStartColor, width: style.borderInlineStartWidth,
              visible: el.getBoundingClientRect().height > 0,
              options: options.every((o) => getComputedStyle(o).borderTopColor === 'rgb(176, 0, 32)')};
    })""")


def title_in_view(page, name: str) -> bool:
    return page.evaluate("""(name) => {
      const title = document.querySelector(`#q-${name} legend, #q-${name} > label`);
      const box = title.getBoundingClientRect();
      return box.top >= 0 && box.bottom <= window.innerHeight;
    }""", name)


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_every_error_is_visible_after_an_incomplete_submit_with_javascript(shipped, open_phone, lang):
    page = open_phone().new_page()
    page.goto(f"{shipped.url}{CB}?lang={lang}")
    page.wait_for_function("() => performance.getEntriesByName('survey:ready').length > 0")
    page.click("button[type=submit]")
    expect(page.locator(".question.has-error").first).to_be_visible()
    borders = error_borders(page)
    assert {b["name"] for b in borders} == {"workshop_topic", "content_relevant", "overall_rating"}
    for border in borders:  # inside groups too, and every option of a choice
        assert border["color"] == RED and border["width"] == "4px" and border["visible"] and border["options"]
    assert title_in_view(page, "workshop_topic")  # the question's own text, not only its options
    assert page.evaluate("() => document.activeElement.closest('.question').dataset.name") == "workshop_topic"
    links = page.locator("#summary a")
    expect(links).to_have_count(3)
    links.nth(2).click()
    for _ in range(50):  # the jump may still be under way on a busy machine
        if title_in_view(page, "overall_rating"):
            break
        page.wait_for_timeout(100)
    assert title_in_view(page, "overall_rating")


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_every_error_is_visible_after_an_incomplete_submit_without_javascript(shipped, playwright, lang):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    page = browser.new_context(java_script_enabled=False, **PHONE).new_page()
    page.goto(f"{shipped.url}{CB}?lang={lang}")
    page.click("button[type=submit]")
    expect(page.locator("#summary")).to_be_in_viewport()
    borders = error_borders(page)
    assert {b["name"] for b in borders} == {"workshop_topic", "content_relevant", "overall_rating"}
    for border in borders:
        assert border["color"] == RED and border["width"] == "4px" and border["visible"] and border["options"]
    page.locator("#summary a").first.click()
    assert title_in_view(page, "workshop_topic")
    browser.close()


def test_after_sending_online_the_thanks_and_the_panel_say_the_same(shipped, open_phone):
    phone = open_phone()
    page = phone.new_page()
    page.goto(f"{shipped.url}{CO}?lang=ps")
    page.wait_for_function("() => performance.getEntriesByName('survey:ready').length > 0")
    expect(page.locator(".closing")).to_be_hidden()  # the closing word waits for the answers to be sent
    answer_co(page)
    sent = page.locator("#saved-thanks").get_attribute("data-msg-sent")
    expect(page.locator("#saved-thanks .thanks-state")).to_have_text(sent)
    expect(page.locator("#saved-thanks .closing")).to_have_text("ستاسو له وخت څخه مننه. سفر مو په خیر!")
    panel = page.locator("#phone-status")
    expect(panel.locator(".status-last")).to_have_text(panel.get_attribute("data-msg-ok"))
    expect(panel.locator(".status-count")).to_have_text(panel.get_attribute("data-msg-none"))
    assert rows(shipped, "SELECT count(*) FROM submission") == [(1,)]

    phone.set_offline(True)  # and offline: kept on the phone, said so in both places
    page.click("#saved-thanks [data-action=another]")
    answer_co(page)
    saved = page.locator("#saved-thanks").get_attribute("data-msg-saved")
    expect(page.locator("#saved-thanks .thanks-state")).to_have_text(saved)
    expect(panel.locator(".status-count")).to_contain_text("۱")


LAYOUT_SHIFT = """() => new Promise((resolve) => {
  let total = 0;
  new PerformanceObserver((list) => { for (const e of list.getEntries()) total += e.value; })
    .observe({type: 'layout-shift', buffered: true});
  setTimeout(() => resolve(total), 500);
})"""


def test_the_phone_status_panel_comes_after_the_content_and_moves_nothing(shipped, open_phone):
    phone = open_phone()
    page = phone.new_page()
    page.goto(f"{shipped.url}/?lang=fa")
    wait_offline_ready(page)
    expect(page.locator("#phone-status")).to_be_hidden()  # nothing waits: nothing to say
    phone.set_offline(True)
    page.goto(f"{shipped.url}{CO}?lang=fa")
    answer_co(page)
    for path in ("/?lang=fa", f"{CO}?lang=fa"):  # an answer waits: the panel shows, below everything
        page.goto(shipped.url + path)
        page.wait_for_function("() => performance.getEntriesByName('survey:ready').length > 0")
        expect(page.locator("#phone-status")).to_be_visible()
        assert page.evaluate("() => document.querySelector('#phone-status').nextElementSibling") is None
        assert page.evaluate(LAYOUT_SHIFT) < 0.01
        home = page.locator("a.home").bounding_box()
        assert home["height"] >= 44
        # No empty line above the text of a box: its padding is the only space.
        assert page.evaluate("() => getComputedStyle(document.querySelector('#phone-status > p')).marginTop") == "0px"
    assert page.evaluate("() => getComputedStyle(document.querySelector('.note > p')).marginTop") == "0px"


def test_after_a_reload_the_draft_offer_is_in_view(shipped, open_phone):
    page = open_phone().new_page()
    page.goto(f"{shipped.url}{CO}?lang=ps")
    page.wait_for_function("() => performance.getEntriesByName('survey:ready').length > 0")
    comments = page.locator("textarea").last
    comments.fill("یوه پوښتنه")
    wait_draft_saved(page, lambda raw: "یوه پوښتنه" in json.dumps(raw, ensure_ascii=False))
    assert page.evaluate("() => window.scrollY") > 500
    page.reload()
    offer = page.locator("#draft-offer")
    expect(offer).to_be_in_viewport()
    offer.locator("[data-action=restore]").click()
    expect(comments).to_have_value("یوه پوښتنه")


def test_the_rating_is_stars_that_follow_the_reading_direction_and_the_keyboard(shipped, open_phone):
    page = open_phone().new_page()
    page.goto(f"{shipped.url}{CO}?lang=fa")
    stars = page.locator("#q-overall_rating .star")
    expect(stars).to_have_count(5)
    first, last = stars.nth(0).bounding_box(), stars.nth(4).bounding_box()
    assert first["x"] > last["x"]  # right to left: one star on the right
    radio = page.locator("input[name=overall_rating][value='3']")
    radio.check()
    page.keyboard.press("ArrowLeft")  # in RTL, left is the next star
    assert page.locator("input[name=overall_rating][value='4']").is_checked()
    filled = stars.evaluate_all("(els) => els.map((e) => getComputedStyle(e).color)")
    assert len(set(filled[:4])) == 1 and filled[4] != filled[0]
    expect(page.get_by_role("radio", name="۴")).to_be_checked()
