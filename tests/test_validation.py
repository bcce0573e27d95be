"""Server-side checking of answers against the sample questionnaire, and the shared text helpers."""

import datetime
import json
import math
from pathlib import Path

import pytest

from survey_app.engine.loader import load_dict
from survey_app.engine.loader import load_file
from survey_app.engine.texts import is_rtl
from survey_app.engine.texts import resolve
from survey_app.engine.texts import to_ascii_digits
from survey_app.engine.validation import Outcome
from survey_app.engine.validation import validate

FORM = load_file(Path(__file__).parent / "data" / "forms" / "sample_feedback.yaml")
TODAY = datetime.date(2027, 1, 15)
KNOWN_CODES = {"required", "integer", "decimal", "choice", "date", "text", "too_long", "constraint"}


def check(answers: dict, *, today: datetime.date = TODAY) -> Outcome:
    """Validate the given answers on top of a valid overall rating of 4."""
    return validate(FORM, {"overall": "4", **answers}, today=today)


def codes(outcome: Outcome) -> dict[str, str]:
    return {name: error.code for name, error in outcome.errors.items()}


@pytest.mark.parametrize("raw", [{}, {"overall": ""}, {"overall": "   "}, {"overall": None}, {"overall": []}],
                         ids=["absent", "empty", "blank", "none", "empty_list"])
def test_missing_required_answer_is_reported(raw):
    assert codes(validate(FORM, raw, today=TODAY)) == {"overall": "required"}


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("age", "۲۲", 22),
    ("age", "٢٢", 22),
    ("age", " 22 ", 22),
    ("hours", "۱٫۵", 1.5),
    ("hours", "١٫٥", 1.5),
    ("hours", "1.5", 1.5),
], ids=["persian_integer", "arabic_indic_integer", "padded_integer", "persian_decimal", "arabic_indic_decimal",
        "ascii_decimal"])
def test_native_digits_are_read_as_numbers(name, value, expected):
    outcome = check({name: value})
    assert outcome.ok, codes(outcome)
    assert outcome.answers[name] == expected


@pytest.mark.parametrize(("name", "value", "code"), [
    ("age", "12a", "integer"),
    ("age", "1.5", "integer"),
    ("age", "۱٫۵", "integer"),
    ("age", "twenty", "integer"),
    ("hours", "1.5h", "decimal"),
])
def test_malformed_number_gives_its_type_code(name, value, code):
    assert codes(check({name: value})) == {name: code}


def test_constraint_failure_gives_the_forms_own_message():
    error = check({"age": "10"}).errors["age"]
    assert error.code == "constraint"
    assert error.message == {"en": "Age must be between 15 and 100.", "fa": "سن باید بین ۱۵ تا ۱۰۰ باشد."}


def test_hidden_question_answer_is_not_kept():
    outcome = check({"overall": "4", "why_low": "Too short"})
    assert outcome.ok
    assert "why_low" not in outcome.answers


def test_shown_question_answer_is_kept():
    outcome = check({"overall": "2", "why_low": "Too short"})
    assert outcome.answers["why_low"] == "Too short"


def test_hidden_required_question_is_not_required():
    outcome = check({"topics": "work"})
    assert outcome.ok, codes(outcome)
    assert "topics_other" not in outcome.answers


def test_hidden_question_with_a_malformed_answer_is_not_an_error():
    outcome = check({"overall": "5", "why_low": ["not", "text"]})
    assert outcome.ok, codes(outcome)


def test_relevant_required_question_is_required():
    assert codes(check({"topics": "other"})) == {"topics_other": "required"}


@pytest.mark.parametrize("value", [["health", "housing"], "health housing", "  health   housing ",
                                   ["housing", "health", "health"]],
                         ids=["list", "spaced_string", "padded_string", "repeated"])
def test_select_multiple_is_normalised_to_choice_order(value):
    outcome = check({"topics": value})
    assert outcome.ok, codes(outcome)
    assert outcome.answers["topics"] == ["housing", "health"]


@pytest.mark.parametrize(("name", "value"), [
    ("clear", "6"),
    ("clear", "Agree"),
    ("topics", "work gardening"),
    ("topics", ["work", "gardening"]),
    ("topics", ["work", 7]),
])
def test_unknown_option_gives_choice(name, value):
    assert codes(check({name: value})) == {name: "choice"}


