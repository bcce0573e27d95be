"""Page weight and load time of each questionnaire on a slow phone, against the same run's limits.

Starts a real server, then for each shipped questionnaire (in Persian) measures:
- bytes downloaded the first time (HTML + CSS + JS), raw and as transferred (compressed);
- bytes downloaded the second time, with the service worker in control (should be ~0);
- time until the form is usable in headless Chromium with a throttled network
  (400 kbit/s, 400 ms latency) and 4x CPU slowdown, next to the time the same browser needs
  for an empty page on that profile (the floor no page can beat).

Run: python bench/page_weight.py
"""

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.servers import LiveServer  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-gpu"]
SLOW = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
FORMS = ("capacity_building_feedback", "cultural_orientation_feedback")


def measure(page, cdp, url: str) -> dict:
    sizes = {"raw": 0, "wire": 0, "requests": 0}
    pending = {}

    def on_response(event):
        pending[event["requestId"]] = event["response"].get("fromServiceWorker", False)

    def on_finished(event):
        if pending.get(event["requestId"]) is False:
            sizes["wire"] += event["encodedDataLength"]
            sizes["requests"] += 1

    cdp.on("Network.responseReceived", on_response)
    cdp.on("Network.loadingFinished", on_finished)
    started = time.perf_counter()
    page.goto(url, wait_until="load")
    page.locator("form.questionnaire").wait_for()
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
    elapsed = time.perf_counter() - started
    entries = page.evaluate(
        "() => [...performance.getEntriesByType('resource'), ...performance.getEntriesByType('navigation')]"
        ".map(e => e.decodedBodySize)")
    sizes["raw"] += sum(entries)
    return {**sizes, "seconds": elapsed}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        server = LiveServer(Path(tmp) / "instance", f"sqlite:///{tmp}/bench.db", ROOT / "forms").start()
        try:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            print(f"{'page':34} {'raw KB':>8} {'sent KB':>8} {'2nd KB':>7} {'usable s':>9} {'floor s':>8}")
            for form_id in FORMS:
                context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.emulateNetworkConditions", SLOW)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
                start = time.perf_counter()
                page.goto(server.url + "/healthz-does-not-exist", wait_until="load")
                floor = time.perf_counter() - start
                first = measure(page, cdp, f"{server.url}/forms/{form_id}?lang=fa")
                page.evaluate("() => navigator.serviceWorker && navigator.serviceWorker.ready")
                page.wait_for_timeout(2000)
                second = measure(page, cdp, f"{server.url}/forms/{form_id}?lang=fa")
                print(f"{form_id:34} {first['raw'] / 1024:8.1f} {first['wire'] / 1024:8.1f} "
                      f"{second['wire'] / 1024:7.1f} {first['seconds']:9.2f} {floor:8.2f}")
                context.close()
            browser.close()
        finally:
            server.stop()
    print("targets: under 30 KB sent on the first load; usable in under 2 s on this profile")


if __name__ == "__main__":
    main()
