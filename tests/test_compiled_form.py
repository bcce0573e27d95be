"""Compiled questionnaires check answers exactly as the plain rule-by-rule walk does.

Every questionnaire is compiled into one Python function (``engine.compiled_form``); here its
outcome is compared, field by field and type by type, with ``validation_reference`` on many
random records: valid, wrong, empty, odd JSON types, repeated values (the typed-value memo).
"""

import datetime
import json
import random
from pathlib import Path

import pytest

from survey_app.engine.expression_parser import MAX_DEPTH
from survey_app.engine.loader import load_dict
from survey_app.engine.loader import load_file
from survey_app.engine.validation import checker
from survey_app.engine.validation import validate

from .validation_reference import reference_validate

ROOT = Path(__file__).resolve().parent.parent
TODAY = datetime.date(2026, 11, 22)

# Groups in groups with relevance, calculations that read later ones, rules that read other answers,
# notes that hide, every function, and a rule nested as deep as the language allows.
RULES = {
    "form_id": "rules",
    "title": {"en": "Rules"},
    "settings": {"default_language": "en"},
    "survey": [
        {"type": "note", "name": "hello", "label": {"en": "Hi"}, "relevant": "${consent} = 'yes'"},
        {"type": "select_one yes_no", "name": "consent", "label": {"en": "Agree?"}, "required": True},
        {"type": "group", "name": "outer", "label": {"en": "Outer"}, "relevant": "${consent} = 'yes'", "children": [
            {"type": "integer", "name": "age", "label": {"en": "Age"},
             "constraint": ". >= 15 and . <= 100 and . != ${twice} div 2 + 1000"},
            {"type": "decimal", "name": "hours", "label": {"en": "Hours"},
             "constraint": "round(. * 2, 0) div 2 = . or . > ${age}", "required": "${age} > 60"},
            {"type": "group", "name": "inner", "label": {"en": "Inner"}, "relevant": "${age} >= 18", "children": [
                {"type": "select_multiple topics", "name": "topics", "label": {"en": "Topics"},
                 "constraint": "count-selected(.) <= 2 and not(selected(., 'none') and count-selected(.) > 1)"},
                {"type": "text", "name": "other", "label": {"en": "Other"}, "relevant": "selected(${topics}, 'other')",
                 "required": True, "constraint": "string-length(.) >= 3 and regex(., '^[^0-9]')"},
                {"type": "date", "name": "when", "label": {"en": "When"}, "constraint": ". <= today()"},
            ]},
            {"type": "rating", "name": "score", "label": {"en": "Score"}, "parameters": {"max": 7},
             "relevant": "coalesce(${age}, 0) > 0 or ${later} = 'x'"},
        ]},
        {"type": "calculate", "name": "twice", "calculation": "${age} * 2"},
        {"type": "calculate", "name": "early", "calculation": "concat(${later}, '-', string(${score}))"},
        {"type": "calculate", "name": "later", "calculation": "if(${hours} > 2.5, 'long', 'short')"},
        {"type": "calculate", "name": "ratio", "calculation": "${hours} div ${age}"},
        {"type": "calculate", "name": "whole", "calculation": "int(number(${hours})) mod 3 + -${score}"},
        {"type": "text", "name": "comment", "label": {"en": "Comment"},
         "relevant": "${ratio} < 1 and " + "(" * (MAX_DEPTH - 12) + "${score} > 1" + ")" * (MAX_DEPTH - 12)},
        {"type": "integer", "name": "deep", "label": {"en": "Deep"},
         "constraint": "-" * (MAX_DEPTH - 2) + "."},
    ],
    "choices": {
        "yes_no": [{"name": "yes", "label": {"en": "Yes"}}, {"name": "no", "label": {"en": "No"}}],
        "topics": [{"name": n, "label": {"en": n}} for n in ("work", "health", "none", "other")],
    },
}

ODD = [None, "", "  ", [], {}, True, False, 0, -1, 1.5, 10**30, "NaN", "1e400", "abc", ["x"], {"a": 1}, "٣", "۱۲"]
VALUES = {
    "text": ["hello", " spaced ", "12ab", "ok!", "a" * 5001, 7],
    "integer": ["30", "۳۰", " 45 ", "15", "14", "101", "2.0", "2.5", 30, 30.0, "1,000", "-3"],
    "decimal": ["2.5", "3", "0.25", "100", 2.75, "۲٫۵", "1e2", "-0", "7.5"],
    "rating": ["1", "5", "7", "8", "0", 3, 3.0, "۴"],
    "date": ["2026-11-01", "1405/08/30", "2027-01-01", "2026-02-30", "1405-13-01", "20261101"],
    "select_one": None,  # the options, and a few that are not
    "select_multiple": None,
}


