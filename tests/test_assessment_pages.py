"""The organisers' assessment results page and its CSV: figures, language, right-to-left, roles."""

import csv
import datetime
import io
import re

import pytest

from survey_app.models import Workshop

from .assessment_helpers import FORM
from .assessment_helpers import FORMS
from .assessment_helpers import RIGHT
from .assessment_helpers import WRONG
from .assessment_helpers import record
from .assessment_helpers import send
from .test_results import sign_in

PAGE = f"/organise/results/{FORM}/assessment"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "SURVEY_FORMS_DIR": str(FORMS)}


@pytest.fixture
def owner(client, session):
    user = sign_in(client, session)
    for code in ("ABCD2345", "EFGH6789"):
        session.add(Workshop(code=code, title=f"Course {code}", start_date=datetime.date(2026, 11, 20),
                             end_date=datetime.date(2026, 11, 21), form_ids=[FORM], languages=["fa", "en"],
                             created_by=user.id))
    session.commit()
    return user


@pytest.fixture
def answers(session, owner):
    half = {**RIGHT, "q2": "b"}  # 2 of 4
    send(session,
         record(session, WRONG, phase="pre", participant="ACDE23"),
         record(session, RIGHT, phase="post", participant="ACDE23"),
         record(session, WRONG, phase="pre", participant="FGHJ34", lang="fa"),
         record(session, half, phase="post", participant="FGHJ34", lang="fa"),
         record(session, half, phase="pre", participant="KMNP46", workshop="EFGH6789"))
    session.rollback()


def test_page_shows_means_gain_and_interval(client, answers):
    page = client.get(f"{PAGE}?lang=en").data.decode()
    # before 0, 0, 50 -> 16.7%; after 100, 50 -> 75%; gains 100 and 50 -> 75, t(1) = 12.706
    assert "16.7%" in page and "75%" in page
    half = 12.706 * 35.3553 / 2 ** 0.5
    assert f"{75 - half:+.1f}"[:5] in page
    assert "(2 pairs)" in page


def test_per_question_rows_put_the_most_missed_first(client, answers):
    page = client.get(f"{PAGE}?lang=en").data.decode()
    table = page[page.index('class="assessment-questions"'):]
    order = re.findall(r'<td dir="auto">(\w+ question)</td>', table)
    assert order[0] == "Second question"  # wrong after in one of two post-tests


def test_persian_page_uses_persian_digits_and_right_to_left_charts(client, answers):
    page = client.get(f"{PAGE}?lang=fa").data.decode()
    assert '<html lang="fa" dir="rtl">' in page
    assert "۷۵٪" in page
    assert 'direction="rtl"' in page and "بهداشت" in page


def test_workshop_filter_keeps_to_that_workshop(client, answers):
    page = client.get(f"{PAGE}?lang=en&workshop=EFGH6789").data.decode()
    assert "(1 test)" in page and "(0 pairs)" in page


def test_csv_has_one_row_per_participant_with_pre_post_and_gain(client, answers):
    response = client.get(f"{PAGE}.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert list(rows[0]) == ["workshop", "participant", "language", "pre_points", "pre_maximum", "pre_percent",
                             "pre_passed", "post_points", "post_maximum", "post_percent", "post_passed", "gain"]
    by_code = {row["participant"]: row for row in rows}
    assert (by_code["ACDE23"]["pre_points"], by_code["ACDE23"]["post_points"], by_code["ACDE23"]["gain"]) == (
        "0", "4", "100.0")
    assert by_code["FGHJ34"]["post_passed"] == "no" and by_code["KMNP46"]["post_points"] == ""


def test_unknown_workshop_filter_is_not_found(client, owner):
    assert client.get(f"{PAGE}?workshop=ZZZZ9999").status_code == 404


def test_a_questionnaire_without_scores_has_no_assessment_page(client, owner):
    assert client.get("/organise/results/sample_feedback/assessment").status_code == 404


@pytest.mark.parametrize("url", [PAGE, f"{PAGE}.csv"])
def test_translators_may_not_see_scores(client, session, url):
    sign_in(client, session, role="translator")
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", [PAGE, f"{PAGE}.csv"])
def test_signed_out_visitors_are_sent_to_sign_in(client, url):
    assert client.get(url).status_code == 302


def test_results_page_links_to_learning_results(client, owner):
    assert b"Learning results (before and after)" in client.get(f"/organise/results/{FORM}?lang=en").data


def test_the_csv_download_is_in_the_audit_log(client, session, answers):
    from sqlmodel import select

    from survey_app.models import AuditEvent
    client.get(f"{PAGE}.csv?workshop=EFGH6789")
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert event.detail == {"form_id": FORM, "format": "assessment_csv", "filters": {"workshop": "EFGH6789"}}
