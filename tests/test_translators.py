"""The translation editor: drafts, states, conflicts, publishing, escaping, roles and CSRF."""

import copy
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import Session
from sqlmodel import select

from survey_app import create_app
from survey_app import translation_drafts as drafts
from survey_app.accounts import create_user
from survey_app.engine.texts import localise_digits
from survey_app.engine.translatable import texts
from survey_app.engine.translatable import with_translation
from survey_app.forms_store import get_version
from survey_app.forms_store import publish
from survey_app.models import AuditEvent
from survey_app.models import FormDraft
from survey_app.models import Submission
from survey_app.models import TranslationEntry
from survey_app.translators import EDITORS

from .test_accounts import PASSWORD
from .test_accounts import csrf_from
from .test_participants import good_answers

FORM = "sample_feedback"
EDITOR = f"/translate/{FORM}"
MARKUP = '<script>alert("x")</script><b>bold</b>'


def save_url(lang: str, key: str) -> str:
    return f"{EDITOR}/{lang}/texts/{key}"


def fresh(app) -> Session:
    """A short-lived session, so the test never holds SQLite's write lock while the app works."""
    return Session(app.extensions["survey_engine"])


def current(app):
    with fresh(app) as session:
        return get_version(session=session, form_id=FORM)


def draft_of(app) -> dict | None:
    with fresh(app) as session:
        draft = session.get(FormDraft, FORM)
        return draft.definition if draft else None


def row(session, lang: str, key: str) -> drafts.Row:
    return next(r for r in drafts.sheet(session=session, form_id=FORM, lang=lang).rows if r.key == key)


@pytest.fixture
def translator(app, client):
    with fresh(app) as session:
        create_user(session=session, email="tr@example.org", password=PASSWORD, role="translator")
    assert client.post("/login", data={"email": "tr@example.org", "password": PASSWORD}).status_code == 302
    return client


# --- states ---------------------------------------------------------------------------------


def test_a_text_is_missing_until_translated_and_needs_review_while_unsure(session):
    assert row(session, "ps", "overall:label").state == drafts.MISSING
    drafts.save_text(session=session, form_id=FORM, key="overall:label", lang="ps", revision=0,
                     text="په ټولیز ډول څومره ګټور و؟")
    assert row(session, "ps", "overall:label").state == drafts.DONE
    drafts.save_text(session=session, form_id=FORM, key="overall:label", lang="ps", revision=1, unsure=True)
    assert row(session, "ps", "overall:label").state == drafts.REVIEW


def test_changing_a_source_text_sends_every_translation_of_it_to_review(session):
    drafts.save_text(session=session, form_id=FORM, key="age:label", lang="ps", revision=0, text="عمر")
    drafts.save_text(session=session, form_id=FORM, key="age:label", lang="en", revision=0, text="Your age")
    assert row(session, "fa", "age:label").state == drafts.REVIEW
    assert row(session, "ps", "age:label").state == drafts.REVIEW
    assert row(session, "fa", "age:hint").state == drafts.DONE
    drafts.save_text(session=session, form_id=FORM, key="age:label", lang="fa", revision=0)  # "still right"
    assert row(session, "fa", "age:label").state == drafts.DONE
    assert row(session, "ps", "age:label").state == drafts.REVIEW


def test_the_questionnaires_own_language_cannot_be_emptied(session):
    with pytest.raises(drafts.TextRefused):
        drafts.save_text(session=session, form_id=FORM, key="form:title", lang="en", revision=0, text="  ")
    assert drafts.working_copy(session=session, form_id=FORM)[0]["title"]["en"] == "Sample feedback"


def test_a_draft_carries_its_changes_over_to_a_version_published_meanwhile(session):
    drafts.save_text(session=session, form_id=FORM, key="hours:label", lang="ps", revision=0, text="د سفر ساعتونه")
    newer = copy.deepcopy(get_version(session=session, form_id=FORM).definition)
    newer["title"]["en"] = "Sample feedback, second edition"
    publish(session=session, definition=newer)
    version = drafts.publish_draft(session=session, form_id=FORM, actor="tr@example.org")
    published = texts(version.definition)
    assert published["form:title"]["en"] == "Sample feedback, second edition"
    assert published["hours:label"]["ps"] == "د سفر ساعتونه"


def test_saves_of_different_texts_at_once_are_all_kept(app):
    keys = ["age:label", "age:hint", "hours:label", "topics:label", "why_low:label", "clear:label"]

    def save(key):
        with fresh(app) as session:
            drafts.save_text(session=session, form_id=FORM, key=key, lang="ps", revision=0, text=f"{key} ps")

    with ThreadPoolExecutor(max_workers=len(keys)) as pool:
        list(pool.map(save, keys))
    saved = texts(draft_of(app))
    assert {key: saved[key]["ps"] for key in keys} == {key: f"{key} ps" for key in keys}


