"""Choice filters: the filter is written the same way for both engines and offers the same options."""

import json

import pytest

from survey_app.engine.choice_filter import allowed
from survey_app.engine.choice_filter import written
from survey_app.engine.definition import Choice

from .conftest import DATA

VECTORS = json.loads((DATA / "choice_filter_vectors.json").read_text(encoding="utf-8"))
OPTIONS = [Choice(option["name"], {}, option["columns"]) for option in VECTORS["options"]]


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda case: case["filter"])
def test_filter_offers_the_options_of_the_shared_vectors(case):
    assert written(case["filter"]) == case["written"]
    offered = allowed(case["filter"], OPTIONS, case["answers"], today=VECTORS["today"])
    assert [choice.name for choice in offered] == case["allowed"]


def test_no_filter_offers_every_option():
    assert allowed(None, OPTIONS, {}) == OPTIONS


def test_words_inside_strings_and_references_are_not_columns():
    assert written("${province} = 'province' and name = \"name\"") == (
        "${province} = 'province' and ${__choice.name} = \"name\"")
