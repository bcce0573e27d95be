"""Answers to XLSForm widgets (location, OK box, scale, rank, time, metadata) are read the same on
the server as on the phone: shared vectors, also run by tests/js/xlsform-widgets.test.mjs."""

import json
from pathlib import Path

import pytest

from survey_app.engine.definition import Question
from survey_app.engine.validation import InvalidValue
from survey_app.engine.validation import typed_reader

VECTORS = json.loads((Path(__file__).parent / "data" / "widget_vectors.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("vector", VECTORS, ids=[f"{v['question']['type']}:{v['raw']}" for v in VECTORS])
def test_widget_answers_are_read_as_the_vectors_say(vector):
    spec = vector["question"]
    reader = typed_reader(Question(name="q", type=spec["type"], parameters=spec.get("parameters", {})),
                          spec.get("options", []))
    if "error" in vector:
        with pytest.raises(InvalidValue) as refused:
            reader(vector["raw"])
        assert refused.value.args[0] == vector["error"]
    else:
        assert reader(vector["raw"]) == vector["value"]