def raw_value(rng: random.Random, form, question):
    if rng.random() < 0.25:
        return rng.choice(ODD)
    options = [choice.name for choice in form.choices_for(question)]
    if question.type == "select_one":
        return rng.choice([*options, "nope", f" {options[0]} "])
    if question.type == "select_multiple":
        picked = rng.sample(options, rng.randint(0, min(3, len(options))))
        return rng.choice([picked, " ".join(picked), [*picked, "nope"], [1, *picked]])
    return rng.choice(VALUES[question.type])


def records(form, count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    inputs = [question for question, _ in form.walk() if question.is_input]
    result = []
    for _ in range(count):
        raw = {q.name: raw_value(rng, form, q) for q in inputs if rng.random() < 0.85}
        if rng.random() < 0.1:
            raw["not_a_question"] = "x"
        result.append(raw)
    return result


def same(value_a, value_b) -> bool:
    """Equal and of the same JSON types all the way down (1, 1.0 and True are told apart)."""
    return json.dumps(value_a, sort_keys=True, default=repr) == json.dumps(value_b, sort_keys=True, default=repr)


FORMS = {
    "rules": load_dict(RULES),
    "sample_feedback": load_file(ROOT / "tests" / "data" / "forms" / "sample_feedback.yaml"),
    **{path.stem: load_file(path) for path in sorted((ROOT / "forms").glob("*.yaml"))},
}


@pytest.mark.parametrize("name", sorted(FORMS))
def test_compiled_questionnaire_agrees_with_the_rule_by_rule_walk(name):
    form = FORMS[name]
    for raw in records(form, 1500, seed=len(name)) * 2:  # twice: the second round reads from the memo
        compiled = validate(form, raw, today=TODAY)
        expected = reference_validate(form, raw, today=TODAY)
        assert same(compiled.answers, expected.answers), raw
        assert list(compiled.answers) == list(expected.answers), raw  # same order too
        assert compiled.errors == expected.errors, raw
        assert compiled.unknown == expected.unknown
        assert compiled.hidden == expected.hidden, raw


def test_the_random_records_reach_every_outcome():
    """The comparison above is only worth something if the records break and meet every rule."""
    form = FORMS["rules"]
    outcomes = [reference_validate(form, raw, today=TODAY) for raw in records(form, 1500, seed=5)]
    codes = {(name, error.code) for outcome in outcomes for name, error in outcome.errors.items()}
    for expected in [("consent", "required"), ("age", "constraint"), ("age", "integer"), ("hours", "required"),
                     ("hours", "constraint"), ("topics", "constraint"), ("topics", "choice"), ("other", "required"),
                     ("other", "constraint"), ("when", "constraint"), ("when", "date"), ("score", "choice")]:
        assert expected in codes
    hidden = set().union(*(outcome.hidden for outcome in outcomes))
    assert {"hello", "outer", "inner", "other", "score", "comment"} <= hidden
    answered = set().union(*(outcome.answers for outcome in outcomes))
    assert {"twice", "early", "later", "ratio", "whole", "comment", "deep", "when", "other"} <= answered


def test_a_memorised_value_is_not_shared_between_records():
    """Typed values come back from the memo; a list must never be one of them (it could be changed)."""
    form = FORMS["rules"]
    first = validate(form, {"consent": "yes", "age": "30", "topics": "work health"}, today=TODAY)
    first.answers["topics"].append("changed")
    second = validate(form, {"consent": "yes", "age": "30", "topics": "work health"}, today=TODAY)
    assert second.answers["topics"] == ["work", "health"]
    assert second.answers["age"] == 30


def test_a_questionnaire_is_compiled_once_and_its_source_holds_no_text_of_the_form():
    form = load_dict({**RULES, "survey": [*RULES["survey"], {
        "type": "text", "name": "sneaky", "label": {"en": "x"}, "relevant": "\"'); import os #\" = 'a'"}]})
    assert checker(form) is checker(form)
    outcome = validate(form, {"sneaky": "hi"}, today=TODAY)
    assert "sneaky" in outcome.hidden  # the text is a string literal of the language, compared, nothing else
