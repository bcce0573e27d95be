"""Offline-first in a real browser: answers typed with no network are kept and sent once."""

import json
import urllib.request

import pytest
from playwright.sync_api import expect

FORM = "/forms/sample_feedback"


def server_count(server) -> int:
    """Count stored submissions through the server's own database."""
    from sqlalchemy import create_engine
    from sqlalchemy import text

    engine = create_engine(server.env["SURVEY_DATABASE_URL"])
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM submission")).scalar_one()
    engine.dispose()
    return count


def wait_offline_ready(page):
    """Wait until the service worker controls the page (its precache is then complete) and the page
    has opened the phone's store (answers are then queued there, not posted as plain HTML)."""
    page.evaluate("() => navigator.serviceWorker.ready")
    page.wait_for_function("() => performance.getEntriesByName('survey:ready').length > 0")
    for _ in range(200):
        if page.evaluate("() => navigator.serviceWorker.controller !== null"):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the service worker never took control of the page")


def cut_link(phone):
    """Take the phone offline. Chromium's offline emulation has let a request through now and then
    (a record reached the server while the phone was "offline"); the laptop's sync address refusing
    every connection as well makes "nothing was sent" a fact of this test, not of the emulation."""
    phone.set_offline(True)
    phone.route("**/api/v1/sync", lambda route: route.abort("internetdisconnected"))


def restore_link(phone):
    phone.unroute("**/api/v1/sync")
    phone.set_offline(False)


def wait_draft_saved(page, holds):
    """Wait until the phone's store holds a draft whose answers satisfy `holds` (it is saved a moment
    after typing stops; a busy machine may take longer than any fixed wait)."""
    read = """async () => {
      const db = await new Promise((ok, fail) => {
        const request = indexedDB.open('survey');
        request.onsuccess = () => ok(request.result);
        request.onerror = () => fail(request.error);
      });
      const drafts = await new Promise((ok) => {
        const request = db.transaction('drafts').objectStore('drafts').getAll();
        request.onsuccess = () => ok(request.result);
      });
      db.close();
      return drafts.map((draft) => draft.raw);
    }"""
    # Only once the page has opened (and so created) its store: opening it first would make an empty one.
    page.wait_for_function("() => performance.getEntriesByName('survey:ready').length > 0")
    for _ in range(300):
        if any(holds(raw) for raw in page.evaluate(read)):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the draft was never saved")


def status(page):
    return expect(page.locator("#phone-status .status-count"))


def fill_sample(page, age="30"):
    page.locator("input[name=overall][value='4']").check()
    page.fill("#f-age", age)


def test_answers_made_offline_survive_reload_and_restart_and_sync_once(server, open_phone):
    phone = open_phone()
    page = phone.new_page()
    page.goto(server.url + FORM + "?lang=en")
    page.reload()  # the second load is controlled by the service worker
    wait_offline_ready(page)

    cut_link(phone)
    fill_sample(page)
    page.click("button[type=submit]")
    page.wait_for_selector("#saved-thanks:not([hidden])")
    status(page).to_contain_text("1 answer")

    page.reload()
    status(page).to_contain_text("1 answer")
    assert server_count(server) == 0
    phone.close()

    phone = open_phone()  # same profile: a browser restart
    cut_link(phone)
    page = phone.new_page()
    # The page's clock stops once it is open, so the retry after a failed sending never comes on its own:
    # what sends below is the tap on "Send now", not a retry that a slow machine let in first.
    page.clock.install()
    page.goto(server.url + FORM + "?lang=en")
    status(page).to_contain_text("1 answer")
    page.clock.pause_at(page.evaluate("Date.now()") + 1)
    page.route("**/api/v1/sync", lambda route: route.abort())  # connected, but the laptop does not answer
    restore_link(phone)
    expect(page.locator("#phone-status .status-last")).to_contain_text("No connection")
    page.unroute("**/api/v1/sync")
    page.click("[data-action=send]")
    status(page).to_contain_text("No answers")
    assert server_count(server) == 1


def test_draft_survives_a_reload(server, open_phone):
    page = open_phone().new_page()
    page.goto(server.url + FORM + "?lang=en")
    page.fill("#f-age", "41")
    page.locator("input[name=overall][value='2']").check()
    wait_draft_saved(page, lambda raw: raw.get("age") == "41" and raw.get("overall") == "2")
    page.reload()
    page.click("#draft-offer [data-action=restore]")
    assert page.input_value("#f-age") == "41"
    assert page.locator("input[name=overall][value='2']").is_checked()
    expect(page.locator("#q-why_low")).to_be_visible()  # relevance re-evaluated after restoring