# --- adding a language ------------------------------------------------------------------------


def test_a_new_language_goes_into_the_draft_only(translator, app):
    response = translator.post(f"{EDITOR}/languages", data={"lang": "ur", "from": "fa"})
    assert response.status_code == 302 and response.location.endswith(f"{EDITOR}/ur")
    assert draft_of(app)["settings"]["languages"] == ["en", "fa", "ps", "ur"]
    assert current(app).definition["settings"]["languages"] == ["en", "fa", "ps"]
    body = translator.get(f"{EDITOR}/ur").data.decode()
    assert 'lang="ur" dir="rtl"' in body
    with Session(app.extensions["survey_engine"]) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "language_added")).one()
        assert event.detail == {"form_id": "sample_feedback", "lang": "ur"}


@pytest.mark.parametrize("code", ["xx", "fa AF", "", "uz_Arab_AF", "e" * 30])
def test_an_unknown_language_code_is_refused_next_to_the_field(translator, app, code):
    response = translator.post(f"{EDITOR}/languages", data={"lang": code, "from": "fa"})
    assert response.status_code == 400
    assert 'id="new-language-error"' in response.data.decode()
    assert draft_of(app) is None


# --- saving and conflicts ---------------------------------------------------------------------


def test_saving_a_text_stores_it_in_the_draft_with_a_new_revision(translator, app):
    response = translator.post(save_url("ps", "age:label"), json={"revision": 0, "text": "عمر"})
    assert response.status_code == 200
    assert response.json == {"text": "عمر", "revision": 1, "state": "done", "unsure": False}
    assert texts(draft_of(app))["age:label"]["ps"] == "عمر"


def test_an_edit_made_on_an_old_copy_is_refused_with_both_texts(translator, app):
    translator.post(save_url("ps", "age:label"), json={"revision": 0, "text": "عمر"})
    response = translator.post(save_url("ps", "age:label"), json={"revision": 0, "text": "کلونه"})
    assert response.status_code == 409
    assert response.json["error"] == "conflict"
    assert response.json["mine"] == {"text": "کلونه"}
    assert response.json["theirs"] == {"text": "عمر", "revision": 1, "updated_by": "tr@example.org"}
    assert texts(draft_of(app))["age:label"]["ps"] == "عمر"


def test_overwriting_after_a_conflict_stores_mine(translator, app):
    translator.post(save_url("ps", "age:label"), json={"revision": 0, "text": "عمر"})
    theirs = translator.post(save_url("ps", "age:label"), json={"revision": 0, "text": "کلونه"}).json["theirs"]
    response = translator.post(save_url("ps", "age:label"), json={"revision": theirs["revision"], "text": "کلونه"})
    assert response.status_code == 200 and response.json["revision"] == 2
    assert texts(draft_of(app))["age:label"]["ps"] == "کلونه"


def test_an_old_copy_with_the_same_text_is_not_a_conflict(translator):
    translator.post(save_url("ps", "age:label"), json={"revision": 0, "text": "عمر"})
    response = translator.post(save_url("ps", "age:label"), json={"revision": 0, "text": "عمر", "unsure": True})
    assert response.status_code == 200 and response.json["state"] == "review"


@pytest.mark.parametrize(
    ("url", "body", "status", "error"),
    [
        (save_url("ps", "age:label"), {"text": "x"}, 400, "bad_shape"),
        (save_url("ps", "age:label"), {"revision": "1", "text": "x"}, 400, "bad_shape"),
        (save_url("ps", "age:label"), {"revision": 0, "text": 5}, 400, "bad_shape"),
        (save_url("ps", "age:label"), {"revision": 0, "text": "x" * 5001}, 400, "too_long"),
        (save_url("ps", "age:label"), {"revision": 0, "text": "a\u0000b"}, 400, "not_text"),
        (save_url("en", "age:label"), {"revision": 0, "text": ""}, 400, "empty_source"),
        (save_url("ps", "nothing:label"), {"revision": 0, "text": "x"}, 404, "unknown_text"),
        (save_url("de", "age:label"), {"revision": 0, "text": "x"}, 404, "unknown_form"),
        ("/translate/nothing/ps/texts/age:label", {"revision": 0, "text": "x"}, 404, "unknown_form"),
    ],
)
def test_bad_saves_get_a_json_error_and_change_nothing(translator, app, url, body, status, error):
    response = translator.post(url, json=body)
    assert response.status_code == status and response.json["error"] == error
    assert draft_of(app) is None or "x" not in str(texts(draft_of(app))["age:label"])


