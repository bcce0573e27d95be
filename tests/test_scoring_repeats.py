"""Scored questions inside repeats: every instance counts, and a repeat people size themselves is refused."""

import pytest

from survey_app.engine.definition import definition_to_dict
from survey_app.engine.loader import DefinitionError
from survey_app.engine.loader import load_dict
from survey_app.engine.scoring import counts
from survey_app.engine.scoring import score
from survey_app.engine.scoring import scored_questions
from survey_app.engine.validation import validate
from survey_app.engine.xlsform import read_xlsform

from .data.make_xlsform_corpus import xlsx


def repeated(count="3", **extra) -> dict:
    """Three case stories, each asking what to advise (and, for a refugee, which paper to bring)."""
    repeat = {"type": "repeat", "name": "cases", "label": "Case", "children": [
        {"type": "select_one abc", "name": "advice", "label": "Advice", "objective": "work"},
        {"type": "select_one yes_no", "name": "refugee", "label": "Refugee?"},
        {"type": "group", "name": "papers", "label": "Papers", "relevant": "${refugee} = 'yes'", "children": [
            {"type": "select_multiple docs", "name": "paper", "label": "Paper", "objective": "work"}]},
    ]}
    if count:
        repeat["repeat_count"] = count
    data = {
        "form_id": "cases", "title": {"en": "Cases"}, "settings": {"default_language": "en"},
        "objectives": {"health": {"en": "Health"}, "work": {"en": "Work"}},
        "survey": [{"type": "select_one abc", "name": "q1", "label": "One", "objective": "health"}, repeat],
        "choices": {
            "abc": [{"name": "a", "label": "A", "correct": True}, {"name": "b", "label": "B"}],
            "docs": [{"name": "card", "label": "Card", "correct": True}, {"name": "visa", "label": "Visa"}],
            "yes_no": [{"name": "yes", "label": "Yes"}, {"name": "no", "label": "No"}],
        },
        **extra,
    }
    return data


def scored(form, raw):
    outcome = validate(form, raw)
    assert outcome.ok, outcome.errors
    return score(scored_questions(form), outcome.answers, outcome.hidden)


def test_each_instance_is_scored_and_summed():
    form = load_dict(repeated())
    result = scored(form, {"q1": "a", "cases": [
        {"advice": "a", "refugee": "yes", "paper": ["card"]},
        {"advice": "b", "refugee": "no"},
        {"advice": "a", "refugee": "yes", "paper": ["visa"]}]})
    assert result.questions["q1"] == [1, 1]
    assert result.questions["advice"] == [2, 3, 3, 2]  # points, maximum, instances, instances fully right
    assert result.questions["paper"] == [1, 2, 2, 1]  # hidden in the second instance: not in the maximum
    assert (result.points, result.maximum) == (4, 6)


def test_an_instance_left_empty_still_counts_in_the_maximum():
    form = load_dict(repeated())
    result = scored(form, {"q1": "b", "cases": [{"advice": "a", "refugee": "no"}]})  # repeat_count fills 3
    assert result.questions["advice"] == [1, 3, 3, 1]
    assert "paper" not in result.questions  # shown in no instance
    assert (result.points, result.maximum) == (1, 4)


def test_nested_repeats_score_every_inner_instance():
    data = repeated()
    data["survey"][1]["children"] = [{"type": "repeat", "name": "steps", "label": "Step", "repeat_count": "2",
                                      "children": [{"type": "select_one abc", "name": "step", "label": "S"}]}]
    del data["choices"]["docs"]
    form = load_dict(data)
    result = scored(form, {"q1": "a", "cases": [{"steps": [{"step": "a"}, {"step": "a"}]},
                                                {"steps": [{"step": "b"}]}]})
    assert result.questions["step"] == [2, 6, 6, 2]  # 3 cases of 2 steps each, those not sent left empty


@pytest.mark.parametrize(("entry", "expected"), [
    ([2, 3], (2, 3, 1, 0)), ([3, 3], (3, 3, 1, 1)), ([2, 3, 3, 2], (2, 3, 3, 2))])
def test_counts_read_both_shapes_of_a_question_entry(entry, expected):
    assert counts(entry) == expected


def test_a_scored_question_in_a_repeat_people_size_themselves_is_refused():
    with pytest.raises(DefinitionError) as caught:
        load_dict(repeated(count=None))
    problems = caught.value.problems
    assert any(p.startswith("question 'advice': is scored inside the repeat 'cases'") and "repeat_count" in p
               for p in problems)
    assert any(p.startswith("question 'paper':") for p in problems)


def test_an_open_repeat_without_scored_questions_is_still_fine():
    data = repeated(count=None)
    data["survey"][1]["children"] = [{"type": "text", "name": "note", "label": "Note"}]
    del data["choices"]["docs"]
    assert not load_dict(data).assessment and load_dict(data).form_id == "cases"


def test_an_objective_inside_a_repeat_must_be_listed():
    data = repeated(objectives={"health": {"en": "Health"}})
    with pytest.raises(DefinitionError, match="question 'advice': objective 'work' is not listed"):
        load_dict(data)


def test_the_scoring_keys_inside_a_repeat_survive_the_stored_document():
    form = load_dict(repeated())
    assert load_dict(definition_to_dict(form)) == form
    assert [q.repeats for q in scored_questions(form)] == [(), ("cases",), ("cases",)]


def _workbook(repeat_count: str | None) -> bytes:
    begin = {"type": "begin_repeat", "name": "cases", "label": "Case"}
    if repeat_count:
        begin["repeat_count"] = repeat_count
    survey = [{"type": "select_one abc", "name": "q1", "label": "One"}, begin,
              {"type": "select_one abc", "name": "advice", "label": "Advice", "points": 2},
              {"type": "end_repeat"}]
    choices = [{"list_name": "abc", "name": "a", "label": "A", "correct": "yes"},
               {"list_name": "abc", "name": "b", "label": "B"}]
    return xlsx(survey, choices, {"form_id": "cases", "default_language": "en"})


def test_an_xlsform_repeat_with_a_count_is_scored_per_instance():
    report = read_xlsform(_workbook("2"))
    assert report.ok, report.lines()
    form = load_dict(report.definition)
    result = scored(form, {"q1": "a", "cases": [{"advice": "a"}, {"advice": "b"}]})
    assert result.questions["advice"] == [2, 4, 2, 1]


def test_an_xlsform_repeat_without_a_count_is_refused_on_the_scored_row():
    report = read_xlsform(_workbook(None))
    assert not report.ok
    assert any(line.startswith("survey row 4: question 'advice': is scored inside the repeat 'cases'")
               for line in report.errors), report.lines()