@pytest.mark.parametrize("value", ["0", "6", "-1", 6, 0, "۶"])
def test_rating_outside_one_to_max_gives_choice(value):
    assert codes(validate(FORM, {"overall": value}, today=TODAY)) == {"overall": "choice"}


@pytest.mark.parametrize("value", ["1", "5", "۵", 3])
def test_rating_inside_one_to_max_is_accepted(value):
    outcome = validate(FORM, {"overall": value}, today=TODAY)
    assert outcome.ok
    assert outcome.answers["overall"] == int(to_ascii_digits(str(value)))


@pytest.mark.parametrize("value", ["1405/09/01", "۱۴۰۵/۰۹/۰۱", "١٤٠٥/٠٩/٠١", "1405-09-01", "2026-11-22",
                                   " 2026/11/22 "])
def test_date_is_stored_as_iso_gregorian(value):
    outcome = check({"session_date": value})
    assert outcome.ok, codes(outcome)
    assert outcome.answers["session_date"] == "2026-11-22"


@pytest.mark.parametrize("value", ["1405/13/01", "1404/12/31", "2026-02-30", "yesterday", "1405/09", "22/11/2026",
                                   "2026-11-22T10:00"])
def test_impossible_date_gives_date(value):
    assert codes(check({"session_date": value})) == {"session_date": "date"}


def test_future_date_breaks_today_constraint():
    outcome = check({"session_date": "2026-11-22"}, today=datetime.date(2026, 11, 21))
    assert outcome.errors["session_date"].code == "constraint"
    assert outcome.errors["session_date"].message["en"] == "The date cannot be in the future."


def test_date_of_today_meets_today_constraint():
    assert check({"session_date": "1405/09/01"}, today=datetime.date(2026, 11, 22)).ok


@pytest.mark.parametrize(("overall", "low_score"), [("1", 1), ("2", 1), ("3", 0), ("5", 0)])
def test_calculation_is_computed(overall, low_score):
    assert check({"overall": overall}).answers["low_score"] == low_score


def test_submitted_calculation_value_is_replaced_by_the_computed_one():
    assert check({"overall": "5", "low_score": "1"}).answers["low_score"] == 0


def test_unknown_answer_keys_are_listed_and_not_kept():
    outcome = check({"colour": "red", "csrf_token": "abc"})
    assert outcome.unknown == ["colour", "csrf_token"]
    assert "colour" not in outcome.answers
    assert "csrf_token" not in outcome.answers


@pytest.mark.parametrize(("length", "expected"), [(5000, {}), (5001, {"why_low": "too_long"})])
def test_text_longer_than_5000_characters_gives_too_long(length, expected):
    assert codes(check({"overall": "1", "why_low": "x" * length})) == expected


@pytest.mark.parametrize(("answers", "name", "expected"), [
    ({"age": 22}, "age", 22),
    ({"age": 22.0}, "age", 22),
    ({"hours": 1.5}, "hours", 1.5),
    ({"hours": 2}, "hours", 2),
    ({"overall": 4}, "overall", 4),
    ({"clear": 4}, "clear", "4"),
    ({"topics": ["work"]}, "topics", ["work"]),
    ({"overall": 1, "why_low": 42}, "why_low", "42"),
], ids=["int_integer", "whole_float_integer", "float_decimal", "int_decimal", "int_rating", "int_select_one",
        "list_select_multiple", "int_text"])
def test_json_typed_value_is_accepted(answers, name, expected):
    outcome = check(answers)
    assert outcome.ok, codes(outcome)
    assert outcome.answers[name] == expected


@pytest.mark.parametrize(("name", "value", "code"), [
    ("age", True, "integer"),
    ("age", False, "integer"),
    ("age", 22.5, "integer"),
    ("hours", True, "decimal"),
    ("overall", True, "integer"),
    ("topics", {"work": True}, "choice"),
    ("topics", 3, "choice"),
    ("overall", [4], "integer"),
])
def test_json_typed_value_of_wrong_type_gives_error(name, value, code):
    assert codes(check({name: value})).get(name) == code