def test_a_plain_post_saves_only_the_rows_that_changed(translator, app):
    form = {"text.age:label": "عمر", "base.age:label": drafts.source_hash(""), "revision.age:label": "0",
            "text.age:hint": "به سال", "base.age:hint": drafts.source_hash(""), "revision.age:hint": "0"}
    response = translator.post(f"{EDITOR}/ps", data=form)
    assert response.status_code == 302
    with fresh(app) as session:
        entries = session.exec(select(TranslationEntry)).all()
    assert [(e.key, e.lang, e.revision) for e in entries] == [("age:label", "ps", 1), ("age:hint", "ps", 1)]
    form = {"text.age:label": "عمر", "base.age:label": drafts.source_hash("عمر"), "revision.age:label": "1"}
    translator.post(f"{EDITOR}/ps", data=form)
    with fresh(app) as session:
        assert session.exec(select(TranslationEntry).where(TranslationEntry.key == "age:label")).one().revision == 1


def test_a_plain_post_on_an_old_copy_keeps_my_text_and_shows_theirs(translator, app):
    translator.post(save_url("ps", "age:label"), json={"revision": 0, "text": "عمر"})
    form = {"text.age:label": "کلونه", "base.age:label": drafts.source_hash(""), "revision.age:label": "0"}
    response = translator.post(f"{EDITOR}/ps", data=form)
    body = response.data.decode()
    assert response.status_code == 409
    assert ">\nکلونه</textarea>" in body
    assert '<p class="theirs" lang="ps" dir="rtl">عمر</p>' in body
    assert texts(draft_of(app))["age:label"]["ps"] == "عمر"


# --- publishing and what participants see ----------------------------------------------------


def test_publishing_makes_a_new_version_and_old_submissions_keep_theirs(translator, app):
    old = current(app)
    assert translator.post(f"/forms/{FORM}?lang=fa", data=good_answers()).status_code == 302
    translator.post(save_url("fa", "overall:label"), json={"revision": 0, "text": "این جلسه چقدر مفید بود؟"})
    response = translator.post(f"{EDITOR}/publish", data={"lang": "fa"})
    assert response.status_code == 302
    new = current(app)
    assert new.version != old.version and new.number == old.number + 1
    assert texts(new.definition)["overall:label"]["fa"] == "این جلسه چقدر مفید بود؟"
    with fresh(app) as session:
        assert session.exec(select(Submission)).one().form_version == old.version
        assert get_version(session=session, form_id=FORM, version=old.version).definition == old.definition
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "form_published")).one()
        assert event.detail == {"form_id": FORM, "version": new.version} and event.actor == "tr@example.org"
        assert row(session, "fa", "overall:label").state == drafts.DONE
    assert draft_of(app) is None


def test_drafts_are_invisible_to_participants_until_published(translator, app):
    translator.post(save_url("fa", "overall:label"), json={"revision": 0, "text": "متن تازهٔ پرسش"})
    assert "متن تازهٔ پرسش" not in translator.get(f"/forms/{FORM}?lang=fa").data.decode()
    assert "متن تازهٔ پرسش" not in str(translator.get(f"/api/v1/forms/{FORM}").json)
    assert "متن تازهٔ پرسش" in translator.get(f"{EDITOR}/fa/preview").data.decode()
    translator.post(f"{EDITOR}/publish")
    assert "متن تازهٔ پرسش" in translator.get(f"/forms/{FORM}?lang=fa").data.decode()


def test_editing_one_language_leaves_every_other_language_unchanged(translator, app):
    published = current(app).definition
    changes = {"form:description": "یوه ازمایښتي پوښتنلیک.", "age:label": "عمر", "choices/topics/work:label": "کار"}
    for key, text in changes.items():
        translator.post(save_url("ps", key), json={"revision": 0, "text": text})
    expected = published
    for key, text in changes.items():
        expected = with_translation(expected, key, "ps", text)
    assert draft_of(app) == expected


def test_the_preview_shows_the_draft_right_to_left_and_cannot_send(translator, app):
    response = translator.get(f"{EDITOR}/fa/preview")
    body = response.data.decode()
    main = body[body.index("<main"):body.index("</main>")]
    assert re.search(r"<html[^>]*>", body).group(0) == '<html lang="fa" dir="rtl">'
    assert "<form" not in main and 'type="submit"' not in main
    # It looks as a participant's phone shows it: no staff header, account or sign-out button.
    assert "<form" not in body and "tr@" not in body and "staff.css" not in body
    with fresh(app) as session:
        assert session.exec(select(Submission)).all() == []
        assert session.get(FormDraft, FORM) is None


@pytest.mark.parametrize("page", [f"{EDITOR}/fa", f"{EDITOR}/fa/preview", f"/forms/{FORM}?lang=fa"])
def test_markup_in_a_translation_stays_text(translator, page):
    translator.post(save_url("fa", "overall:label"), json={"revision": 0, "text": MARKUP})
    translator.post(f"{EDITOR}/publish")
    body = translator.get(page).data.decode()
    assert "<script>alert" not in body and "<b>bold" not in body
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in body


