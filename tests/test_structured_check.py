"""Questionnaires with repeats and choice filters: answers checked per instance, in the instance's scope.

The rule-by-rule reading (``engine.structured_check``) is held to the compiled checker on flat
questionnaires, and each instance of a repeat to the plain walk of the same questions.
"""

import datetime
from pathlib import Path

import pytest

from survey_app.engine.compiled_form import compile_form
from survey_app.engine.definition import definition_to_dict
from survey_app.engine.expressions import evaluate
from survey_app.engine.loader import DefinitionError
from survey_app.engine.loader import load_dict
from survey_app.engine.loader import load_file
from survey_app.engine.scopes import RepeatIndex
from survey_app.engine.scopes import Scope
from survey_app.engine.structured_check import compile_structured
from survey_app.engine.validation import FieldError
from survey_app.engine.validation import InvalidValue
from survey_app.engine.validation import Outcome
from survey_app.engine.validation import typed_reader
from survey_app.engine.validation import validate

from .test_compiled_form import FORMS
from .test_compiled_form import RULES
from .test_compiled_form import TODAY
from .test_compiled_form import records
from .test_compiled_form import same
from .validation_reference import reference_validate

HOUSEHOLD = load_file(Path(__file__).parent / "data" / "structure_forms" / "household_visit.yaml")


def structured(form):
    readers = {q.name: typed_reader(q, [c.name for c in form.choices_for(q)]) for q, _ in form.walk_all() if q.is_input}
    return compile_structured(form, readers=readers, field_error=FieldError, invalid_value=InvalidValue,
                              outcome=Outcome)


@pytest.mark.parametrize("name", sorted(FORMS))
def test_rule_by_rule_reading_agrees_with_the_compiled_checker_on_flat_questionnaires(name):
    form = FORMS[name]
    readers = {q.name: typed_reader(q, [c.name for c in form.choices_for(q)]) for q, _ in form.walk() if q.is_input}
    compiled = compile_form(form, readers=readers, field_error=FieldError, invalid_value=InvalidValue,
                            outcome=Outcome)
    check = structured(form)
    for raw in records(form, 800, seed=len(name) + 1):
        expected, got = compiled(raw, TODAY.isoformat()), check(raw, TODAY.isoformat())
        assert same(got.answers, expected.answers), raw
        assert list(got.answers) == list(expected.answers), raw
        assert got.errors == expected.errors, raw
        assert got.unknown == expected.unknown
        assert got.hidden == expected.hidden, raw


def test_each_instance_is_checked_like_the_flat_questionnaire_of_its_questions():
    flat = FORMS["rules"]
    repeated = load_dict({**RULES, "form_id": "repeated", "survey": [
        {"type": "repeat", "name": "visit", "label": {"en": "Visit"}, "children": RULES["survey"]}]})
    rows = records(flat, 600, seed=11)
    batches = [rows[start:start + 3] for start in range(0, len(rows), 3)]
    for batch in batches:
        outcome = validate(repeated, {"visit": batch}, today=TODAY)
        assert len(outcome.answers["visit"]) == len(batch)
        for number, raw in enumerate(batch):
            expected = reference_validate(flat, raw, today=TODAY)
            prefix = f"visit/{number}/"
            assert same(outcome.answers["visit"][number], expected.answers), raw
            assert {k[len(prefix):]: v for k, v in outcome.errors.items() if k.startswith(prefix)} == expected.errors
            assert {k[len(prefix):] for k in outcome.hidden if k.startswith(prefix)} == expected.hidden
            assert sorted(k[len(prefix):] for k in outcome.unknown if k.startswith(prefix)) == expected.unknown


def household(**changes) -> dict:
    raw = {"province": "kerman", "county": "bam", "village": "v_bam2", "children_count": "1",
           "child": [{"child_name": "Sara", "child_age": "7", "in_school": "yes"}],
           "member": [{"member_name": "Ali", "job": "farm", "income": "1200", "phone": [{"phone_number": "0912345"}]}]}
    raw.update(changes)
    return raw


def test_repeat_answers_are_stored_as_a_list_of_instances():
    outcome = validate(HOUSEHOLD, household(), today=TODAY)
    assert outcome.ok, outcome.errors
    assert outcome.answers["child"] == [{"child_name": "Sara", "child_age": 7, "in_school": "yes"}]
    assert outcome.answers["member"][0]["phone"] == [{"phone_number": "0912345"}]


def test_rules_inside_an_instance_read_that_instance():
    outcome = validate(HOUSEHOLD, household(children_count="2", child=[
        {"child_name": "Sara", "child_age": "4", "in_school": "yes"},
        {"child_name": "", "child_age": "19", "in_school": "no"}]), today=TODAY)
    assert outcome.errors == {"child/1/child_name": FieldError("required"),
                              "child/1/child_age": FieldError("constraint")}
    assert "child/0/in_school" in outcome.hidden  # 4 years old: not asked, not stored
    assert "in_school" not in outcome.answers["child"][0]
    assert outcome.answers["child"][1]["in_school"] == "no"


