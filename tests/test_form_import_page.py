"""The organisers' page to import a questionnaire: upload, the report by row, publishing."""

import io

from sqlmodel import select

from survey_app.models import AuditEvent
from survey_app.models import FormVersion

from .test_results import sign_in
from .test_xlsform_corpus import CORPUS

URL = "/organise/forms/import"


def upload(client, path, **fields):
    data = {"file": (io.BytesIO(path.read_bytes()), path.name), **fields}
    return client.post(URL, data=data, content_type="multipart/form-data")


def versions(session, form_id):
    session.expire_all()
    found = [version.definition for version in session.exec(select(FormVersion).where(FormVersion.form_id == form_id))]
    session.rollback()  # the app writes next: the test's transaction must not hold the database
    return found


def test_the_page_is_for_organisers_only(client, session):
    assert client.get(URL).status_code == 302  # to sign-in
    sign_in(client, session, role="translator")
    assert client.get(URL).status_code == 403


def test_an_uploaded_zip_is_published_with_its_media_and_its_report(client, session):
    sign_in(client, session)
    response = upload(client, CORPUS / "media_pictures.zip")
    page = response.data.decode()
    assert response.status_code == 200
    assert "The questionnaire was published" in page
    assert "image file &#39;venue.png&#39; is not in the upload" in page
    assert len(versions(session, "media_pictures")) == 1
    media_files = versions(session, "media_pictures")[0]["media_files"]
    sha = media_files["happy.png"]["sha256"]
    assert client.get(f"/media/{sha}/happy.png").status_code == 200
    assert any(event.action == "form_imported" for event in session.exec(select(AuditEvent)))


def test_check_only_publishes_nothing(client, session):
    sign_in(client, session)
    response = upload(client, CORPUS / "appearances.xlsx", check_only="y")
    assert "Nothing was published" in response.data.decode()
    assert "appearance &#39;spinner&#39; is not known here" in response.data.decode()
    assert versions(session, "appearances") == []


def test_a_file_that_cannot_be_read_is_refused_with_its_reason(client, session, tmp_path):
    sign_in(client, session)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"hello")
    response = upload(client, broken)
    assert response.status_code == 400
    assert "The questionnaire was not imported" in response.data.decode()
    assert "broken.xlsx is not an Excel workbook" in response.data.decode()


def test_the_default_language_field_decides_the_language(client, session):
    sign_in(client, session)
    upload(client, CORPUS / "no_title_no_settings.xlsx", default_language="ps")
    assert versions(session, "no_title_no_settings")[0]["settings"]["default_language"] == "ps"


def test_a_post_without_csrf_token_is_refused(app_config, tmp_path):
    from survey_app import create_app

    app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    client = app.test_client()
    from sqlmodel import Session

    with Session(app.extensions["survey_engine"]) as session:
        sign_in(client, session)
        response = upload(client, CORPUS / "appearances.xlsx")
        assert response.status_code == 400
        assert versions(session, "appearances") == []
    app.extensions["survey_engine"].dispose()
