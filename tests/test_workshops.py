"""Workshops: organisers' pages, the participants' link and QR code, tagging, and closing."""

import datetime
import re
import uuid
import xml.etree.ElementTree as ET

import pytest
import segno
from sqlmodel import Session
from sqlmodel import select

from survey_app.accounts import create_user
from survey_app.forms_store import get_version
from survey_app.models import AuditEvent
from survey_app.models import QuarantinedRecord
from survey_app.models import Submission
from survey_app.models import Workshop
from survey_app.workshops import CODE_ALPHABET
from survey_app.workshops import CODE_LENGTH
from survey_app.workshops import close_workshop
from survey_app.workshops import create_workshop
from survey_app.workshops import new_code

PASSWORD = "a long enough password"
CLOSED_AT = datetime.datetime(2026, 11, 24, 12, 0, tzinfo=datetime.UTC)
SVG = "{http://www.w3.org/2000/svg}"
LAN = "http://192.168.1.10:5000"  # a laptop on a workshop's Wi-Fi


@pytest.fixture
def app_config(app_config):
    """CSRF on, as in production (the staff form macros need the token field to exist)."""
    return {**app_config, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def session(app):
    """A session whose objects stay readable after commit, so reading them never holds SQLite's write lock."""
    with Session(app.extensions["survey_engine"], expire_on_commit=False) as session:
        yield session


def csrf_token(client, **kwargs) -> str:
    page = client.get("/login", **kwargs).data.decode()
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]


def post(client, url, data=None, **kwargs):
    """Post a form as a browser does, with the page's CSRF token."""
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client, **kwargs)}, **kwargs)


def sign_in(client, session, email, role="organiser", **kwargs):
    user = create_user(session=session, email=email, password=PASSWORD, role=role)
    assert post(client, "/login", {"email": email, "password": PASSWORD}, **kwargs).status_code == 302
    return user


def make_workshop(session, owner, **changes) -> Workshop:
    fields = {"title": "Migration and development", "place": "Shiraz", "start_date": datetime.date(2026, 11, 22),
              "end_date": datetime.date(2026, 11, 24), "form_ids": ["sample_feedback"], "languages": ["fa", "en"]}
    workshop = create_workshop(session=session, created_by=owner, **{**fields, **changes})
    session.commit()
    return workshop


def closed_workshop(session, owner) -> Workshop:
    workshop = make_workshop(session, owner)
    close_workshop(session=session, workshop=workshop, now=CLOSED_AT)
    session.commit()
    return workshop


def form_data(**changes) -> dict:
    data = {"title": "Remittances and diaspora", "place": "Tehran", "start_date": "۱۴۰۵/۰۹/۰۱",
            "end_date": "1405/09/03", "form_ids": ["sample_feedback"], "languages": ["fa", "en"]}
    data.update(changes)
    return data


def answers(workshop_code, started_at, **changes) -> dict:
    data = {"submission_uuid": str(uuid.uuid4()), "overall": "4", "age": "30", "session_date": "2026-01-05",
            "started_at": started_at, "workshop": workshop_code}
    data.update(changes)
    return data


def fresh(session, model):
    """Read a table as it is now, then end the transaction so the app can write."""
    rows = list(session.exec(select(model).execution_options(populate_existing=True)))
    session.commit()
    return rows


def qr_modules(svg: bytes) -> tuple[int, set]:
    """Read back which modules an SVG made by segno paints dark (its path draws one row per move)."""
    root = ET.fromstring(svg)  # noqa: S314 (our own server's output)
    assert root.tag == f"{SVG}svg"
    size = int(root.get("viewBox").split()[2])
    path = next(p.get("d") for p in root.iter(f"{SVG}path") if p.get("stroke"))
    dark, x, y = set(), 0.0, 0.0
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            dark.update((int(x) + i, int(y)) for i in range(int(float(a))))
            x += float(a)
    return size, dark


def segno_modules(url: str) -> set:
    matrix = segno.make(url, error="m", micro=False).matrix
    return {(col + 4, row + 4) for row, line in enumerate(matrix) for col, value in enumerate(line) if value}


def test_codes_are_long_and_free_of_look_alike_characters(app, session):
    codes = {new_code(session=session) for _ in range(50)}
    assert len(codes) == 50
    assert all(len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET) for code in codes)
    assert not set("01IOL5S") & set(CODE_ALPHABET)


