"""ETags on questionnaires: a phone revalidating a form page or form document downloads nothing."""

import pytest

from survey_app.forms_store import publish

FORM_PAGE = "/forms/sample_feedback?lang=en"


@pytest.mark.parametrize("url", ["/api/v1/forms", "/api/v1/forms/sample_feedback", FORM_PAGE])
def test_matching_etag_answers_304_with_no_body(client, url):
    first = client.get(url, headers={"Accept-Encoding": "br"})
    again = client.get(url, headers={"Accept-Encoding": "br", "If-None-Match": first.headers["ETag"]})
    assert first.status_code == 200
    assert again.status_code == 304
    assert again.data == b""
    assert "no-cache" in first.headers["Cache-Control"]


def test_form_page_tag_is_weak_and_ignores_per_request_tokens(client):
    first, second = client.get(FORM_PAGE), client.get(FORM_PAGE)
    assert first.data != second.data  # a fresh submission UUID each time
    assert first.headers["ETag"].startswith("W/")
    assert first.headers["ETag"] == second.headers["ETag"]


def test_form_page_in_another_language_has_another_tag(client):
    assert client.get(FORM_PAGE).headers["ETag"] != client.get("/forms/sample_feedback?lang=fa").headers["ETag"]


def test_new_version_changes_the_tags(client, session):
    page, listing = client.get(FORM_PAGE).headers["ETag"], client.get("/api/v1/forms").headers["ETag"]
    definition = client.get("/api/v1/forms/sample_feedback").get_json()["definition"]
    publish(session=session, definition={**definition, "title": {"en": "A new title"}})

    assert client.get(FORM_PAGE, headers={"If-None-Match": page}).status_code == 200
    assert client.get("/api/v1/forms", headers={"If-None-Match": listing}).status_code == 200
