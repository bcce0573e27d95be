"""The streamed assessment CSV equals pairing every score (the reference), page after page."""

import csv
import io
import random

import pytest

from survey_app.assessments import export
from survey_app.assessments.pairing import pair
from survey_app.assessments.pairing import read_scores

from .assessment_helpers import FORM
from .assessment_helpers import FORMS
from .assessment_helpers import send
from .test_assessment_pages import owner  # noqa: F401  (a fixture)
from .test_assessment_tally import WORKSHOPS
from .test_assessment_tally import random_records

URL = f"/organise/results/{FORM}/assessment.csv"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "SURVEY_FORMS_DIR": str(FORMS)}


def reference(session, workshops=None) -> list[list[str]]:
    """The rows as the export wrote them when it paired every score in Python."""
    def plain(value):
        return str(int(value) if float(value).is_integer() else value)

    def side(taken):
        if taken is None:
            return ["", "", "", ""]
        passed = "" if taken.passed is None else ("yes" if taken.passed else "no")
        return [plain(taken.points), plain(taken.maximum),
                "" if taken.percent is None else str(round(taken.percent, 2)), passed]

    return [[one.workshop, one.participant, one.lang, *side(one.pre), *side(one.post),
             "" if one.gain is None else str(round(one.gain, 2))]
            for one in pair(read_scores(session=session, form_id=FORM, workshops=workshops))]


def downloaded(client, query="") -> list[list[str]]:
    with client.get(URL + query) as response:
        assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert response.is_streamed
        text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == list(export.COLUMNS)
    return rows[1:]


@pytest.mark.parametrize("seed", [11, 12])
def test_streamed_csv_equals_pairing_every_score(client, session, owner, monkeypatch, seed):  # noqa: F811
    monkeypatch.setattr(export, "PAGE_SIZE", 7)  # many pages, so that each page starts where the last ended
    rng = random.Random(seed)
    records = random_records(session, rng, 45)
    while records:
        size = rng.randrange(1, 15)
        send(session, *records[:size], source=f"phone-{rng.randrange(4)}")
        records = records[size:]
    session.commit()
    expected = reference(session)
    assert len(expected) > 3 * 7 and any(row[1] == "" for row in expected)  # pages, and pairs without a code
    assert any(row[3] and row[7] for row in expected) and any(not row[3] for row in expected)
    session.rollback()
    assert downloaded(client) == expected
    session.rollback()
    assert downloaded(client, f"?workshop={WORKSHOPS[0]}") == reference(session, [WORKSHOPS[0]])


def test_an_empty_knowledge_check_downloads_its_header_only(client, owner):  # noqa: F811
    assert downloaded(client) == []


def test_cells_that_a_spreadsheet_would_run_are_defused():
    row = ("=cmd", "KMTR47", "", "-lang", 1.0, 4.0, 0, 2.5, 4.0, 1)
    cells = export.csv_row(row)
    assert cells[0] == "'=cmd" and cells[2] == "'-lang"
    assert cells[3:] == [1, 4, 25.0, "no", 2.5, 4, 62.5, "yes", 37.5]
