"""Participants' pages through Flask's test client, in English and Persian."""

import base64
import hashlib
import re
import shutil
import uuid
from pathlib import Path

import pytest
from sqlmodel import select

from survey_app import create_app
from survey_app.models import Submission

from .conftest import TEST_FORMS

FORM_URL = "/forms/sample_feedback"


def html_tag(body: bytes) -> str:
    return re.search(r"<html[^>]*>", body.decode()).group(0)


def errors_in(body: bytes) -> dict[str, str]:
    return dict(re.findall(r'<p class="error" id="error-([a-z_]+)" >([^<]+)</p>', body.decode()))


def good_answers(**changes) -> dict:
    answers = {"submission_uuid": str(uuid.uuid4()), "overall": "4", "age": "30", "session_date": "2026-01-05"}
    answers.update(changes)
    return answers


def stored(session) -> list[Submission]:
    session.expire_all()
    return list(session.exec(select(Submission)))


def test_index_lists_questionnaires_in_the_visitors_language(client):
    body = client.get("/?lang=fa").data.decode()
    assert "بازخورد نمونه" in body
    assert 'href="/forms/sample_feedback?lang=fa"' in body


@pytest.mark.parametrize(
    ("lang", "tag"),
    [("en", '<html lang="en" dir="ltr">'), ("fa", '<html lang="fa" dir="rtl">'), ("ps", '<html lang="ps" dir="rtl">')],
)
def test_page_direction_follows_the_language_code(client, lang, tag):
    assert html_tag(client.get(f"{FORM_URL}?lang={lang}").data) == tag


def test_language_not_offered_by_the_form_falls_back_to_its_default(client):
    assert html_tag(client.get(f"{FORM_URL}?lang=fa_AF").data) == '<html lang="en" dir="ltr">'


def test_missing_translation_falls_back_with_its_own_lang_attribute(client):
    body = client.get(f"{FORM_URL}?lang=ps").data.decode()
    assert '<span lang="en" dir="ltr">Your answers are anonymous.</span>' in body


def test_language_comes_from_cookie_then_accept_language(client):
    assert 'lang="fa"' in html_tag(client.get(FORM_URL, headers={"Accept-Language": "fa-IR,fa;q=0.9"}).data)
    client.get(f"{FORM_URL}?lang=ps")
    assert 'lang="ps"' in html_tag(client.get(FORM_URL, headers={"Accept-Language": "fa"}).data)


def test_language_switcher_names_each_language_in_itself(client):
    body = client.get(FORM_URL).data.decode()
    assert '<a href="?lang=fa" lang="fa" dir="rtl"' in body
    assert "فارسی" in body and "پښتو" in body


def test_persian_dates_are_shown_in_solar_hijri(client):
    body = client.get(f"{FORM_URL}?lang=fa").data.decode()
    assert 'data-calendar="solar"' in body
    assert 'placeholder="۱۴۰۵/۰۹/۰۱"' in body


def test_valid_answers_are_stored_once_and_thanked(client, session):
    answers = good_answers()
    response = client.post(f"{FORM_URL}?lang=fa", data=answers)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/forms/sample_feedback/thanks?lang=fa")
    client.post(f"{FORM_URL}?lang=fa", data=answers)
    rows = stored(session)
    assert len(rows) == 1
    assert rows[0].answers["overall"] == 4 and rows[0].lang == "fa" and rows[0].source == "web"


def test_persian_digits_and_solar_dates_are_normalised_on_the_server(client, session):
    answers = good_answers(age="۳۲", hours="۱٫۵", session_date="۱۴۰۴/۱۰/۱۵")
    assert client.post(f"{FORM_URL}?lang=fa", data=answers).status_code == 302
    row = stored(session)[0]
    assert (row.answers["age"], row.answers["hours"], row.answers["session_date"]) == (32, 1.5, "2026-01-05")


def test_errors_appear_next_to_the_question_in_the_participants_language(client, session):
    response = client.post(f"{FORM_URL}?lang=fa", data=good_answers(age="۱۲", overall=""))
    errors = errors_in(response.data)
    assert errors["age"] == "سن باید بین ۱۵ تا ۱۰۰ باشد."
    assert "overall" in errors
    assert 'value="۱۲"' in response.data.decode()
    assert stored(session) == []


@pytest.mark.parametrize("lang, example", [("en", r"\d{4}-\d\d-\d\d"), ("fa", r"[۰-۹]{4}/[۰-۹]{2}/[۰-۹]{2}")])
def test_a_date_that_cannot_be_read_is_answered_with_an_example_in_the_readers_calendar(client, lang, example):
    response = client.post(f"{FORM_URL}?lang={lang}", data=good_answers(session_date="5 March"))
    assert re.search(example, errors_in(response.data)["session_date"])


def test_hidden_question_answer_is_not_kept(client, session):
    client.post(FORM_URL, data=good_answers(overall="5", why_low="should vanish"))
    assert "why_low" not in stored(session)[0].answers


def opening_tag(body: bytes, name: str) -> str:
    return re.search(rf'<[a-z]+ [^>]*id="q-{name}"[^>]*>', body.decode()).group(0)