def test_repeat_count_fixes_the_number_of_instances():
    outcome = validate(HOUSEHOLD, household(children_count="2"), today=TODAY)
    assert len(outcome.answers["child"]) == 2
    assert outcome.errors == {"child/1/child_name": FieldError("required")}
    fewer = validate(HOUSEHOLD, household(children_count="0"), today=TODAY)
    assert "child" not in fewer.answers and fewer.ok


def test_nested_repeat_inside_a_group_inside_a_repeat_is_checked_per_instance():
    member = {"member_name": "Ali", "job": "none", "income": "5",
              "phone": [{"phone_number": "12"}, {"phone_number": "1234"}]}
    outcome = validate(HOUSEHOLD, household(member=[member]), today=TODAY)
    assert outcome.errors == {"member/0/phone/0/phone_number": FieldError("constraint")}
    assert "member/0/income" in outcome.hidden


def test_a_repeat_answer_that_is_not_a_list_of_instances_is_refused():
    outcome = validate(HOUSEHOLD, household(member="Ali"), today=TODAY)
    assert outcome.errors == {"member": FieldError("text")}


def test_outside_an_instance_a_question_in_it_is_the_list_of_its_values():
    index = RepeatIndex(HOUSEHOLD)
    answers = {"child": [{"child_name": "A", "child_age": 3}, {"child_name": "B"}],
               "member": [{"phone": [{"phone_number": "1"}, {"phone_number": "2"}]},
                          {"phone": [{"phone_number": "3"}]}]}
    top = Scope(index, answers)
    assert list(top["child_name"]) == ["A", "B"]
    assert list(top["child_age"]) == [3, None]
    assert list(top["phone_number"]) == ["1", "2", "3"]
    assert len(top["child"]) == 2
    first_member = top.inside("member", answers["member"][0], 1)
    assert list(first_member["phone_number"]) == ["1", "2"]
    assert first_member.position == 1
    phone = first_member.inside("phone", answers["member"][0]["phone"][1], 2)
    assert phone["phone_number"] == "2" and list(phone["child_name"]) == ["A", "B"] and phone.position == 2
    assert list(phone.every("phone_number")) == ["1", "2", "3"]  # what indexed-repeat picks from
    assert evaluate("${child_name} != ''", top) is True


def test_a_choice_the_filter_does_not_allow_is_refused():
    assert validate(HOUSEHOLD, household(county="meybod"), today=TODAY).errors == {
        "county": FieldError("choice"), "village": FieldError("choice")}
    assert validate(HOUSEHOLD, household(village="v_raf1"), today=TODAY).errors == {"village": FieldError("choice")}


def test_or_other_adds_an_other_option_and_a_question_asked_when_it_is_picked():
    names = [q.name for q, _ in HOUSEHOLD.walk_all()]
    assert names[names.index("job") + 1] == "job_other"
    assert [c.name for c in HOUSEHOLD.choices["jobs_or_other"]] == ["farm", "none", "other"]
    assert [c.name for c in HOUSEHOLD.choices["jobs"]] == ["farm", "none"]
    assert HOUSEHOLD.choices["jobs_or_other"][-1].label == {"en": "Other", "fa": "سایر"}
    assert HOUSEHOLD.question("job_other").label == {"en": "Specify other.", "fa": "لطفاً مشخص کنید."}
    picked = validate(HOUSEHOLD, household(member=[{"member_name": "A", "job": "other", "job_other": "Driver"}]),
                      today=TODAY)
    assert picked.answers["member"][0]["job_other"] == "Driver"
    not_picked = validate(HOUSEHOLD, household(member=[{"member_name": "A", "job": "farm", "job_other": "x"}]),
                          today=TODAY)
    assert "job_other" not in not_picked.answers["member"][0]


def test_the_definition_keeps_its_structure_when_written_back():
    again = load_dict(definition_to_dict(HOUSEHOLD))
    assert definition_to_dict(again) == definition_to_dict(HOUSEHOLD)
    assert again.style == "pages"
    assert again.question("child").repeat_count == "${children_count}"
    assert again.choices["villages"][0].data == {"province": "kerman", "county": "bam"}


@pytest.mark.parametrize(("change", "problem"), [
    ({"choice_filter": "region=${province}"}, "the list 'counties' has no column 'region'"),
    ({"choice_filter": "province=${nowhere}"}, "refers to ${nowhere}, which is no question"),
    ({"repeat_count": "2"}, "only a repeat takes a repeat_count"),
    ({"name": "__county"}, "names starting with '__' are kept for choice filters"),
])
def test_structure_mistakes_are_reported_when_loading(change, problem):
    data = definition_to_dict(HOUSEHOLD)
    county = data["survey"][0]["children"][1]
    county.update(change)
    with pytest.raises(DefinitionError) as caught:
        load_dict(data)
    assert any(problem in line for line in caught.value.problems), caught.value.problems