def test_the_forms_api_reports_progress_of_the_published_version(translator):
    def ps_progress():
        return translator.get("/api/v1/forms").json["forms"][0]["progress"]["ps"]

    before = ps_progress()
    assert before["translated"] == 1 and before["total"] > 20
    translator.post(save_url("ps", "age:label"), json={"revision": 0, "text": "عمر"})
    assert ps_progress() == before
    translator.post(f"{EDITOR}/publish")
    assert ps_progress() == {"translated": 2, "total": before["total"]}


def test_the_list_shows_progress_in_local_digits_and_pending_drafts(translator, app):
    assert "Changes waiting" not in translator.get("/translate/").data.decode()
    translator.post(save_url("ps", "age:label"), json={"revision": 0, "text": "عمر"})
    body = translator.get("/translate/?lang=fa").data.decode()
    total = len(texts(current(app).definition))
    assert f"۲/{localise_digits(total, 'fa')}" in body
    assert 'class="draft-note"' in body


@pytest.mark.parametrize("show", ["missing", "review"])
def test_filters_show_only_texts_in_that_state(translator, show):
    translator.post(save_url("en", "age:label"), json={"revision": 0, "text": "Your age"})
    body = translator.get(f"{EDITOR}/fa?show={show}").data.decode()
    states = set(re.findall(r'class="translation-row state-(\w+)', body))
    assert states == ({"review"} if show == "review" else set())
    assert ("text.age:label" in body) == (show == "review")


# --- who may do what ---------------------------------------------------------------------------


def test_every_editor_route_asks_for_a_translator_or_organiser(app):
    endpoints = [rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("translators.")]
    assert len(endpoints) == 8
    for endpoint in endpoints:
        assert app.view_functions[endpoint].required_roles == EDITORS


@pytest.mark.parametrize(
    ("method", "url", "kwargs"),
    [
        ("get", "/translate/", {}),
        ("get", f"{EDITOR}/fa", {}),
        ("get", f"{EDITOR}/fa/preview", {}),
        ("post", save_url("fa", "age:label"), {"json": {"revision": 0, "text": "x"}}),
        ("post", f"{EDITOR}/fa", {"data": {"text.age:label": "x", "revision.age:label": "0"}}),
        ("post", f"{EDITOR}/languages", {"data": {"lang": "ur"}}),
        ("post", f"{EDITOR}/publish", {}),
    ],
)
def test_a_visitor_who_is_not_signed_in_can_neither_read_nor_write(client, app, method, url, kwargs):
    response = getattr(client, method)(url, **kwargs)
    assert response.status_code == 302 and response.location.startswith("/login")
    assert draft_of(app) is None


@pytest.mark.parametrize("role", ["translator", "organiser", "admin"])
def test_translators_organisers_and_admins_find_and_open_the_editor(client, app, role):
    with fresh(app) as session:
        create_user(session=session, email="staff@example.org", password=PASSWORD, role=role)
    client.post("/login", data={"email": "staff@example.org", "password": PASSWORD})
    assert 'href="/translate/"' in client.get("/staff").data.decode()
    assert client.get(f"{EDITOR}/fa").status_code == 200


@pytest.fixture
def csrf_translator(app_config):
    app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    client = app.test_client()
    with fresh(app) as session:
        create_user(session=session, email="tr@example.org", password=PASSWORD, role="translator")
    token = csrf_from(client.get("/login").data)
    client.post("/login", data={"email": "tr@example.org", "password": PASSWORD, "csrf_token": token})
    yield app, client
    app.extensions["survey_engine"].dispose()


def test_posts_without_a_csrf_token_are_refused_and_change_nothing(csrf_translator):
    app, client = csrf_translator
    assert client.post(save_url("fa", "age:label"), json={"revision": 0, "text": "x"}).status_code == 400
    assert client.post(f"{EDITOR}/fa", data={"text.age:label": "x", "revision.age:label": "0"}).status_code == 400
    assert client.post(f"{EDITOR}/languages", data={"lang": "ur"}).status_code == 400
    assert draft_of(app) is None
    token = re.search(r'data-csrf="([^"]+)"', client.get(f"{EDITOR}/fa").data.decode()).group(1)
    response = client.post(save_url("fa", "age:label"), json={"revision": 0, "text": "x"},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200
    version = current(app).version
    assert client.post(f"{EDITOR}/publish").status_code == 400
    assert current(app).version == version and draft_of(app) is not None


def test_the_preview_leaves_the_editors_messages_alone(translator, app):
    translator.post(f"{EDITOR}/languages", data={"lang": "ur", "from": "fa"})
    translator.get(f"{EDITOR}/ur/preview")
    assert 'class="flash"' in translator.get(f"{EDITOR}/ur").data.decode()
