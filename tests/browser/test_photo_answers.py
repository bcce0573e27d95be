"""A photo answer in real Chromium: taken offline, made smaller, kept in IndexedDB, sent once back online,
and opened by an organiser."""

import base64
import re
import struct

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine
from sqlalchemy import text
from sqlmodel import Session

from survey_app.accounts import create_user
from tests.browser.conftest import CHROMIUM
from tests.browser.conftest import CHROMIUM_ARGS
from tests.browser.test_offline import wait_offline_ready
from tests.photo_helpers import PHOTO_FORMS
from tests.photo_helpers import png
from tests.servers import LiveServer

PASSWORD = "a long enough password"
FORM = "/forms/site_photos?lang=en"
OUTBOX = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open('survey');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const request = open.result.transaction('outbox').objectStore('outbox').getAll();
    request.onsuccess = () => { resolve(request.result); open.result.close(); };
  };
})"""


@pytest.fixture
def server(tmp_path):
    live = LiveServer(tmp_path / "instance", f"sqlite:///{tmp_path / 'server.db'}", PHOTO_FORMS)
    live.start()
    yield live
    live.stop()


def query(server, sql: str):
    engine = create_engine(server.env["SURVEY_DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).all()
    finally:
        engine.dispose()


def jpeg_size(data: bytes) -> tuple[int, int]:
    """Width and height from a JPEG's frame header (SOF0/SOF2)."""
    assert data[:3] == b"\xff\xd8\xff"
    at = 2
    while at < len(data):
        marker, length = data[at + 1], struct.unpack(">H", data[at + 2:at + 4])[0]
        if marker in (0xC0, 0xC2):
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            return width, height
        at += 2 + length
    raise AssertionError("no frame header")


def test_a_photo_taken_offline_is_kept_then_sent_and_opened_by_an_organiser(server, open_phone, playwright):
    phone = open_phone()
    page = phone.new_page()
    page.goto(server.url + FORM)
    page.reload()  # the second load is controlled by the service worker
    wait_offline_ready(page)
    assert page.get_attribute("#f-room", "capture") == "environment"

    phone.set_offline(True)
    page.locator("input[name=ready][value=yes]").check()
    page.set_input_files("#f-room", files=[{"name": "IMG_0001.png", "mimeType": "image/png",
                                            "buffer": png(1600, 900, (30, 120, 200))}])
    expect(page.locator("#q-room img.answer-photo")).to_be_visible()
    name = page.locator("input[type=hidden][name=room]").input_value()
    assert re.fullmatch(r"room-[0-9a-f]{12}\.jpg", name)
    page.wait_for_timeout(500)  # the draft is saved a moment after the change
    page.reload()  # offline, from the service worker: the draft keeps the photo too
    page.click("#draft-offer [data-action=restore]")
    expect(page.locator("#q-room img.answer-photo")).to_be_visible()
    assert page.locator("input[type=hidden][name=room]").input_value() == name
    page.click("button[type=submit]")
    expect(page.locator("#saved-thanks")).to_be_visible()
    expect(page.locator("#phone-status .status-count")).to_contain_text("1 answer")

    (entry,) = page.evaluate(OUTBOX)
    assert entry["state"] == "pending" and entry["record"]["answers"]["room"] == name
    (attachment,) = entry["record"]["attachments"]
    kept = base64.b64decode(attachment["data"])
    assert attachment["name"] == name and jpeg_size(kept) == (1280, 720)  # drawn at most 1280 px long
    assert query(server, "SELECT count(*) FROM submission")[0][0] == 0

    phone.set_offline(False)  # back online: the phone sends by itself
    expect(page.locator("#phone-status .status-count")).to_contain_text("No answers")
    ((answers,),) = query(server, "SELECT answers FROM submission")
    assert f'"room": "{name}"' in answers or f'"room":"{name}"' in answers
    (acknowledged,) = page.evaluate(OUTBOX)
    assert acknowledged["state"] == "acknowledged"

    engine = create_engine(server.env["SURVEY_DATABASE_URL"])
    with Session(engine) as session:
        create_user(session=session, email="org@example.org", password=PASSWORD, role="organiser")
    engine.dispose()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    try:
        organiser = browser.new_page()
        organiser.goto(f"{server.url}/login?lang=en")
        organiser.fill("#email", "org@example.org")
        organiser.fill("#password", PASSWORD)
        organiser.click("button[type=submit]")
        organiser.goto(f"{server.url}/organise/results/site_photos?lang=en")
        link = organiser.locator(f"#q-room a:text-is('{name}')")
        with organiser.expect_response(re.compile(r"/organise/answer-files/")) as answer:
            link.click()
        assert answer.value.status == 200 and answer.value.headers["content-type"] == "image/jpeg"
        assert answer.value.body() == kept  # the very bytes the phone kept
    finally:
        browser.close()
