"""Organisers see photo answers as links to a staff-only route, and exports list the file names."""

import csv
import hashlib
import io

import pytest

from survey_app.forms_store import get_version

from .photo_helpers import PHOTO_FORMS
from .photo_helpers import b64
from .photo_helpers import photo_record
from .photo_helpers import png
from .test_results import sign_in


@pytest.fixture
def app_config(app_config):
    return {**app_config, "SURVEY_FORMS_DIR": str(PHOTO_FORMS)}


@pytest.fixture
def stored(client, session):
    """One submission with a photo and a PDF; returns the photo's bytes, its file name and hash."""
    try:
        version = get_version(session=session, form_id="site_photos").version
    finally:
        session.rollback()
    picture = png(5, 5, (10, 200, 10))
    record = photo_record(version, picture, name="room-77aa.png")
    record["answers"]["agenda"] = "agenda-1.pdf"
    record["attachments"].append({"name": "agenda-1.pdf", "data": b64(b"%PDF-1.4\n%%EOF\n")})
    response = client.post("/api/v1/sync", json={"source": "phone-1", "submissions": [record]})
    assert response.get_json()["results"][0]["status"] == "stored"
    return picture, "room-77aa.png", hashlib.sha256(picture).hexdigest()


def test_results_link_each_photo_to_the_staff_route(client, session, stored):
    picture, name, digest = stored
    sign_in(client, session)
    page = client.get("/organise/results/site_photos?lang=en").get_data(as_text=True)
    link = f"/organise/answer-files/{digest}/{name}"
    assert f'href="{link}"' in page
    listed = client.get("/organise/results/site_photos/answers/room?lang=en").get_data(as_text=True)
    assert f'href="{link}"' in listed
    response = client.get(link)
    assert response.status_code == 200 and response.data == picture
    assert response.mimetype == "image/png" and "no-store" in response.headers["Cache-Control"]


def test_a_file_that_is_no_picture_is_downloaded_not_shown(client, session, stored):
    sign_in(client, session)
    digest = hashlib.sha256(b"%PDF-1.4\n%%EOF\n").hexdigest()
    response = client.get(f"/organise/answer-files/{digest}/agenda-1.pdf")
    assert response.mimetype == "application/octet-stream"
    assert response.headers["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("role", [None, "translator"])
def test_photos_are_for_organisers_only(client, session, stored, role):
    _, name, digest = stored
    if role:
        sign_in(client, session, role=role)
    response = client.get(f"/organise/answer-files/{digest}/{name}")
    assert response.status_code == (403 if role else 302)
    assert response.data != stored[0]


def test_an_unknown_or_malformed_hash_is_not_found(client, session, stored):
    sign_in(client, session)
    for sha256 in ("0" * 64, "..%2F..%2Fsurvey.db", "A" * 64):
        assert client.get(f"/organise/answer-files/{sha256}/x.png").status_code == 404


def test_exports_list_the_file_names(client, session, stored):
    _, name, _digest = stored
    sign_in(client, session)
    page = "/organise/results/site_photos/export"
    response = client.post(page, data={"format": "csv", "labels": "", "headers": "codes"})
    assert response.status_code == 200, response.data[:300]
    row = next(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert row["room"] == name and row["agenda"] == "agenda-1.pdf"
    document = client.post(page, data={"format": "json", "labels": "", "headers": "codes"}).get_json()
    submission = document[0] if isinstance(document, list) else document["submissions"][0]
    assert submission["answers"]["@files"][name]["type"] == "image/png"  # JSON keeps each file's sha256 and size


def test_a_quarantined_photo_record_is_shown_without_its_bytes_and_accepted_with_its_photo(client, session):
    from survey_app.models import QuarantinedRecord
    from survey_app.models import Submission

    from .test_quarantine import fresh

    try:
        version = get_version(session=session, form_id="site_photos").version
    finally:
        session.rollback()
    picture = png(6, 6, (1, 1, 1))
    record = photo_record(version, picture, answers={"ready": "perhaps", "room": "room-aa11.png"},
                          attachments=[{"name": "room-aa11.png", "data": b64(picture)}])
    result = client.post("/api/v1/sync", json={"source": "phone-1", "submissions": [record]}).get_json()
    assert result["results"][0]["errors"] == {"ready": "choice"}
    sign_in(client, session)
    (kept,) = fresh(session, QuarantinedRecord)
    page = client.get(f"/organise/quarantine/{kept.id}?lang=en").get_data(as_text=True)
    assert b64(picture) not in page and "characters of base64" in page
    response = client.post(f"/organise/quarantine/{kept.id}", data={
        "version": f"site_photos/{version}", "lang": "en", "workshop": "", "note": "", "answers": "",
        "a-ready": "yes", "a-room": "room-aa11.png", "a-agenda": "", "a-remarks": ""})
    assert response.status_code == 302
    (stored,) = fresh(session, Submission)
    assert stored.answers["@files"]["room-aa11.png"]["sha256"] == hashlib.sha256(picture).hexdigest()
