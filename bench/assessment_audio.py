"""A knowledge check with a recording on every question: its first load on a slow phone, and the sound's size.

Starts a real server with the shipped questionnaires, signs a translator in to the editor in
headless Chromium with a fake microphone (a steady tone), records SECONDS of sound for each
question of the cultural-orientation knowledge check in Persian with the editor's own recorder
(MediaRecorder, Opus in WebM), saves and publishes. Then a throttled phone (page_weight.py's
profile) opens the questionnaire: the page is measured as page_weight.py measures any form.
Recordings are `preload="none"`, so the first load fetches none of them; the service worker then
precaches them in the background, within SURVEY_MEDIA_PRECACHE_BYTES.

A fake microphone's tone is not speech, but Opus at the browser's default rate spends about the
same bytes per second on either, so the bytes per question are those of a spoken question of
that length.

Run: python bench/assessment_audio.py
"""

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _common import load  # noqa: E402
from page_weight import ARGS  # noqa: E402
from page_weight import CHROMIUM  # noqa: E402
from page_weight import measure  # noqa: E402
from page_weight import throttled_phone  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from sqlmodel import Session  # noqa: E402

from survey_app.accounts import create_user  # noqa: E402
from survey_app.db import make_engine  # noqa: E402
from tests.servers import LiveServer  # noqa: E402

FORM_ID = "cultural_orientation_knowledge_check"
SECONDS = 6  # a question read aloud at a calm pace
PASSWORD = "a long enough password"  # noqa: S105 - a throwaway account of the bench's own database
MICROPHONE = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


def record_every_question(browser, server) -> list[int]:
    """Record each question's label in the editor; return the bytes of each saved recording."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, permissions=["microphone"])
    page = context.new_page()
    page.goto(server.url + "/login")
    page.fill("#email", "tr@example.org")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/staff")
    page.goto(f"{server.url}/translate/{FORM_ID}/fa")
    sizes = []
    keys = page.eval_on_selector_all(
        "tr[data-key$=':label']:not([data-key^='choices/']) .prompt-media",
        "boxes => boxes.map(b => b.closest('tr').dataset.key)")
    for key in keys:
        box = page.locator(f'tr[data-key="{key}"] .prompt-media')
        with page.expect_response(lambda r: "/media/" in r.url and r.request.method == "POST") as saved:
            box.locator("[data-media=record]").click()
            page.wait_for_timeout(SECONDS * 1000)
            box.locator("[data-media=stop]").click()
            box.locator("[data-media=save]").click()
        sizes.append(saved.value.json()["size"])
    page.click("button[data-action=publish]")
    page.wait_for_selector(".flash")
    context.close()
    return sizes


def phone_load(browser, server) -> dict:
    """Open the questionnaire once on a fresh throttled phone; count the recordings it fetched."""
    context, page, cdp = throttled_phone(browser)
    media = []
    page.on("request", lambda request: media.append(request.url) if "/media/" in request.url else None)
    first = measure(page, cdp, f"{server.url}/forms/{FORM_ID}?lang=fa")
    context.close()
    return {**first, "media": len(media)}


def print_load(first: dict, what: str) -> None:
    print(f"{FORM_ID + ' (fa, ' + what + ')':58} {first['raw'] / 1024:8.1f} {first['wire'] / 1024:8.1f} "
          f"{first['requests']:5} {first['media']:10} {first['paint']:8.2f} {first['seconds']:9.2f}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        server = LiveServer(Path(tmp) / "instance", f"sqlite:///{tmp}/bench.db", ROOT / "forms").start()
        try:
            engine = make_engine(server.env["SURVEY_DATABASE_URL"])
            with Session(engine) as session:
                create_user(session=session, email="tr@example.org", password=PASSWORD, role="translator")
            engine.dispose()
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[*ARGS, *MICROPHONE])
            print(load())
            before = phone_load(browser, server)
            sizes = record_every_question(browser, server)
            total = sum(sizes)
            per_second = total / len(sizes) / SECONDS
            print(f"{len(sizes)} recordings of {SECONDS} s: {min(sizes) / 1024:.1f}–{max(sizes) / 1024:.1f} KB each, "
                  f"{total / len(sizes) / 1024:.1f} KB per question on average ({per_second * 8 / 1000:.0f} kbit/s), "
                  f"{total / 1024:.0f} KB for the questionnaire")
            print(f"seconds of sound under the 1 MB limit per recording: about {1024 * 1024 / per_second:.0f}")
            print(f"{'page':58} {'raw KB':>8} {'sent KB':>8} {'reqs':>5} {'audio reqs':>10} "
                  f"{'paint s':>8} {'usable s':>9}")
            print_load(before, "without sound")
            print_load(phone_load(browser, server), "with sound")
            browser.close()
        finally:
            server.stop()
    print(load())
    print("targets: under 30 KB sent on the first load, no recording fetched by it; a recording under 1 MB")


if __name__ == "__main__":
    main()