def test_questions_not_relevant_at_the_start_are_drawn_hidden(client):
    """A slow phone paints the page before its scripts run: irrelevant questions must not flash."""
    page = client.get(FORM_URL).data
    assert "hidden data-start-hidden" in opening_tag(page, "topics_other")  # nothing chosen yet
    assert "hidden" not in opening_tag(page, "overall")
    # Without scripts nothing could show them later, so a <noscript> style sheet shows them all.
    assert re.search(r'<noscript><link rel="stylesheet" href="[^"]*no-script[^"]*\.css"></noscript>', page.decode())


def test_a_page_sent_back_with_errors_draws_relevance_from_the_answers_sent(client):
    page = client.post(FORM_URL, data=good_answers(age="12", overall="1", topics=["other"])).data
    assert "age" in errors_in(page)
    assert "hidden" not in opening_tag(page, "topics_other")
    assert "hidden" not in opening_tag(page, "why_low")
    page = client.post(FORM_URL, data=good_answers(age="12", overall="5")).data
    assert "hidden data-start-hidden" in opening_tag(page, "why_low")


def test_unknown_form_is_not_found(client):
    assert client.get("/forms/no_such_form").status_code == 404


def test_post_without_csrf_token_stores_nothing_and_keeps_answers(app_config, session):
    app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    response = app.test_client().post(FORM_URL, data=good_answers(age="44"))
    assert response.status_code == 200
    assert "expired" in response.data.decode()
    assert 'value="44"' in response.data.decode()
    assert stored(session) == []


def test_csrf_token_from_the_page_is_accepted(app_config, session):
    client = create_app({**app_config, "WTF_CSRF_ENABLED": True}).test_client()
    page = client.get(FORM_URL).data.decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post(FORM_URL, data=good_answers(csrf_token=token)).status_code == 302


def test_questionnaire_text_is_escaped(app_config, tmp_path):
    folder = tmp_path / "forms"
    folder.mkdir()
    source = (TEST_FORMS / "sample_feedback.yaml").read_text(encoding="utf-8")
    hostile = source.replace('"Your answers are anonymous."', '"<script>alert(1)</script>"')
    (folder / "sample_feedback.yaml").write_text(hostile, encoding="utf-8")
    client = create_app({**app_config, "SURVEY_FORMS_DIR": str(folder)}).test_client()
    body = client.get(FORM_URL).data.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_pages_send_security_headers(client):
    headers = client.get(FORM_URL).headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_pages_have_no_inline_scripts_or_outside_requests(client):
    body = client.get(FORM_URL).data.decode()
    assert re.findall(r"<script(?![^>]*\bsrc=)", body) == []
    assert "http://" not in body and "https://" not in body


def test_static_files_are_cached_long(client):
    response = client.get(re.search(r"/assets/[^\"]+main.js", client.get(FORM_URL).data.decode()).group(0))
    assert "max-age=31536000, immutable" in response.headers["Cache-Control"]


def test_the_inline_style_sheet_is_the_one_the_policy_allows(client, app):
    response = client.get(FORM_URL)
    styles = re.findall(r"<style>(.*?)</style>", response.data.decode(), re.DOTALL)
    assert styles == [(Path(app.static_folder) / "css/app.css").read_text()]
    digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
    assert f"style-src 'self' 'sha256-{digest}';" in response.headers["Content-Security-Policy"]


def test_sample_forms_from_the_forms_folder_render(app_config, tmp_path):
    shutil.copytree(TEST_FORMS.parent.parent.parent / "forms", tmp_path / "shipped")
    client = create_app({**app_config, "SURVEY_FORMS_DIR": str(tmp_path / "shipped")}).test_client()
    for form_id in ("capacity_building_feedback", "cultural_orientation_feedback"):
        for lang in ("fa", "en", "fa_AF", "ps"):
            assert client.get(f"/forms/{form_id}?lang={lang}").status_code == 200


def test_a_page_reused_from_the_browser_cache_stores_the_next_persons_answers(client, session):
    answers = good_answers()
    client.post(FORM_URL, data=answers)
    client.post(FORM_URL, data={**answers, "age": "55"})  # same cached page, another person
    rows = stored(session)
    assert sorted(row.answers["age"] for row in rows) == [30, 55]
    assert len({row.uuid for row in rows}) == 2


def test_the_page_preloads_every_module_its_script_imports(client):
    body = client.get(FORM_URL).data.decode()
    preloaded = re.findall(r'<link rel="modulepreload" href="([^"]+)">', body)
    entry = re.search(r'<script type="module" src="([^"]+)">', body).group(1)
    assert entry in preloaded
    for url in preloaded:
        source = client.get(url).data.decode()
        folder = url.rsplit("/", 1)[0]
        for name in re.findall(r"from '\./([\w-]+\.js)'", source):
            assert f"{folder}/{name}" in preloaded, f"{url} imports {name}, which the page does not preload"


def test_a_plain_questionnaire_loads_none_of_the_structure_modules(client):
    body = client.get(FORM_URL).data.decode()
    assert "data-extensions" not in body
    assert not any(name in body for name in ("repeats.js", "pages.js", "choice-filter.js", "scopes.js"))


