"""A knowledge check whose questions sit in a repeat: totals, per-question figures and CSV count every instance."""

import csv
import datetime
import io
import uuid

import pytest

from survey_app.assessments import statistics
from survey_app.assessments.pairing import pair
from survey_app.assessments.pairing import read_scores
from survey_app.assessments.summary import summary
from survey_app.forms_store import get_version
from survey_app.models import Workshop
from survey_app.submissions import apply_batch

from .assessment_helpers import FORMS
from .test_results import sign_in

FORM = "case_check"
OBJECTIVES = {"intro": "rights", "advice": "rights"}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "SURVEY_FORMS_DIR": str(FORMS.parent / "assessment_repeat_forms")}


def record(session, intro, advice, *, phase, participant):
    version = get_version(session=session, form_id=FORM).version
    return {"uuid": str(uuid.uuid4()), "form_id": FORM, "form_version": version, "lang": "en",
            "started_at": "2026-11-20T09:00:00Z", "submitted_at": "2026-11-20T09:00:00Z", "workshop": "ABCD2345",
            "answers": {"intro": intro, "cases": [{"advice": a} for a in advice]}, "phase": phase,
            "participant": participant}


@pytest.fixture
def answers(client, session):
    user = sign_in(client, session)
    session.add(Workshop(code="ABCD2345", title="Course", start_date=datetime.date(2026, 11, 20),
                         end_date=datetime.date(2026, 11, 21), form_ids=[FORM], languages=["en"],
                         created_by=user.id))
    session.commit()
    records = [record(session, "b", ["b", "b"], phase="pre", participant="ACDE23"),  # 0 of 5
               record(session, "a", ["a", "b"], phase="post", participant="ACDE23"),  # 3 of 5
               record(session, "a", ["b"], phase="pre", participant="FGHJ34"),  # 1 of 5: the second case left empty
               record(session, "a", ["a", "a"], phase="post", participant="FGHJ34")]  # 5 of 5
    apply_batch(session=session, records=records, source="phone-1")
    session.commit()


def test_totals_sum_every_instance(session, answers):
    scores = {(t.participant, t.phase): (t.points, t.maximum) for t in read_scores(session=session, form_id=FORM)}
    assert scores == {("ACDE23", "pre"): (0, 5), ("ACDE23", "post"): (3, 5), ("FGHJ34", "pre"): (1, 5),
                      ("FGHJ34", "post"): (5, 5)}


def test_per_question_figures_count_each_instance(session, answers):
    found = summary(session=session, form_id=FORM, objective_of=OBJECTIVES)[0]
    advice = next(item for item in found.questions if item.key == "advice")
    assert advice.pre == 0 and advice.post == pytest.approx(6 / 8)
    assert advice.still_wrong == pytest.approx(1 / 4)  # one case of four answered wrong after the course
    assert found.objectives[0].post == pytest.approx(8 / 10)
    expected = statistics.figures(pair(read_scores(session=session, form_id=FORM)), OBJECTIVES)
    assert found.questions == expected.questions and found.objectives == expected.objectives
    assert found.gain.mean == pytest.approx(expected.gain.mean) == pytest.approx(70)


def test_the_page_lists_the_question_inside_the_repeat(client, answers):
    page = client.get(f"/organise/results/{FORM}/assessment?lang=en").data.decode()
    table = page[page.index('class="assessment-questions"'):]
    assert "What do you advise?" in table and "25%" in table


def test_the_csv_totals_include_every_instance(client, answers):
    with client.get(f"/organise/results/{FORM}/assessment.csv") as response:
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    cells = {row["participant"]: [row[k] for k in ("pre_points", "pre_maximum", "post_points", "post_passed", "gain")]
             for row in rows}
    assert cells == {"ACDE23": ["0", "5", "3", "yes", "60.0"], "FGHJ34": ["1", "5", "5", "yes", "80.0"]}