def test_persian_form_works_offline_with_persian_digits(server, open_phone):
    phone = open_phone()
    page = phone.new_page()
    page.goto(server.url + FORM + "?lang=fa")
    page.reload()
    wait_offline_ready(page)
    assert page.get_attribute("html", "dir") == "rtl"
    cut_link(phone)
    page.reload()
    assert page.get_attribute("html", "lang") == "fa"
    page.locator("input[name=overall][value='1']").check()
    expect(page.locator("#q-why_low")).to_be_visible()
    page.fill("#f-age", "۱۲")
    page.click("button[type=submit]")
    expect(page.locator("#error-age")).to_have_text("سن باید بین ۱۵ تا ۱۰۰ باشد.")
    page.fill("#f-age", "۳۵")
    page.click("button[type=submit]")
    page.wait_for_selector("#saved-thanks:not([hidden])")
    status(page).to_contain_text("۱")
    restore_link(phone)  # back online: the phone sends by itself
    status(page).not_to_contain_text("۱")
    assert server_count(server) == 1


def test_relevance_shows_and_hides_questions_live(server, open_phone):
    page = open_phone().new_page()
    page.goto(server.url + FORM + "?lang=en")
    expect(page.locator("#q-why_low")).to_be_hidden()
    page.locator("input[name=overall][value='2']").check()
    expect(page.locator("#q-why_low")).to_be_visible()
    page.locator("input[name=overall][value='5']").check()
    expect(page.locator("#q-why_low")).to_be_hidden()
    page.locator("input[name=topics][value=other]").check()
    expect(page.locator("#q-topics_other")).to_be_visible()


def test_without_javascript_the_plain_post_still_works(server, playwright, tmp_path):
    from tests.browser.conftest import CHROMIUM
    from tests.browser.conftest import CHROMIUM_ARGS

    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    page = browser.new_context(java_script_enabled=False).new_page()
    page.goto(server.url + FORM + "?lang=fa")
    page.locator("input[name=overall][value='3']").check()
    page.fill("#f-age", "۲۵")
    page.click("button[type=submit]")
    page.wait_for_url("**/thanks?lang=fa")
    browser.close()
    assert server_count(server) == 1


@pytest.mark.parametrize("path", ["/api/v1/forms"])
def test_server_serves_the_json_the_phone_caches(server, path):
    with urllib.request.urlopen(server.url + path) as response:
        assert json.load(response)["forms"][0]["form_id"] == "sample_feedback"


# The phone's store answers only when the test says so: a slow phone still opening IndexedDB.
HOLD_THE_STORE = """
(() => {
  const realOpen = IDBFactory.prototype.open;
  let release;
  const released = new Promise((resolve) => { release = resolve; });
  window.__releaseStore = () => release();
  IDBFactory.prototype.open = function (...args) {
    const factory = this;
    const held = new EventTarget();
    released.then(() => {
      const request = realOpen.apply(factory, args);
      for (const type of ['success', 'error', 'upgradeneeded', 'blocked']) {
        request.addEventListener(type, (event) => {
          held.result = request.result;
          held.error = request.error;
          held.transaction = request.transaction;
          const handler = held['on' + type];
          if (handler) handler.call(held, event);
        });
      }
    });
    return held;
  };
})();
"""


def test_an_answer_sent_before_the_phone_store_opens_is_posted_and_stored_once(server, open_phone):
    """A participant who submits while the phone still opens its store: the page posts it as plain HTML."""
    phone = open_phone()
    phone.add_init_script(HOLD_THE_STORE)
    page = phone.new_page()
    page.goto(server.url + FORM + "?lang=en")
    fill_sample(page)
    with page.expect_navigation():
        page.click("button[type=submit]")
    expect(page).to_have_url(f"{server.url}{FORM}/thanks?lang=en")
    assert server_count(server) == 1

    page.goto(server.url + FORM + "?lang=en")
    page.evaluate("() => window.__releaseStore()")  # the store opens: nothing waits on the phone to be sent twice
    status(page).to_contain_text("No answers")
    assert server_count(server) == 1