INPUT_NAMES = [q.name for q in FORM.questions() if q.is_input]
WEIRD_VALUES = [
    pytest.param({"a": 1}, id="dict"),
    pytest.param([["work"], ["health"]], id="nested_list"),
    pytest.param([None, {"x": []}], id="list_of_none_and_dict"),
    pytest.param(None, id="none"),
    pytest.param(math.inf, id="inf"),
    pytest.param(-math.inf, id="minus_inf"),
    pytest.param(math.nan, id="nan"),
    pytest.param("nan", id="nan_string"),
    pytest.param("1e999", id="huge_float_string"),
    pytest.param("\x00", id="nul"),
    pytest.param("x" * 100_000, id="very_long_string"),
    pytest.param(-(2**63), id="big_negative_int"),
    pytest.param(10**400, id="int_beyond_float"),
    pytest.param("99999999999999999999-01-01", id="date_year_beyond_c_int"),
]


@pytest.mark.parametrize("value", WEIRD_VALUES)
def test_weird_value_never_raises(value):
    for name in INPUT_NAMES:
        outcome = check({name: value})
        assert set(codes(outcome).values()) <= KNOWN_CODES
        json.dumps(outcome.answers, allow_nan=False)


def test_weird_answer_keys_never_raise():
    outcome = check({"": "x", "a" * 10_000: "y", "low_score": {"x": 1}})
    assert outcome.ok, codes(outcome)
    assert outcome.unknown == ["", "a" * 10_000]


RESOLVE_CASES = {
    "exact_language": ({"fa_AF": "A", "fa": "B", "en": "C"}, "fa_AF", ("A", "fa_AF")),
    "base_language": ({"fa": "B", "en": "C"}, "fa_AF", ("B", "fa")),
    "default_language": ({"en": "C", "ps": "D"}, "fa", ("C", "en")),
    "any_language": ({"ps": "D"}, "fa", ("D", "ps")),
    "empty_text_skipped": ({"fa": "", "en": "C"}, "fa", ("C", "en")),
    "no_text": ({}, "fa", ("", "fa")),
    "none": (None, "fa", ("", "fa")),
}


@pytest.mark.parametrize(("text", "lang", "expected"), RESOLVE_CASES.values(), ids=RESOLVE_CASES.keys())
def test_resolve_falls_back_and_reports_the_language_found(text, lang, expected):
    found = resolve(text, lang, "en")
    assert (found.text, found.lang) == expected


@pytest.mark.parametrize(("text", "direction"), [({"en": "Hello"}, "ltr"), ({"fa": "سلام"}, "rtl")])
def test_resolved_text_direction_follows_the_language_found(text, direction):
    assert resolve(text, "fa", "en").dir == direction


@pytest.mark.parametrize(("code", "expected"), [
    ("fa", True), ("fa_AF", True), ("fa-AF", True), ("fa-af", True), ("ps", True), ("ar", True),
    ("en", False), ("de", False), ("en_US", False),
])
def test_is_rtl(code, expected):
    assert is_rtl(code) is expected


@pytest.mark.parametrize(("value", "expected"), [
    ("۰۱۲۳۴۵۶۷۸۹", "0123456789"),
    ("٠١٢٣٤٥٦٧٨٩", "0123456789"),
    ("۱٫۵", "1.5"),
    ("۱٬۰۰۰", "1,000"),
    ("۱۴۰۵/۰۹/۰۱", "1405/09/01"),
    ("age ۲۲", "age 22"),
    ("plain 42", "plain 42"),
])
def test_to_ascii_digits(value, expected):
    assert to_ascii_digits(value) == expected


def test_a_read_only_answer_is_its_default_whatever_a_phone_sends():
    form = load_dict({"form_id": "ro", "title": {"en": "RO"},
                      "settings": {"default_language": "en", "languages": ["en"]},
                      "survey": [{"type": "text", "name": "course", "label": {"en": "Course"}, "read_only": "yes",
                                  "default": "Orientation"},
                                 {"type": "integer", "name": "days", "label": {"en": "Days"}}],
                      "choices": {}})
    assert validate(form, {"days": "3"}).answers == {"course": "Orientation", "days": 3}
    assert validate(form, {"course": "Something else"}).answers == {"course": "Orientation"}
