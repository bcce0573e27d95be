"""Workshop pages say where a workshop is in its life, link to its results, and write lists as readers do."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from survey_app.models import Workshop
from survey_app.organisers.workshops import phase
from survey_app.workshops import close_workshop

from .test_workshops import app_config  # noqa: F401 - fixtures
from .test_workshops import form_data
from .test_workshops import make_workshop
from .test_workshops import post
from .test_workshops import session  # noqa: F401
from .test_workshops import sign_in

TODAY = datetime.datetime.now(ZoneInfo("Asia/Tehran")).date()  # the server's day, not the test machine's
DAY = datetime.timedelta(days=1)


@pytest.mark.parametrize(("start", "end", "expected"), [
    (TODAY + DAY, TODAY + 2 * DAY, "upcoming"),
    (TODAY, TODAY, "open"),
    (TODAY - 2 * DAY, TODAY - DAY, "ended"),
])
def test_phase_follows_the_dates(app, session, start, end, expected):  # noqa: F811
    with app.test_request_context():
        owner = sign_in(app.test_client(), session, "o@example.org")
        workshop = make_workshop(session, owner, start_date=start, end_date=end)
        assert phase(workshop, TODAY) == expected
        close_workshop(session=session, workshop=workshop)
        assert phase(workshop, TODAY) == "closed"


def test_list_shows_upcoming_and_ended_workshops_as_such(client, session):  # noqa: F811
    owner = sign_in(client, session, "o@example.org")
    make_workshop(session, owner, title="Next week", start_date=TODAY + 7 * DAY, end_date=TODAY + 8 * DAY)
    make_workshop(session, owner, title="Last month", start_date=TODAY - 30 * DAY, end_date=TODAY - 29 * DAY)
    page = client.get("/organise/workshops?lang=en").data.decode()
    assert '<span class="line state upcoming">upcoming</span>' in page
    assert '<span class="line state ended">ended</span>' in page
    assert ">open<" not in page


def test_workshop_page_links_to_its_results_and_says_when_it_starts(client, session):  # noqa: F811
    owner = sign_in(client, session, "o@example.org")
    workshop = make_workshop(session, owner, start_date=TODAY + DAY, end_date=TODAY + 2 * DAY)
    page = client.get(f"/organise/workshops/{workshop.id}?lang=en").data.decode()
    assert f'href="/organise/results/sample_feedback?workshop={workshop.code}"' in page
    assert "Its link already takes answers." in page


def test_languages_are_listed_with_the_readers_comma(client, session):  # noqa: F811
    owner = sign_in(client, session, "o@example.org")
    workshop = make_workshop(session, owner, languages=["fa", "fa_AF"])
    persian = client.get(f"/organise/workshops/{workshop.id}?lang=fa").data.decode()
    english = client.get(f"/organise/workshops/{workshop.id}?lang=en").data.decode()
    assert ">فارسی</span>، <span" in persian and ">فارسی</span>, <span" not in persian
    assert ">فارسی</span>, <span" in english


@pytest.mark.parametrize("url", ["/login", "/staff", "/translate/", "/translate/sample_feedback/fa"])
def test_staff_pages_without_a_switcher_have_one_now(client, session, url):  # noqa: F811
    if url != "/login":
        sign_in(client, session, "a@example.org", role="admin")
    page = client.get(url + "?lang=fa").data.decode()
    assert 'class="languages"' in page and 'href="?lang=ps"' in page and ">پښتو</a>" in page


def test_date_fields_have_a_format_hint_not_a_placeholder(client, session):  # noqa: F811
    sign_in(client, session, "o@example.org")
    page = client.get("/organise/workshops/new?lang=en").data.decode()
    assert "placeholder=" not in page
    assert 'aria-describedby="hint-start_date"' in page and "(year-month-day)" in page


def test_title_and_place_in_other_languages_are_saved_and_shown_to_their_readers(client, session):  # noqa: F811
    sign_in(client, session, "o@example.org")
    response = post(client, "/organise/workshops/new?lang=en", data=form_data(
        title="Remittances and diaspora", title_ps="د بهرنیو پیسو لېږد", place_ps="تهران", title_fa="حواله و مهاجران"))
    assert response.status_code == 302
    (workshop,) = session.exec(select(Workshop)).all()
    session.commit()  # end the read, so that the app can write
    assert workshop.titles == {"ps": "د بهرنیو پیسو لېږد", "fa": "حواله و مهاجران"}
    assert workshop.places == {"ps": "تهران"}
    poster = client.get(f"/organise/workshops/{workshop.id}/poster?lang=ps").data.decode()
    assert '<h1 dir="auto">د بهرنیو پیسو لېږد</h1>' in poster and ">تهران</p>" in poster
    dari = client.get(f"/organise/workshops/{workshop.id}?lang=fa_AF").data.decode()
    assert '<h1 dir="auto">حواله و مهاجران</h1>' in dari  # Dari readers get the Persian title before the main one
    english = client.get(f"/organise/workshops/{workshop.id}?lang=en").data.decode()
    assert '<h1 dir="auto">Remittances and diaspora</h1>' in english and ">Tehran</dd>" in english
    participants = client.get(f"/w/{workshop.code}?lang=fa").data.decode()  # the workshop offers fa and en
    assert ">حواله و مهاجران</h1>" in participants and ">Tehran</span>" in participants


def test_editing_shows_and_keeps_the_titles_in_other_languages(client, session):  # noqa: F811
    owner = sign_in(client, session, "o@example.org")
    workshop = make_workshop(session, owner, titles={"ps": "پښتو سرلیک"})
    page = client.get(f"/organise/workshops/{workshop.id}/edit?lang=en").data.decode()
    assert 'name="title_ps"' in page and 'value="پښتو سرلیک"' in page
    assert '<details class="translated-titles" open>' in page
    response = post(client, f"/organise/workshops/{workshop.id}/edit?lang=en", data=form_data(title_ps=""))
    assert response.status_code == 302
    session.refresh(workshop)
    session.commit()
    assert workshop.titles == {}
