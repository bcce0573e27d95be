"""Recordings for people who read little in a real browser: recorded in the editor, played on a phone, offline too."""

import io
import math
import re
import struct
import wave

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from survey_app.accounts import create_user
from survey_app.db import make_engine

from .conftest import CHROMIUM
from .conftest import CHROMIUM_ARGS
from .conftest import FAKE_MICROPHONE_ARGS
from .test_offline import wait_offline_ready

PASSWORD = "a long enough password"
FORM = "/forms/sample_feedback"
EDITOR = "/translate/sample_feedback/fa"
QUESTION = "overall:label"
PICTURE_CHOICE = "choices/topics/work:label"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5d1f4d50000000049454e44ae426082")


def tone(seconds: float = 1.0, rate: int = 8000) -> bytes:
    """A short WAV recording (a 440 Hz tone), small enough to be precached."""
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(rate)
        file.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * n / rate)))
                                  for n in range(int(seconds * rate))))
    return out.getvalue()


def make_translator(server):
    engine = make_engine(server.env["SURVEY_DATABASE_URL"])
    with Session(engine) as session:
        create_user(session=session, email="tr@example.org", password=PASSWORD, role="translator")
    engine.dispose()


def sign_in(page, server):
    page.goto(server.url + "/login")
    page.fill("#email", "tr@example.org")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(server.url + "/staff")


@pytest.fixture
def desk(playwright, server):
    """A translator's laptop with a (fake) microphone, signed in."""
    make_translator(server)
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=[*CHROMIUM_ARGS, *FAKE_MICROPHONE_ARGS])
    context = browser.new_context(viewport={"width": 1280, "height": 900}, permissions=["microphone"])
    page = context.new_page()
    sign_in(page, server)
    yield context, page
    browser.close()


def media_box(page, key):
    return page.locator(f'tr[data-key="{key}"] .prompt-media')


def played(page, selector):
    """Wait until an <audio> has played some of its sound, from a state where it could (readyState >= 2)."""
    page.wait_for_function(
        "(s) => { const a = document.querySelector(s); return a && a.played.length > 0 && a.readyState >= 2; }",
        arg=selector)


def test_record_listen_save_publish_and_play_on_the_phone(desk, server):
    context, page = desk
    page.goto(server.url + EDITOR)
    box = media_box(page, QUESTION)
    box.locator("[data-media=record]").click()
    expect(box.locator(".media-state")).not_to_be_empty()
    page.wait_for_timeout(1500)  # a second and a half of the fake microphone's tone
    box.locator("[data-media=stop]").click()
    take = box.locator(".prompt-take")
    expect(take).to_be_visible()
    expect(box.locator("[data-media=again]")).to_be_visible()
    take.evaluate("(audio) => audio.play()")
    played(page, f'tr[data-key="{QUESTION}"] .prompt-take')

    box.locator("[data-media=save]").click()
    expect(box.locator(".prompt-audio")).to_be_visible()
    saved = re.compile(r"^/media/[0-9a-f]{64}/audio-.*\.(webm|ogg|m4a)$")
    expect(box.locator(".prompt-audio audio")).to_have_attribute("src", saved)
    expect(box.locator(".error")).to_be_hidden()

    phone = context.new_page()
    phone.goto(server.url + FORM + "?lang=fa")
    expect(phone.locator("#q-overall .play-prompt")).to_have_count(0)  # not before it is published

    page.click("button[data-action=publish]")
    expect(page.locator(".flash")).to_be_visible()
    phone.set_viewport_size({"width": 360, "height": 740})
    phone.goto(server.url + FORM + "?lang=fa")
    button = phone.locator("#q-overall .play-prompt")
    expect(button).to_be_visible()
    assert button.bounding_box()["height"] >= 44  # a thumb's size, not the small native controls
    button.click()
    played(phone, "#q-overall audio")
    expect(button).not_to_have_attribute("data-state", "failed")
    phone.locator("#q-overall input[value='4']").check()  # the question stays answerable
    expect(phone.locator("#q-overall input[value='4']")).to_be_checked()


def test_an_uploaded_file_of_the_wrong_kind_is_refused_next_to_the_field(desk, server, tmp_path):
    _context, page = desk
    page.goto(server.url + EDITOR)
    box = media_box(page, QUESTION)
    svg = tmp_path / "picture.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    box.locator("input[type=file]").set_input_files(str(svg))
    box.locator("[data-media=upload]").click()
    expect(box.locator(".error")).to_be_visible()
    expect(box.locator(".error")).to_contain_text("PNG")
    expect(box.locator(".prompt-audio")).to_be_hidden()


def publish_with_prompts(page, server):
    """Put a recording on a question and a picture on a choice through the editor's JSON answers, then publish."""
    page.goto(server.url + EDITOR)
    token = page.locator("#translation-editor").get_attribute("data-csrf")
    headers = {"X-CSRFToken": token, "Accept": "application/json"}
    files = ((QUESTION, "tone.wav", tone(), "audio/wav"), (PICTURE_CHOICE, "p.png", PNG, "image/png"))
    for key, name, content, kind in files:
        response = page.request.post(f"{server.url}/translate/sample_feedback/fa/media/{key}", headers=headers,
                                     multipart={"file": {"name": name, "mimeType": kind, "buffer": content}})
        assert response.ok, response.text()
    page.request.post(f"{server.url}/translate/sample_feedback/publish", form={"csrf_token": token, "lang": "fa"})


def test_a_recording_plays_offline_from_the_precache(playwright, server, open_phone):
    make_translator(server)
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    desk = browser.new_page()
    sign_in(desk, server)
    publish_with_prompts(desk, server)
    browser.close()

    phone = open_phone(extra_args=tuple(FAKE_MICROPHONE_ARGS))
    page = phone.new_page()
    page.goto(server.url + FORM + "?lang=fa")
    page.reload()
    wait_offline_ready(page)
    media = page.locator("#q-overall audio").get_attribute("src")
    assert page.evaluate("async (url) => Boolean(await (await caches.keys()).length && await caches.match(url))", media)

    phone.set_offline(True)
    page.reload()
    served = []
    page.on("response", lambda response: served.append(response) if "/media/" in response.url else None)
    page.locator("#q-overall .play-prompt").click()
    played(page, "#q-overall audio")
    assert served and all(response.from_service_worker for response in served)
    expect(page.locator("#q-overall .play-prompt")).not_to_have_attribute("data-state", "failed")

    # The picture choice, in the right-to-left page of a 360 px phone: large, and nothing runs off the side.
    picture = page.locator("#q-topics label.option.picture img")
    box = picture.bounding_box()
    assert box["width"] >= 120 and box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360


def test_a_form_without_recordings_loads_no_audio_script(server, open_phone):
    phone = open_phone()
    page = phone.new_page()
    scripts = []
    page.on("request", lambda request: scripts.append(request.url))
    page.goto(server.url + FORM + "?lang=fa")
    page.wait_for_load_state("networkidle")
    assert any("main" in url for url in scripts)
    assert not any("audio-prompts" in url or "prompt-recorder" in url for url in scripts)
    expect(page.locator(".play-prompt")).to_have_count(0)