def test_organiser_creates_a_workshop_with_solar_hijri_dates_in_persian(client, session):
    sign_in(client, session, "org@example.org")
    response = post(client, "/organise/workshops/new?lang=fa", data=form_data())
    assert response.status_code == 302
    workshop = fresh(session, Workshop)[0]
    assert (workshop.start_date, workshop.end_date) == (datetime.date(2026, 11, 22), datetime.date(2026, 11, 24))
    assert workshop.form_ids == ["sample_feedback"] and workshop.languages == ["fa", "en"]
    page = client.get(f"{response.headers['Location']}?lang=fa").data.decode()
    assert "۱ آذر ۱۴۰۵" in page and "۳ آذر ۱۴۰۵" in page
    assert f"http://localhost/w/{workshop.code}" in page
    assert [(e.action, e.detail["code"]) for e in fresh(session, AuditEvent) if e.action.startswith("workshop")] == [
        ("workshop_created", workshop.code)]


def test_edit_form_shows_solar_hijri_dates_in_persian_and_iso_in_english(client, session):
    owner = sign_in(client, session, "org@example.org")
    workshop = make_workshop(session, owner)
    url = f"/organise/workshops/{workshop.id}/edit"
    assert 'value="۱۴۰۵/۰۹/۰۱"' in client.get(f"{url}?lang=fa").data.decode()
    assert 'value="2026-11-22"' in client.get(f"{url}?lang=en").data.decode()


def test_editing_changes_details_but_never_the_code(client, session):
    owner = sign_in(client, session, "org@example.org")
    workshop = make_workshop(session, owner)
    response = post(client, f"/organise/workshops/{workshop.id}/edit?lang=fa",
                           data=form_data(end_date="۱۴۰۵/۰۹/۰۵", title="Return and reintegration"))
    assert response.status_code == 302
    edited = fresh(session, Workshop)[0]
    assert edited.code == workshop.code and edited.title == "Return and reintegration"
    assert edited.end_date == datetime.date(2026, 11, 26)
    audit = [e for e in fresh(session, AuditEvent) if e.action == "workshop_updated"]
    assert audit and "end_date" in audit[0].detail["changed"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"start_date": "1405/13/01"}, "start_date", "year/month/day"),
        ({"start_date": ""}, "start_date", "first day"),
        ({"end_date": "1405/08/20"}, "end_date", "cannot be before"),
        ({"title": ""}, "title", "title"),
        ({"form_ids": []}, "form_ids", "questionnaire"),
        ({"languages": []}, "languages", "language"),
    ],
)
def test_bad_input_is_refused_with_a_message_next_to_the_field(client, session, changes, field, message):
    sign_in(client, session, "org@example.org")
    response = post(client, "/organise/workshops/new?lang=en", data=form_data(**changes))
    assert response.status_code == 200
    errors = dict(re.findall(r'<p class="error" id="error-([a-z_]+)">([^<]+)</p>', response.data.decode()))
    assert message in errors[field]
    assert fresh(session, Workshop) == []


def test_qr_code_is_an_svg_of_the_absolute_workshop_link(client, session):
    owner = sign_in(client, session, "org@example.org", base_url=LAN)
    workshop = make_workshop(session, owner)
    response = client.get(f"/organise/workshops/{workshop.id}/qr.svg", base_url=LAN)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    size, dark = qr_modules(response.data)
    link = f"http://192.168.1.10:5000/w/{workshop.code}"
    assert dark == segno_modules(link)
    assert size == len(segno.make(link, error="m", micro=False).matrix) + 8


def test_poster_shows_the_qr_code_title_and_link_written_out(client, session):
    owner = sign_in(client, session, "org@example.org", base_url=LAN)
    workshop = make_workshop(session, owner, title="Cultural <orientation>")
    page = client.get(f"/organise/workshops/{workshop.id}/poster", base_url=LAN).data.decode()
    assert f'src="/organise/workshops/{workshop.id}/qr.svg"' in page
    assert f'{LAN}/w/<wbr><span class="poster-code">{workshop.code}</span>' in page
    assert "Cultural &lt;orientation&gt;" in page
    assert "localhost" not in page


def test_poster_warns_when_opened_as_localhost(client, session):
    owner = sign_in(client, session, "org@example.org", base_url="http://127.0.0.1:5000")
    workshop = make_workshop(session, owner)
    page = client.get(f"/organise/workshops/{workshop.id}/poster", base_url="http://127.0.0.1:5000").data.decode()
    assert "opened as localhost" in page


def test_workshop_page_lists_its_questionnaires_in_the_visitors_language(client, session):
    owner = create_user(session=session, email="org@example.org", password=PASSWORD, role="organiser")
    workshop = make_workshop(session, owner)
    page = client.get(f"/w/{workshop.code.lower()}?lang=fa").data.decode()
    assert '<html lang="fa" dir="rtl">' in page
    assert "بازخورد نمونه" in page
    assert f'href="/forms/sample_feedback?lang=fa&amp;w={workshop.code}"' in page


