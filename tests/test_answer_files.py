"""Photos and files as answers: checked by content, capped, kept once per content, quarantined with a reason."""

import hashlib

import pytest
from sqlmodel import select

from survey_app import answer_files
from survey_app.forms_store import get_version
from survey_app.models import QuarantinedRecord
from survey_app.models import Submission

from .photo_helpers import PHOTO_FORMS
from .photo_helpers import b64
from .photo_helpers import photo_record
from .photo_helpers import png

SYNC = "/api/v1/sync"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "SURVEY_FORMS_DIR": str(PHOTO_FORMS), "SURVEY_ANSWER_FILE_MAX_BYTES": 4096}


@pytest.fixture
def version(app, session):
    try:
        return get_version(session=session, form_id="site_photos").version
    finally:
        session.rollback()  # on SQLite an open read holds the write lock


def send(client, *records):
    response = client.post(SYNC, json={"source": "phone-1", "submissions": list(records)})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"]


@pytest.mark.parametrize(("data", "kind"), [
    (b"\xff\xd8\xff\xe0rest", "image/jpeg"), (png(), "image/png"), (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
    (b"%PDF-1.7\n", "application/pdf"), (b"<svg onload=alert(1)>", None), (b"GIF89a", None), (b"", None),
])
def test_a_file_type_is_read_from_its_content(data, kind):
    assert answer_files.sniff(data) == kind


def test_a_photo_is_stored_once_by_content_and_named_in_the_answers(app, client, session, version):
    picture = png()
    results = send(client, photo_record(version, picture))
    assert [r["status"] for r in results] == ["stored"]
    row = session.exec(select(Submission)).one()
    digest = hashlib.sha256(picture).hexdigest()
    assert row.answers["room"] == "room-1a2b3c.png"
    assert row.answers[answer_files.FILES_KEY] == {
        "room-1a2b3c.png": {"sha256": digest, "type": "image/png", "size": len(picture)}}
    with app.app_context():
        assert answer_files.path_of(digest).read_bytes() == picture


def test_a_resent_photo_is_a_duplicate_and_another_picture_under_the_same_uuid_a_conflict(client, session, version):
    first = photo_record(version)
    assert send(client, first)[0]["status"] == "stored"
    assert send(client, first)[0]["status"] == "duplicate"
    other = {**first, "attachments": [{"name": "room-1a2b3c.png", "data": b64(png(colour=(0, 0, 255)))}]}
    assert send(client, other)[0]["status"] == "conflict"


@pytest.mark.parametrize(("attachments", "reason"), [
    ([{"name": "room-1a2b3c.png", "data": b64(b"<svg onload=alert(1)></svg>")}], "file_type"),
    ([{"name": "room-1a2b3c.png", "data": b64(b"%PDF-1.7\n")}], "file_type"),  # a PDF is no photo
    ([{"name": "room-1a2b3c.png", "data": b64(png(60, 60) + b"\x00" * 5000)}], "file_size"),
    ([{"name": "room-1a2b3c.png", "data": "not base64!"}], "file_data"),
    ([{"name": "other.png", "data": b64(png())}], "file_missing"),
    ("a string", "file_missing"),
])
def test_a_bad_photo_keeps_its_record_aside_with_the_reason_and_the_others_are_stored(
        client, session, version, attachments, reason):
    bad = {**photo_record(version), "attachments": attachments}
    results = send(client, photo_record(version), bad, photo_record(version))
    assert [r["status"] for r in results] == ["stored", "rejected", "stored"]
    assert results[1]["errors"] == {"room": reason}
    kept = session.exec(select(QuarantinedRecord)).one()
    assert kept.reasons == {"room": reason} and kept.payload["attachments"] == attachments


def test_all_files_of_one_record_together_stay_under_the_cap(client, session, version):
    picture = png(20, 20, (1, 2, 3)) + b"\x00" * 2500  # each alone under 4096 bytes, together over it
    record = photo_record(version, picture)
    record["answers"]["agenda"] = "agenda-1.png"
    record["attachments"].append({"name": "agenda-1.png", "data": b64(picture)})
    assert send(client, record)[0]["errors"] == {"agenda": "file_size"}


def test_a_file_question_takes_a_pdf(client, session, version):
    record = photo_record(version)
    record["answers"]["agenda"] = "agenda.pdf"
    record["attachments"].append({"name": "agenda.pdf", "data": b64(b"%PDF-1.4\n%%EOF\n")})
    assert send(client, record)[0]["status"] == "stored"
    files = session.exec(select(Submission)).one().answers[answer_files.FILES_KEY]
    assert files["agenda.pdf"]["type"] == "application/pdf"


def test_a_file_sent_for_a_hidden_or_unanswered_question_is_not_kept(app, client, session, version):
    record = photo_record(version)
    record["attachments"].append({"name": "stray.png", "data": b64(png(colour=(9, 9, 9)))})
    assert send(client, record)[0]["status"] == "stored"
    assert set(session.exec(select(Submission)).one().answers[answer_files.FILES_KEY]) == {"room-1a2b3c.png"}
    with app.app_context():
        assert answer_files.path_of(hashlib.sha256(png(colour=(9, 9, 9))).hexdigest()) is None


@pytest.mark.parametrize("name", ["../etc/passwd", "room.png/../x", ".png", "a" * 120 + ".png", "room"])
def test_a_file_name_that_is_not_plain_is_refused(client, version, name):
    result = send(client, photo_record(version, name=name))[0]
    assert result["status"] == "rejected" and result["errors"]["room"] == "file_name"


@pytest.mark.parametrize("sha256", ["../../secret", "A" * 64, "0" * 63])
def test_only_a_hash_reaches_the_disk(app, sha256):
    with app.app_context():
        assert answer_files.path_of(sha256) is None


def page_post(client, version, **files):
    data = {"submission_uuid": "5b0d0f6e-4f4e-4a53-9a53-1f6f0e3a9c01", "form_version": version, "ready": "yes",
            **files}
    return client.post("/forms/site_photos?lang=en", data=data, content_type="multipart/form-data")


def test_a_page_posted_without_javascript_stores_its_photo(app, client, session, version):
    import io

    picture = png(8, 8)
    response = page_post(client, version, room=(io.BytesIO(picture), "IMG 2026.png"))
    assert response.status_code == 302, response.get_data(as_text=True)
    row = session.exec(select(Submission)).one()
    digest = hashlib.sha256(picture).hexdigest()
    assert row.answers["room"] == f"room-{digest[:12]}.png"
    assert row.answers[answer_files.FILES_KEY][row.answers["room"]]["sha256"] == digest
    with app.app_context():
        assert answer_files.path_of(digest).read_bytes() == picture


def test_a_page_with_a_file_that_is_no_picture_says_so_next_to_the_question(client, session, version):
    import io

    response = page_post(client, version, room=(io.BytesIO(b"MZ\x90\x00 not a picture"), "photo.jpg"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Please choose a picture (JPEG, PNG or WebP)" in page and 'id="error-room"' in page
    assert session.exec(select(Submission)).first() is None


def test_the_page_asks_for_a_photo_with_the_camera_and_posts_files(client):
    page = client.get("/forms/site_photos?lang=en").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file" data-file="image"' in page and 'accept="image/*"' in page and 'capture="environment"' in page
    assert 'data-extensions="photos"' in page


def test_a_photo_inside_a_repeat_is_refused_by_the_loader():
    from survey_app.engine.loader import DefinitionError
    from survey_app.engine.loader import load_dict

    with pytest.raises(DefinitionError, match="a photo or file inside a repeat is not possible here"):
        load_dict({"form_id": "f", "title": {"en": "F"}, "settings": {"default_language": "en", "languages": ["en"]},
                   "survey": [{"type": "repeat", "name": "r", "label": {"en": "R"},
                               "children": [{"type": "image", "name": "p", "label": {"en": "P"}}]}],
                   "choices": {}})


def test_a_page_with_a_file_beyond_the_request_limit_says_so_in_words(client, version):
    import io

    big = png() + b"\x00" * (8 * 1024 * 1024)
    response = page_post(client, version, room=(io.BytesIO(big), "huge.png"))
    assert response.status_code == 413
    assert "The file is too large" in response.get_data(as_text=True)
