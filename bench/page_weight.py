"""Page weight and load time of each questionnaire on a slow phone, against the same run's limits.

Starts a real server, then for each shipped questionnaire (in Persian) measures:
- bytes downloaded the first time (HTML + CSS + JS), raw and as transferred (compressed);
- bytes downloaded the second time, with the service worker in control (should be ~0);
- time until the form is usable in headless Chromium with a throttled network
  (400 kbit/s, 400 ms latency) and 4x CPU slowdown, next to the time the same browser needs
  for an empty page on that profile (the floor no page can beat).

"Usable" is what a participant gets: from navigation start (the tap) to the later of the first
paint (the questions are visible) and the first frame after main.js marked `survey:ready`
(live checks and draft saving are wired). Both are read from the page's own performance
timeline, so the driver's round trips are not counted.

A questionnaire with long lists in cascade (tests/big_lists.py: 34 provinces, 408 districts,
4,080 villages) is weighed beside the shipped ones.

Run: python bench/page_weight.py [form_id ...]   (all of them without arguments)
"""

import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import load  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from tests.big_lists import big_list_form  # noqa: E402
from tests.servers import LiveServer  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-gpu"]
SLOW = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
FORMS = ("capacity_building_feedback", "cultural_orientation_feedback", "villages")


# Runs in every page before its own scripts: on each frame, note the first frame after the page
# marked itself ready (main.js: checks and drafts wired), as milliseconds since navigation start.
WATCH_READY = """
(() => {
  const tick = () => {
    if (performance.getEntriesByName('survey:ready').length) window.__surveyUsable = performance.now();
    else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
"""
# The questions are visible once painted; the page is usable once also wired (or loaded, for a page without scripts).
USABLE = """
() => {
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  const nav = performance.getEntriesByType('navigation')[0];
  return Math.max(paint ? paint.startTime : Infinity, window.__surveyUsable ?? nav.loadEventEnd) / 1000;
}
"""


def measure(page, cdp, url: str, wired: bool = True) -> dict:
    """Load a page; time from navigation start to usable, as the page itself saw it (no driver overhead)."""
    sizes = {"raw": 0, "wire": 0, "requests": 0}
    pending = {}

    def on_request(event):  # only this page's requests: not the previous page's late icon
        pending[event["requestId"]] = None

    def on_response(event):
        if event["requestId"] in pending:
            pending[event["requestId"]] = event["response"].get("fromServiceWorker", False)

    def on_finished(event):
        if pending.pop(event["requestId"], None) is False:
            sizes["wire"] += event["encodedDataLength"]
            sizes["requests"] += 1

    cdp.on("Network.requestWillBeSent", on_request)
    cdp.on("Network.responseReceived", on_response)
    cdp.on("Network.loadingFinished", on_finished)
    page.goto(url, wait_until="load")
    if wired:
        page.wait_for_function("() => window.__surveyUsable !== undefined", timeout=60_000)
    else:
        page.wait_for_function("() => performance.getEntriesByName('first-contentful-paint').length")
    seconds = page.evaluate(USABLE)
    paint = page.evaluate("() => performance.getEntriesByName('first-contentful-paint')[0].startTime / 1000")
    page.wait_for_load_state("networkidle")  # count what the page fetches later too (the sync modules)
    entries = page.evaluate(
        "() => [...performance.getEntriesByType('resource'), ...performance.getEntriesByType('navigation')]"
        ".map(e => e.decodedBodySize)")
    cdp.remove_listener("Network.requestWillBeSent", on_request)
    cdp.remove_listener("Network.responseReceived", on_response)
    cdp.remove_listener("Network.loadingFinished", on_finished)
    sizes["raw"] += sum(entries)
    return {**sizes, "seconds": seconds, "paint": paint}


def throttled_phone(browser):
    """A fresh 360 px phone on a slow link with a 4x slower CPU, watching for the page to be usable."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    page.add_init_script(WATCH_READY)
    return context, page, cdp


def main() -> None:
    wanted = sys.argv[1:] or FORMS
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        forms = Path(tmp) / "forms"
        shutil.copytree(ROOT / "forms", forms)
        (forms / "villages.yaml").write_text(json.dumps(big_list_form(), ensure_ascii=False), encoding="utf-8")
        server = LiveServer(Path(tmp) / "instance", f"sqlite:///{tmp}/bench.db", forms).start()
        try:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            print(load())
            print(f"{'page':34} {'raw KB':>8} {'sent KB':>8} {'reqs':>5} {'2nd KB':>7} "
                  f"{'paint s':>8} {'usable s':>9} {'floor s':>8}")
            for form_id in wanted:
                context, page, cdp = throttled_phone(browser)
                floor = measure(page, cdp, server.url + "/healthz-does-not-exist", wired=False)["seconds"]
                first = measure(page, cdp, f"{server.url}/forms/{form_id}?lang=fa")
                page.evaluate("() => navigator.serviceWorker && navigator.serviceWorker.ready")
                page.wait_for_timeout(2000)
                second = measure(page, cdp, f"{server.url}/forms/{form_id}?lang=fa")
                print(f"{form_id:34} {first['raw'] / 1024:8.1f} {first['wire'] / 1024:8.1f} {first['requests']:5} "
                      f"{second['wire'] / 1024:7.1f} {first['paint']:8.2f} {first['seconds']:9.2f} {floor:8.2f}")
                context.close()
            browser.close()
        finally:
            server.stop()
    print(load())
    print("targets: under 30 KB sent on the first load; usable in under 2 s on this profile")


if __name__ == "__main__":
    main()