def test_workshop_page_offers_only_the_workshops_languages(client, session):
    owner = create_user(session=session, email="org@example.org", password=PASSWORD, role="organiser")
    workshop = make_workshop(session, owner, languages=["fa"])
    page = client.get(f"/w/{workshop.code}?lang=ps").data.decode()
    assert '<html lang="fa" dir="rtl">' in page
    assert 'href="?lang=ps"' not in page


def test_unknown_workshop_link_says_so(client):
    response = client.get("/w/NOSUCHCD")
    assert response.status_code == 404
    assert "There is no workshop with this link" in response.data.decode()


def test_form_reached_through_the_workshop_link_carries_its_code(client, session):
    owner = create_user(session=session, email="org@example.org", password=PASSWORD, role="organiser")
    workshop = make_workshop(session, owner)
    page = client.get(f"/forms/sample_feedback?lang=fa&w={workshop.code}").data.decode()
    assert f'data-workshop="{workshop.code}"' in page
    assert f'<input type="hidden" name="workshop" value="{workshop.code}">' in page
    assert f'href="?w={workshop.code}&amp;lang=en"' in page


def test_form_without_the_workshop_link_carries_no_code(client):
    page = client.get("/forms/sample_feedback").data.decode()
    assert "data-workshop" not in page and 'name="workshop"' not in page


def test_answers_given_through_the_workshop_link_are_tagged_without_javascript(client, session):
    owner = create_user(session=session, email="org@example.org", password=PASSWORD, role="organiser")
    workshop = make_workshop(session, owner)
    now = datetime.datetime.now(datetime.UTC).isoformat()
    response = post(client, f"/forms/sample_feedback?lang=fa&w={workshop.code}", data=answers(workshop.code, now))
    assert response.status_code == 302
    assert f"w={workshop.code}" in response.headers["Location"]
    assert [s.workshop for s in fresh(session, Submission)] == [workshop.code]
    thanks = client.get(response.headers["Location"]).data.decode()
    assert f'href="/w/{workshop.code}?lang=fa"' in thanks


def test_closed_workshop_page_says_so_in_the_participants_language(client, session):
    owner = create_user(session=session, email="org@example.org", password=PASSWORD, role="organiser")
    workshop = closed_workshop(session, owner)
    page = client.get(f"/w/{workshop.code}?lang=fa").data.decode()
    assert '<html lang="fa" dir="rtl">' in page
    assert "این کارگاه بسته شده است" in page
    assert "/forms/sample_feedback" not in page
    english = client.get(f"/w/{workshop.code}?lang=en").data.decode()
    assert "This workshop is closed" in english