def test_a_style_that_is_not_known_is_reported():
    data = definition_to_dict(HOUSEHOLD)
    data["settings"]["style"] = "theme-grid"
    with pytest.raises(DefinitionError, match="settings.style"):
        load_dict(data)


def test_today_reaches_rules_inside_instances():
    form = load_dict({"form_id": "d", "title": "d", "settings": {"default_language": "en"}, "survey": [
        {"type": "repeat", "name": "r", "children": [
            {"type": "date", "name": "when", "constraint": ". <= today()"}]}]})
    outcome = validate(form, {"r": [{"when": "2026-11-23"}, {"when": "2026-11-22"}]}, today=datetime.date(2026, 11, 22))
    assert outcome.errors == {"r/0/when": FieldError("constraint")}


def test_a_nested_repeat_count_reads_its_own_instance():
    form = load_dict({"form_id": "n", "title": "n", "settings": {"default_language": "en"}, "survey": [
        {"type": "repeat", "name": "member", "children": [
            {"type": "integer", "name": "phones"},
            {"type": "repeat", "name": "phone", "repeat_count": "${phones}", "children": [
                {"type": "text", "name": "number", "required": True},
                {"type": "calculate", "name": "owner_phones", "calculation": "${phones}"}]}]}]})
    outcome = validate(form, {"member": [{"phones": "2", "phone": [{"number": "1"}]},
                                         {"phones": "0", "phone": [{"number": "9"}]}]}, today=TODAY)
    assert [len(member.get("phone", [])) for member in outcome.answers["member"]] == [2, 0]
    assert outcome.answers["member"][0]["phone"][0] == {"number": "1", "owner_phones": 2}
    assert outcome.errors == {"member/0/phone/1/number": FieldError("required")}


def test_functions_of_several_values_read_the_scope_of_each_instance():
    form = load_dict({"form_id": "f", "title": "f", "settings": {"default_language": "en"}, "survey": [
        {"type": "repeat", "name": "child", "children": [
            {"type": "text", "name": "cname"},
            {"type": "integer", "name": "age"},
            {"type": "calculate", "name": "place", "calculation": "position(..)"},
            {"type": "calculate", "name": "eldest_first", "calculation": "indexed-repeat(${cname}, ${child}, 1)"}]},
        {"type": "calculate", "name": "total", "calculation": "sum(${age})"},
        {"type": "calculate", "name": "children", "calculation": "count(${child})"},
        {"type": "text", "name": "big_family", "relevant": "count(${child}) > 2"}]})
    outcome = validate(form, {"child": [{"cname": "A", "age": "3"}, {"cname": "B", "age": "5"}], "big_family": "x"},
                       today=TODAY)
    assert [(c["place"], c["eldest_first"]) for c in outcome.answers["child"]] == [(1, "A"), (2, "A")]
    assert (outcome.answers["total"], outcome.answers["children"]) == (8, 2)
    assert "big_family" in outcome.hidden


def test_a_month_and_year_typed_in_an_instance_is_checked_against_the_whole_pattern():
    """A household survey's construct: a group inside a repeat inside a relevant group, a required text asked
    when a sibling is 'no' and a choice outside the repeat is not '5', with a regex on its own value."""
    form = load_dict({"form_id": "m", "title": "m", "settings": {"default_language": "en"}, "survey": [
        {"type": "select_one kinds", "name": "kind"},
        {"type": "group", "name": "part", "relevant": "${kind} != '5'", "children": [
            {"type": "repeat", "name": "person", "children": [
                {"type": "group", "name": "start", "children": [
                    {"type": "select_one yesno", "name": "known", "required": "true()"},
                    {"type": "text", "name": "since", "required": "true()",
                     "relevant": "${known} = '0' and ${kind} != '5'",
                     "constraint": "regex(., '^[0-9]{2}[/][0-9]{4}$')"}]}]}]}],
        "choices": {"yesno": [{"name": "1", "label": "Yes"}, {"name": "0", "label": "No"}],
                    "kinds": [{"name": "1", "label": "One"}, {"name": "5", "label": "Five"}]}})
    outcome = validate(form, {"kind": "1", "person": [{"known": "0", "since": "01/2025"},
                                                      {"known": "0", "since": "2025-01-15"},
                                                      {"known": "1", "since": "x"}, {"known": "0"}]}, today=TODAY)
    assert outcome.errors == {"person/1/since": FieldError("constraint"), "person/3/since": FieldError("required")}
    assert outcome.answers["person"][0] == {"known": "0", "since": "01/2025"}
    assert "person/2/since" in outcome.hidden