@pytest.fixture
def shipped_client(app_config, tmp_path):
    """The questionnaires the product ships: a Persian and English one, and one in all four languages."""
    app = create_app({**app_config, "SURVEY_FORMS_DIR": str(TEST_FORMS.parent.parent.parent / "forms")})
    yield app.test_client()
    app.extensions["survey_engine"].dispose()


@pytest.mark.parametrize("asked", ["ps", "fa_AF"])
@pytest.mark.parametrize("accept", ["en-US,en;q=0.9", "ps-AF", ""])
def test_a_language_the_form_lacks_gives_its_default_whatever_the_phone_is_set_to(shipped_client, asked, accept):
    body = shipped_client.get(f"/forms/capacity_building_feedback?lang={asked}",
                              headers={"Accept-Language": accept}).data
    assert html_tag(body) == '<html lang="fa" dir="rtl">'
    shipped_client.set_cookie("lang", asked)  # chosen on the home page earlier: the same
    body = shipped_client.get("/forms/capacity_building_feedback", headers={"Accept-Language": accept}).data
    assert html_tag(body) == '<html lang="fa" dir="rtl">'


def add_workshop(client, code: str, languages: list[str]) -> None:
    import datetime

    from sqlmodel import Session

    from survey_app.models import Workshop

    today = datetime.date.today()
    with Session(client.application.extensions["survey_engine"]) as session:
        session.add(Workshop(code=code, title="Workshop", start_date=today, end_date=today, languages=languages,
                             form_ids=["capacity_building_feedback", "cultural_orientation_feedback"]))
        session.commit()


def test_a_questionnaire_from_a_workshop_offers_only_the_workshops_languages(shipped_client):
    add_workshop(shipped_client, "ABCD1234", ["fa", "fa_AF"])
    body = shipped_client.get("/forms/cultural_orientation_feedback?lang=fa_AF&w=ABCD1234").data.decode()
    switcher = re.search(r'<nav class="languages".*?</nav>', body, re.DOTALL).group(0)
    assert re.findall(r'href="\?([^"]+)"', switcher) == ["w=ABCD1234&amp;lang=fa", "w=ABCD1234&amp;lang=fa_AF"]


def test_the_service_worker_keeps_open_workshops_and_an_offline_page_per_language(shipped_client):
    add_workshop(shipped_client, "ABCD1234", ["fa", "fa_AF"])
    worker = shipped_client.get("/sw.js").data.decode()
    assert '"/w/ABCD1234?lang=fa_AF"' in worker and '"/w/ABCD1234?lang=ps"' not in worker
    assert '"/offline?lang=ps"' in worker
    assert "ignoreSearch" not in worker  # never another query's copy
    body = shipped_client.get("/offline?lang=ps").data.decode()
    assert html_tag(body.encode()) == '<html lang="ps" dir="rtl">'


def test_the_closing_note_is_read_after_sending_not_before(shipped_client):
    note = "از وقتی که گذاشتید تشکر. سفر تان بخیر!"
    body = shipped_client.get("/forms/cultural_orientation_feedback?lang=fa_AF").data.decode()
    form = re.search(r"<form .*?</form>", body, re.DOTALL).group(0)
    assert note not in form
    assert f'<p class="closing">{note}</p>' in re.search(r'id="saved-thanks".*?</div>', body, re.DOTALL).group(0)
    thanks = shipped_client.get("/forms/cultural_orientation_feedback/thanks?lang=fa_AF").data.decode()
    assert note in thanks


def test_the_required_mark_is_tied_to_the_last_word(client):
    body = client.get(f"{FORM_URL}?lang=en").data.decode()
    assert re.search(r'useful was it\?<span class="required" title="required">&nbsp;\*', body)


def test_english_dates_are_typed_year_first_not_in_the_phones_order(client):
    body = client.get(f"{FORM_URL}?lang=en").data.decode()
    date_input = re.search(r'<input id="f-session_date"[^>]*>', body, re.DOTALL).group(0)
    assert 'type="text"' in date_input and 'placeholder="YYYY-MM-DD"' in date_input
    assert re.search(r'value="\d{4}-\d{2}-\d{2}"', date_input)


def test_the_home_page_says_which_questionnaire_comes_in_another_language(shipped_client):
    body = shipped_client.get("/?lang=ps").data.decode()
    item = re.search(r'<a href="/forms/capacity_building_feedback\?lang=fa"[^>]*>.*?</a>', body, re.DOTALL).group(0)
    assert 'hreflang="fa"' in item and '<span class="form-title" lang="fa"' in item
    assert '<span class="form-language">' in item and "فارسی" in item
    same = re.search(r'<a href="/forms/cultural_orientation_feedback\?lang=ps"[^>]*>.*?</a>', body, re.DOTALL)
    assert "form-language" not in same.group(0)


@pytest.mark.parametrize("path", ["/?lang=fa", f"{FORM_URL}?lang=fa"])
def test_pages_describe_themselves(client, path):
    assert re.search(r'<meta name="description" content="[^"]{10,}">', client.get(path).data.decode())
