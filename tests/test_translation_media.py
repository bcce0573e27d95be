"""Recordings and pictures in the translation editor: checked by content, bounded, kept in the draft, published."""

import copy
import io
import json
import re
from pathlib import Path

import pytest

from survey_app import translation_drafts as drafts
from survey_app.engine.prompt_media import AUDIO_LIMIT
from survey_app.engine.prompt_media import PICTURE_LIMIT
from survey_app.engine.prompt_media import MediaRefused
from survey_app.engine.prompt_media import check
from survey_app.engine.prompt_media import prompts
from survey_app.engine.prompt_media import sniff
from survey_app.engine.prompt_media import with_prompt
from survey_app.form_media import path_of
from survey_app.forms_store import get_version
from survey_app.forms_store import publish

from . import test_translators
from .test_translators import EDITOR
from .test_translators import FORM
from .test_translators import current
from .test_translators import draft_of
from .test_translators import fresh

# The translators' fixtures, under their own names.
translator = test_translators.translator
csrf_translator = test_translators.csrf_translator

VECTORS = json.loads((Path(__file__).parent / "data" / "prompt_media_vectors.json").read_text())
WEBM = bytes.fromhex(VECTORS[0]["hex"]) + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
QUESTION = "overall:label"
CHOICE = "choices/topics/work:label"


def media_url(lang: str, key: str) -> str:
    return f"{EDITOR}/{lang}/media/{key}"


