"""Real headless Chromium (Debian's) driven by Playwright against a real server on loopback."""

import contextlib
import os
from pathlib import Path

import pytest

from tests.conftest import TEST_FORMS
from tests.servers import LiveServer

CHROMIUM = os.environ.get("SURVEY_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-gpu",
]
# A microphone that plays a steady tone, allowed without asking, and sound that may start from a script.
FAKE_MICROPHONE_ARGS = [
    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
# A loaded 2-core CI machine runs a server, a browser and IndexedDB at once: give waits room.
EXPECT_TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def playwright():
    """Start Playwright once; waits on the page get the timeout above."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is required under CI")
        pytest.skip(f"{CHROMIUM} is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    sync_api.expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_api.sync_playwright() as p:
        yield p


@pytest.fixture
def server(tmp_path):
    live = LiveServer(tmp_path / "instance", f"sqlite:///{tmp_path / 'server.db'}", TEST_FORMS)
    live.start()
    yield live
    live.stop()


@pytest.fixture
def open_phone(playwright, tmp_path):
    """Start (or restart) a phone: a persistent browser profile that survives closing."""
    contexts = []

    def launch(profile: str = "phone", extra_args: tuple[str, ...] = ()):
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / profile), executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *extra_args],
            **PHONE,
        )
        contexts.append(context)
        return context

    yield launch
    for context in contexts:
        with contextlib.suppress(Exception):  # already closed by the test
            context.close()
