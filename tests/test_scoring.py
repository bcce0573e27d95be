"""Scoring of knowledge checks: points, several right answers, unanswered and hidden questions."""

import pytest

from survey_app.engine.definition import definition_to_dict
from survey_app.engine.loader import DefinitionError
from survey_app.engine.loader import load_dict
from survey_app.engine.scoring import is_assessment
from survey_app.engine.scoring import passed
from survey_app.engine.scoring import score
from survey_app.engine.scoring import scored_questions
from survey_app.engine.validation import validate


def assessment(**extra):
    data = {
        "form_id": "check", "title": {"en": "Check"}, "settings": {"default_language": "en",
                                                                     "assessment": {"pass_mark": 60}},
        "objectives": {"health": {"en": "Health"}, "work": {"en": "Work"}},
        "survey": [
            {"type": "select_one abc", "name": "q1", "label": "One", "objective": "health"},
            {"type": "select_one abc", "name": "q2", "label": "Two", "objective": "work", "points": 3},
            {"type": "select_multiple docs", "name": "q3", "label": "Three", "objective": "work"},
            {"type": "select_one yes_no", "name": "more", "label": "More?"},
            {"type": "select_one graded", "name": "q4", "label": "Four", "relevant": "${more} = 'yes'"},
            {"type": "text", "name": "comment", "label": "Comment"},
        ],
        "choices": {
            "abc": [{"name": "a", "label": "A", "correct": True}, {"name": "b", "label": "B"}],
            "docs": [{"name": "passport", "label": "P", "correct": True}, {"name": "visa", "label": "V",
                                                                           "correct": True},
                     {"name": "recipe", "label": "R"}],
            "yes_no": [{"name": "yes", "label": "Yes"}, {"name": "no", "label": "No"}],
            "graded": [{"name": "best", "label": "Best", "score": 2}, {"name": "good", "label": "Good",
                                                                       "score": 1},
                       {"name": "bad", "label": "Bad"}],
        },
    }
    data.update(extra)
    return load_dict(data)


def scored(form, raw):
    outcome = validate(form, raw)
    assert outcome.ok, outcome.errors
    return score(scored_questions(form), outcome.answers, outcome.hidden)


def test_question_points_count_for_a_correct_answer():
    result = scored(assessment(), {"q1": "a", "q2": "a", "more": "no"})
    assert (result.points, result.maximum) == (4, 5)  # q4 hidden: its 2 points are out of the maximum
    assert result.questions["q2"] == [3, 3]


def test_select_multiple_is_all_or_nothing():
    form = assessment()
    assert scored(form, {"q3": ["passport", "visa"], "more": "no"}).questions["q3"] == [1, 1]
    assert scored(form, {"q3": ["passport"], "more": "no"}).questions["q3"] == [0, 1]
    assert scored(form, {"q3": ["passport", "visa", "recipe"], "more": "no"}).questions["q3"] == [0, 1]


def test_option_score_overrides_and_sets_the_maximum():
    form = assessment()
    result = scored(form, {"more": "yes", "q4": "good"})
    assert result.questions["q4"] == [1, 2]
    assert result.maximum == 7


def test_unanswered_questions_score_nothing_but_count_in_the_maximum():
    result = scored(assessment(), {})
    assert (result.points, result.maximum) == (0, 5)
    assert passed(assessment(), result) is False


def test_select_multiple_with_scores_sums_picks_and_never_goes_below_zero():
    form = assessment(choices={**definition_to_dict(assessment())["choices"], "docs": [
        {"name": "passport", "label": "P", "score": 2}, {"name": "visa", "label": "V", "score": 1},
        {"name": "recipe", "label": "R", "score": -5}]})
    assert scored(form, {"q3": ["passport", "visa"]}).questions["q3"] == [3, 3]
    assert scored(form, {"q3": ["passport", "recipe"]}).questions["q3"] == [0, 3]


def test_pass_mark_is_a_percentage():
    form = assessment()
    assert passed(form, scored(form, {"q1": "a", "q2": "a", "more": "no"})) is True  # 4 of 5


def test_assessment_keys_survive_the_stored_document():
    form = assessment()
    again = load_dict(definition_to_dict(form))
    assert again == form
    assert is_assessment(again)


def test_a_plain_questionnaire_keeps_its_document_shape():
    form = load_dict({"form_id": "f", "title": "T", "settings": {"default_language": "en"},
                      "survey": [{"type": "text", "name": "a", "label": "A"}]})
    data = definition_to_dict(form)
    assert "objectives" not in data and "assessment" not in data["settings"]
    assert not is_assessment(form)


@pytest.mark.parametrize(("change", "problem"), [
    ({"objectives": {"work": {"en": "Work"}}}, "objective 'health' is not listed"),
    ({"settings": {"default_language": "en", "assessment": {"pass_mark": 120}}}, "pass_mark"),
    ({"settings": {"default_language": "en", "assessment": {"pass": 50}}}, "unknown key 'pass'"),
    ({"settings": {"default_language": "en", "assessment": {"show_score": "maybe"}}}, "show_score"),
])
def test_loader_reports_bad_assessment_keys(change, problem):
    with pytest.raises(DefinitionError) as caught:
        assessment(**change)
    assert any(problem in text for text in caught.value.problems)


@pytest.mark.parametrize(("question", "problem"), [
    ({"type": "text", "name": "x", "label": "X", "points": 2}, "only select_one and select_multiple"),
    ({"type": "integer", "name": "x", "label": "X", "objective": "health"}, "only select_one"),
    ({"type": "select_one yes_no", "name": "x", "label": "X", "points": 2}, "no option is marked correct"),
    ({"type": "select_one abc", "name": "x", "label": "X", "points": -1}, "must not be negative"),
    ({"type": "select_one abc", "name": "x", "label": "X", "points": "lots"}, "points must be a number"),
])
def test_loader_reports_points_where_nothing_is_scored(question, problem):
    base = definition_to_dict(assessment())
    base["survey"].append(question)
    with pytest.raises(DefinitionError) as caught:
        load_dict(base)
    assert any(problem in text for text in caught.value.problems)


def test_a_score_that_is_no_number_is_reported():
    base = definition_to_dict(assessment())
    base["choices"]["abc"][1]["score"] = "high"
    with pytest.raises(DefinitionError, match="score must be a number"):
        load_dict(base)