def test_form_link_of_a_closed_workshop_leads_to_its_page(client, session):
    owner = create_user(session=session, email="org@example.org", password=PASSWORD, role="organiser")
    workshop = closed_workshop(session, owner)
    response = client.get(f"/forms/sample_feedback?lang=fa&w={workshop.code}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/w/{workshop.code}?lang=fa"


@pytest.mark.parametrize(
    ("started_at", "stored"),
    [("2026-11-24T11:59:00+00:00", True), ("2026-11-24T15:29:00+03:30", True),
     ("2026-11-24T12:00:00Z", False), ("2026-11-25T08:00:00Z", False)],
)
def test_web_answers_count_only_when_started_before_the_workshop_closed(client, session, started_at, stored):
    owner = create_user(session=session, email="org@example.org", password=PASSWORD, role="organiser")
    workshop = closed_workshop(session, owner)
    response = post(client, f"/forms/sample_feedback?lang=en&w={workshop.code}",
                           data=answers(workshop.code, started_at))
    assert (response.status_code == 302) is stored
    assert len(fresh(session, Submission)) == int(stored)
    if not stored:
        assert "This workshop has closed" in response.data.decode()
        kept = fresh(session, QuarantinedRecord)
        assert [(r.reasons, r.payload["workshop"]) for r in kept] == [({"workshop": "workshop_closed"}, workshop.code)]


def sync_record(session, workshop_code, started_at) -> dict:
    version = get_version(session=session, form_id="sample_feedback").version
    session.commit()  # end the read, so the app may write
    return {"uuid": str(uuid.uuid4()), "form_id": "sample_feedback", "form_version": version, "lang": "fa",
            "started_at": started_at, "submitted_at": "2026-11-27T09:00:00Z", "workshop": workshop_code,
            "answers": {"overall": 4, "age": 30}}


def test_sync_accepts_late_answers_started_before_closing_and_refuses_later_ones(client, session):
    owner = create_user(session=session, email="org@example.org", password=PASSWORD, role="organiser")
    workshop = closed_workshop(session, owner)
    records = [sync_record(session, workshop.code, "2026-11-24T09:00:00Z"),
               sync_record(session, workshop.code, "2026-11-24T13:00:00Z")]
    response = client.post("/api/v1/sync", json={"source": "phone-1", "submissions": records})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [r["status"] for r in results] == ["stored", "rejected"]
    assert results[1]["errors"] == {"workshop": "workshop_closed"}
    assert [s.workshop for s in fresh(session, Submission)] == [workshop.code]
    assert [r.reasons for r in fresh(session, QuarantinedRecord)] == [{"workshop": "workshop_closed"}]


def test_answers_of_a_workshop_held_on_another_server_keep_their_tag(client, session):
    record = sync_record(session, "LAPTOP42", "2026-11-24T09:00:00Z")
    response = client.post("/api/v1/sync", json={"source": "workshop-laptop", "submissions": [record]})
    assert [r["status"] for r in response.get_json()["results"]] == ["stored"]
    assert [s.workshop for s in fresh(session, Submission)] == ["LAPTOP42"]


def test_closing_asks_first_then_closes_and_is_audited(client, session):
    owner = sign_in(client, session, "org@example.org")
    workshop = make_workshop(session, owner)
    url = f"/organise/workshops/{workshop.id}/close"
    assert "Yes, close it" in client.get(url).data.decode()
    assert fresh(session, Workshop)[0].closed_at is None
    assert post(client, url).status_code == 302
    assert fresh(session, Workshop)[0].closed_at is not None
    assert [e.detail["code"] for e in fresh(session, AuditEvent) if e.action == "workshop_closed"] == [workshop.code]


def test_organisers_see_only_their_own_workshops_and_admins_see_all(app, session):
    first, second, admin = app.test_client(), app.test_client(), app.test_client()
    mine = make_workshop(session, sign_in(first, session, "one@example.org"), title="First organiser's")
    make_workshop(session, sign_in(second, session, "two@example.org"), title="Second organiser's")
    sign_in(admin, session, "admin@example.org", role="admin")
    assert "First organiser&#39;s" in first.get("/organise/workshops").data.decode()
    assert "First organiser&#39;s" not in second.get("/organise/workshops").data.decode()
    for path in ("", "/edit", "/poster", "/qr.svg", "/close"):
        assert second.get(f"/organise/workshops/{mine.id}{path}").status_code == 404
    assert post(second, f"/organise/workshops/{mine.id}/close").status_code == 404
    assert fresh(session, Workshop)[0].closed_at is None
    listing = admin.get("/organise/workshops").data.decode()
    assert "First organiser&#39;s" in listing and "Second organiser&#39;s" in listing


def test_workshop_post_without_csrf_token_is_refused(client, session):
    sign_in(client, session, "org@example.org")
    assert client.post("/organise/workshops/new", data=form_data()).status_code == 400
    assert fresh(session, Workshop) == []


def test_closing_without_csrf_token_is_refused(client, session):
    owner = sign_in(client, session, "org@example.org")
    workshop = make_workshop(session, owner)
    assert client.post(f"/organise/workshops/{workshop.id}/close").status_code == 400
    assert fresh(session, Workshop)[0].closed_at is None


def test_staff_start_page_offers_workshops_to_organisers(client, session):
    sign_in(client, session, "org@example.org")
    assert 'href="/organise/workshops"' in client.get("/staff").data.decode()


def test_a_closed_workshop_can_be_opened_again(client, session):
    owner = sign_in(client, session, "org@example.org")
    workshop = closed_workshop(session, owner)
    page = client.get(f"/organise/workshops/{workshop.id}").data.decode()
    assert f'action="/organise/workshops/{workshop.id}/reopen"' in page
    assert client.get(f"/organise/workshops/{workshop.id}/reopen").status_code == 405
    assert post(client, f"/organise/workshops/{workshop.id}/reopen").status_code == 302
    assert fresh(session, Workshop)[0].closed_at is None
    assert [e.detail["code"] for e in fresh(session, AuditEvent) if e.action == "workshop_reopened"] == [workshop.code]
    # Open again: new answers count, and the page offers to close it once more.
    record = sync_record(session, workshop.code, "2026-11-24T09:00:00Z")
    response = client.post("/api/v1/sync", json={"source": "phone-3", "submissions": [record]})
    assert [r["status"] for r in response.get_json()["results"]] == ["stored"]
    assert "/close" in client.get(f"/organise/workshops/{workshop.id}").data.decode()


def test_only_the_workshops_organiser_may_reopen_it(app, session):
    mine, other = app.test_client(), app.test_client()
    workshop = closed_workshop(session, sign_in(mine, session, "one@example.org"))
    sign_in(other, session, "two@example.org")
    assert post(other, f"/organise/workshops/{workshop.id}/reopen").status_code == 404
    assert fresh(session, Workshop)[0].closed_at is not None