def upload(client, lang, key, content, name="clip.bin", json_reply=True):
    headers = {"Accept": "application/json"} if json_reply else {"Accept": "text/html"}
    return client.post(media_url(lang, key), data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data", headers=headers)


@pytest.mark.parametrize("vector", VECTORS, ids=[v["case"] for v in VECTORS])
def test_the_kind_of_a_file_is_read_from_its_first_bytes(vector):
    assert sniff(bytes.fromhex(vector["hex"])) == vector["extension"]


@pytest.mark.parametrize(("content", "limit"), [(WEBM, AUDIO_LIMIT), (PNG, PICTURE_LIMIT)])
def test_a_file_at_its_limit_passes_and_one_byte_more_is_refused(content, limit):
    padded = content + b"\x00" * (limit - len(content))
    assert check(padded)[0] in ("audio", "image")
    with pytest.raises(MediaRefused) as refused:
        check(padded + b"\x00")
    assert refused.value.code == "too_big"


def test_a_file_is_named_by_its_kind_and_content_not_by_what_was_sent():
    assert check(WEBM) == check(WEBM)
    kind, name = check(WEBM)
    assert kind == "audio" and name.startswith("audio-") and name.endswith(".webm")
    assert check(PNG)[1].endswith(".png")


def test_replacing_a_prompt_drops_the_file_nothing_uses_any_more():
    document = {"settings": {"default_language": "en"}, "survey": [{"type": "note", "name": "n", "label": {"en": "x"}}]}
    first = with_prompt(document, "n:label", "fa", "audio", "audio-1.webm", {"sha256": "a", "size": 1, "type": "t"})
    second = with_prompt(first, "n:label", "fa", "audio", "audio-2.webm", {"sha256": "b", "size": 1, "type": "t"})
    assert list(second["media_files"]) == ["audio-2.webm"]
    removed = with_prompt(second, "n:label", "fa", "audio", None)
    assert removed["media_files"] == {} and "media" not in removed["survey"][0]
    with pytest.raises(KeyError):
        with_prompt(document, "form:title", "fa", "audio", "audio-1.webm", {})


def test_a_recording_goes_into_the_draft_not_to_participants(app, translator):
    response = upload(translator, "fa", QUESTION, WEBM, name="whatever.svg")
    assert response.status_code == 200
    body = response.get_json()
    assert body["kind"] == "audio" and body["name"].endswith(".webm") and body["size"] == len(WEBM)
    draft = draft_of(app)
    question = next(q for g in draft["survey"] if g.get("children") for q in g["children"] if q["name"] == "overall")
    assert question["media"] == {"audio": {"fa": body["name"]}}
    assert draft["media_files"][body["name"]]["size"] == len(WEBM)
    assert "media_files" not in current(app).definition
    with app.test_request_context():
        assert path_of(draft["media_files"][body["name"]]["sha256"]).read_bytes() == WEBM


def test_a_published_recording_and_choice_picture_reach_the_participant_page(app, client, translator):
    audio = upload(translator, "fa", QUESTION, WEBM).get_json()
    picture = upload(translator, "fa", CHOICE, PNG).get_json()
    translator.post(f"{EDITOR}/publish", data={"lang": "fa"})
    page = client.get("/forms/sample_feedback?lang=fa").get_data(as_text=True)
    assert audio["url"] in page and picture["url"] in page
    assert 'class="play-prompt"' in page and "js/audio-prompts" in page
    assert client.get(audio["url"]).mimetype == "video/webm"
    english = client.get("/forms/sample_feedback?lang=en").get_data(as_text=True)
    assert audio["url"] not in english and "js/audio-prompts" not in english


def test_a_form_without_recordings_does_not_load_the_play_buttons(client):
    page = client.get("/forms/sample_feedback?lang=fa").get_data(as_text=True)
    assert "audio-prompts" not in page and "play-prompt" not in page


@pytest.mark.parametrize(("content", "code"), [
    (SVG, "not_media"), (b"", "empty"), (b"GIF89a" + b"\x00" * 20, "not_media"),
    (WEBM + b"\x00" * AUDIO_LIMIT, "too_big"), (PNG + b"\x00" * PICTURE_LIMIT, "too_big"),
])
def test_a_refused_file_gets_a_json_reason_and_changes_nothing(app, translator, content, code):
    response = upload(translator, "fa", QUESTION, content)
    assert response.status_code == 400
    assert response.get_json()["error"] == code and response.get_json()["message"]
    assert draft_of(app) is None


def test_without_javascript_a_refusal_shows_next_to_the_field(app, translator):
    response = upload(translator, "fa", QUESTION, PNG + b"\x00" * PICTURE_LIMIT, json_reply=False)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "at most 500 KB" in page and 'aria-invalid="true"' in page


def test_without_javascript_an_upload_and_a_removal_come_back_to_the_editor(app, translator):
    response = upload(translator, "fa", QUESTION, WEBM, json_reply=False)
    assert response.status_code == 302 and "/translate/sample_feedback/fa" in response.headers["Location"]
    page = translator.get(f"{EDITOR}/fa").get_data(as_text=True)
    assert "Remove the recording" in page and "/media/" in page
    removed = translator.post(media_url("fa", QUESTION), data={"remove": "audio"}, headers={"Accept": "text/html"})
    assert removed.status_code == 302
    assert not draft_of(app).get("media_files")
    assert "Remove the recording" in translator.get(f"{EDITOR}/fa").get_data(as_text=True)  # the hidden button stays


@pytest.mark.parametrize("key", ["form:title", "overall:hint", "no_such_question:label"])
def test_only_the_label_of_a_question_or_choice_takes_a_prompt(translator, key):
    response = upload(translator, "fa", key, WEBM)
    assert response.status_code == 404 and response.get_json()["error"] == "unknown_prompt"


def test_an_unknown_language_or_kind_is_a_404(translator):
    assert upload(translator, "xx", QUESTION, WEBM).status_code == 404
    response = translator.post(media_url("fa", QUESTION), data={"remove": "video"},
                               headers={"Accept": "application/json"})
    assert response.status_code == 404


def test_participants_and_strangers_cannot_upload(client):
    response = upload(client, "fa", QUESTION, WEBM)
    assert response.status_code in (302, 401, 403)


def test_an_upload_needs_the_pages_csrf_token(csrf_translator):
    app, client = csrf_translator
    assert upload(client, "fa", QUESTION, WEBM).status_code == 400
    assert draft_of(app) is None
    token = re.search(r'data-csrf="([^"]+)"', client.get(f"{EDITOR}/fa").data.decode()).group(1)
    response = client.post(media_url("fa", QUESTION), data={"file": (io.BytesIO(WEBM), "a.webm")},
                           headers={"Accept": "application/json", "X-CSRFToken": token})
    assert response.status_code == 200 and draft_of(app) is not None


def test_a_recording_in_a_draft_is_carried_over_to_a_version_published_meanwhile(app, translator):
    saved = upload(translator, "fa", QUESTION, WEBM).get_json()
    with fresh(app) as session:
        newer = copy.deepcopy(get_version(session=session, form_id=FORM).definition)
        newer["title"]["en"] = "Sample feedback, second edition"
        publish(session=session, definition=newer)
        version = drafts.publish_draft(session=session, form_id=FORM, actor="tr@example.org")
        definition = version.definition
    assert definition["title"]["en"] == "Sample feedback, second edition"
    assert prompts(definition, "fa")[QUESTION] == {"audio": saved["name"]}
    assert definition["media_files"][saved["name"]]["size"] == len(WEBM)
