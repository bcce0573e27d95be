"""The data files the JavaScript tests read must agree with the Python engine."""

import datetime
import json

import jdatetime
import pytest

from survey_app.engine.definition import definition_to_dict
from survey_app.engine.loader import load_dict
from survey_app.engine.loader import load_file
from survey_app.engine.validation import InvalidValue
from survey_app.engine.validation import parse_date
from survey_app.engine.validation import validate

from .conftest import DATA
from .conftest import TEST_FORMS

VALIDATION = json.loads((DATA / "validation_vectors.json").read_text(encoding="utf-8"))
DATES = json.loads((DATA / "solar_dates.json").read_text(encoding="utf-8"))


def test_validation_vectors_use_the_current_sample_form():
    assert VALIDATION["form"] == definition_to_dict(load_file(TEST_FORMS / "sample_feedback.yaml"))


@pytest.mark.parametrize("case", VALIDATION["cases"], ids=lambda c: c["name"])
def test_server_validation_matches_the_shared_vectors(case):
    form = load_dict(VALIDATION["form"])
    outcome = validate(form, case["raw"], today=datetime.date.fromisoformat(VALIDATION["today"]))
    assert {name: error.code for name, error in outcome.errors.items()} == case["errors"]
    assert json.loads(json.dumps(outcome.answers)) == case["answers"]


@pytest.mark.parametrize("pair", DATES["pairs"], ids=lambda p: p["solar"])
def test_solar_date_vectors_agree_with_jdatetime(pair):
    year, month, day = (int(part) for part in pair["solar"].split("/"))
    assert jdatetime.date(year, month, day).togregorian().isoformat() == pair["iso"]
    assert parse_date(pair["solar"]).isoformat() == pair["iso"]


@pytest.mark.parametrize("text", DATES["invalid"])
def test_impossible_dates_are_refused_on_the_server(text):
    with pytest.raises(InvalidValue):
        parse_date(text)
