"""M1: a record dated year 1 or 9999, stored before such dates were refused, never breaks a results page."""

import datetime
import uuid

import pytest

from survey_app import tallies
from survey_app.forms_store import content_hash
from survey_app.i18n import format_date
from survey_app.i18n import solar_hijri_input
from survey_app.models import Submission

from .test_results import FORM
from .test_results import sign_in
from .test_results import version  # noqa: F401 (a fixture)

ODD_MOMENTS = [datetime.datetime(1, 1, 1, tzinfo=datetime.UTC),
               datetime.datetime(9999, 12, 31, 23, 59, tzinfo=datetime.UTC)]


@pytest.mark.parametrize("value", [datetime.date(1, 1, 1), datetime.date(9999, 12, 31), "0001-01-01", "9999-12-31",
                                   "not a date", "2026-02-30"])
@pytest.mark.parametrize("lang", ["fa", "fa_AF", "ps", "en"])
def test_dates_are_formatted_without_ever_raising(value, lang):
    shown = format_date(value, lang)
    assert shown and isinstance(shown, str)
    assert solar_hijri_input(value)


@pytest.mark.parametrize("lang", ["fa", "fa_AF", "ps", "en"])
def test_results_pages_show_records_dated_at_the_ends_of_the_calendar(client, session, version, lang):  # noqa: F811
    for moment in ODD_MOMENTS:
        answers = {"overall": 2, "why_low": "odd date"}
        row = {"uuid": str(uuid.uuid4()), "form_id": FORM, "form_version": version.version, "lang": "fa",
               "answers": answers, "workshop": None, "submitted_at": moment}
        session.add(Submission(**row, content_hash=content_hash(answers), source="test", started_at=moment))
        tallies.add(session=session, rows=[row], inserted={row["uuid"]})
    session.commit()
    sign_in(client, session)
    assert client.get(f"/organise/results/{FORM}?lang={lang}").status_code == 200
    assert client.get(f"/organise/results/{FORM}/answers/why_low?lang={lang}").status_code == 200
