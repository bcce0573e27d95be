"""Figures of a knowledge check in the reader's digits and signs; the CSV stays in ASCII digits."""

import csv
import datetime
import io
import re
import uuid

import pytest

from survey_app.assessments.numbers import figure
from survey_app.models import AssessmentScore

from .assessment_helpers import FORM
from .assessment_helpers import FORMS
from .test_assessment_pages import PAGE
from .test_assessment_pages import answers  # noqa: F401  (a fixture)
from .test_assessment_pages import owner  # noqa: F401  (a fixture)

LRM = "\u200e"
ASCII_DIGIT = re.compile("[0-9]")


@pytest.fixture
def app_config(app_config):
    return {**app_config, "SURVEY_FORMS_DIR": str(FORMS)}


@pytest.mark.parametrize(("lang", "share", "gain", "loss", "count"), [
    ("fa", "۱۲٫۵٪", f"{LRM}+۱۲٫۵", f"{LRM}−۳٫۲", "۳۰"),
    ("fa_AF", "۱۲٫۵٪", f"{LRM}+۱۲٫۵", f"{LRM}−۳٫۲", "۳۰"),
    ("ps", "۱۲٫۵٪", f"{LRM}+{LRM}۱۲٫۵", f"{LRM}-{LRM}۳٫۲", "۳۰"),
    ("en", "12.5%", "+12.5", "-3.2", "30"),
])
def test_figures_use_the_locale_digits_decimal_sign_and_signs(lang, share, gain, loss, count):
    assert figure(0.125, lang, "share") == share
    assert figure(12.5, lang, "gain") == gain
    assert figure(-3.24, lang, "gain") == loss
    assert figure(30, lang, "count") == count


@pytest.mark.parametrize("lang", ["fa", "ps", "en"])
def test_a_gain_that_rounds_to_nothing_has_no_sign(lang):
    assert figure(-0.04, lang, "gain") == figure(0, lang, "count")


def _facts(page: str) -> list[str]:
    """The figures' cells, without the sentence around the interval (in English where its translation is fuzzy)."""
    return [cell.replace("95%", "") for cell in re.findall(r"<dd>(.*?)</dd>", page, re.S)]


@pytest.mark.parametrize(("lang", "mean", "low", "high", "minus"), [
    ("fa", "۱۶٫۷٪", "۲۴۲٫۶", "۳۹۲٫۶", f"{LRM}−"),
    ("fa_AF", "۱۶٫۷٪", "۲۴۲٫۶", "۳۹۲٫۶", f"{LRM}−"),
    ("ps", "۱۶٫۷٪", "۲۴۲٫۶", "۳۹۲٫۶", f"{LRM}-{LRM}"),
    ("en", "16.7%", "242.6", "392.6", "-"),
])
def test_the_results_page_writes_figures_in_the_reader_s_numbers(client, answers, lang, mean, low, high,  # noqa: F811
                                                                   minus):
    page = client.get(f"{PAGE}?lang={lang}").data.decode()
    assert f"<dd>{mean} " in page
    assert f"{minus}{low}" in page and f"+{LRM if lang == 'ps' else ''}{high}" in page  # the 95% interval
    chart = re.search(r"<svg.*?</svg>", page, re.S)[0]
    shares = re.findall(r"<text [^>]*>([^<]*[٪%])</text>", chart)
    assert ("۳۳٫۳٪" if lang != "en" else "33.3%") in shares  # one decimal, as in the table under it
    if lang != "en":
        assert not any(ASCII_DIGIT.search(fact) for fact in _facts(page))
        assert not any(ASCII_DIGIT.search(share) for share in shares)
        assert re.search(r"<title>[^<]+، [^<]+: [^<]+</title>", chart)  # the Arabic comma in a bar's title


def test_the_csv_keeps_ascii_digits_whatever_the_language(client, answers):  # noqa: F811
    with client.get(f"{PAGE}.csv?lang=fa") as response:
        text = response.get_data(as_text=True)
    assert not re.search("[۰-۹٫٪]", text)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert {row["post_percent"] for row in rows} >= {"100.0", "50.0"}


@pytest.mark.parametrize(("lang", "line"), [
    ("fa", "نمرهٔ شما: ۱۲٫۵ از ۲۰"),
    ("en", "Your score: 12.5 of 20"),
])
def test_the_participant_s_own_score_is_in_their_numbers(client, session, lang, line):
    submission = str(uuid.uuid4())
    session.add(AssessmentScore(submission_uuid=submission, form_id=FORM, form_version="1", workshop="", lang=lang,
                                phase="post", participant="KMTR47", points=12.5, maximum=20, passed=True,
                                questions={}, answered_at=datetime.datetime(2026, 11, 21, tzinfo=datetime.UTC)))
    session.commit()
    page = client.get(f"/forms/{FORM}/thanks?lang={lang}&s={submission}").data.decode()
    assert f'<p class="own-score">{line}</p>' in page
    assert ('dir="rtl"' in page.split(">", 2)[1]) == (lang == "fa")
