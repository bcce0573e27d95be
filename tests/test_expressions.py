"""Expression engine: shared vectors (also run against the JS engine) plus Python-only checks."""

import json
import math
import re
from datetime import date
from pathlib import Path

import pytest

from survey_app.engine.definition import definition_to_dict
from survey_app.engine.expression_functions import BROWSER_CORE
from survey_app.engine.expression_functions import FUNCTIONS
from survey_app.engine.expression_parser import MAX_LENGTH
from survey_app.engine.expressions import MAX_DEPTH
from survey_app.engine.expressions import Context
from survey_app.engine.expressions import ExpressionError
from survey_app.engine.expressions import Nodeset
from survey_app.engine.expressions import browser_modules
from survey_app.engine.expressions import evaluate
from survey_app.engine.expressions import evaluate_bool
from survey_app.engine.expressions import parse
from survey_app.engine.expressions import references
from survey_app.engine.loader import DefinitionError
from survey_app.engine.loader import load_dict

VECTORS = json.loads((Path(__file__).parent / "data" / "expression_vectors.json").read_text("utf-8"))
CASES = VECTORS["cases"]


def _kwargs(case: dict) -> dict:
    context = Context(today=case.get("today", VECTORS["today"]), now=case.get("now", ""),
                      position=case.get("position", 1), attachments=case.get("attachments", {}),
                      choice_labels=case.get("choice_labels", {}), instances=case.get("instances", {}))
    return {"current": case.get("current"), "context": context}


def _answers(case: dict) -> dict:
    """Answers of a case, {"nodeset": [...]} standing for the values of a question inside a repeat."""
    return {name: Nodeset(value["nodeset"]) if isinstance(value, dict) and "nodeset" in value else value
            for name, value in case.get("answers", {}).items()}


def _assert_value(actual, expected) -> None:
    if isinstance(expected, dict) and "nodeset" in expected:  # a lookup's values
        assert isinstance(actual, Nodeset) and list(actual) == expected["nodeset"], actual
    elif isinstance(expected, bool) or expected is None:
        assert actual is expected
    elif isinstance(expected, (int, float)):
        assert isinstance(actual, (int, float)) and not isinstance(actual, bool), actual
        assert math.isclose(actual, expected, rel_tol=0, abs_tol=1e-9), actual
    else:
        assert type(actual) is type(expected) and actual == expected


@pytest.mark.parametrize("case", CASES, ids=[c["expr"][:80] for c in CASES])
def test_vector(case):
    expr = case["expr"]
    if case.get("error"):
        with pytest.raises(ExpressionError) as info:
            parse(expr)
        if "position" in case:
            assert info.value.position == case["position"], str(info.value)
        return
    if "references" in case:
        assert sorted(references(expr)) == case["references"]
    answers = _answers(case)
    if case.get("nan"):
        result = evaluate(expr, answers, **_kwargs(case))
        assert isinstance(result, float) and math.isnan(result), result
    elif "infinite" in case:
        assert evaluate(expr, answers, **_kwargs(case)) == case["infinite"] * math.inf
    elif "expected" in case:
        _assert_value(evaluate(expr, answers, **_kwargs(case)), case["expected"])
    if "bool" in case:
        assert evaluate_bool(expr, answers, **_kwargs(case)) is case["bool"]


def test_vectors_are_plentiful():
    assert len(CASES) >= 500
    assert sum(1 for c in CASES if c.get("error")) >= 40


def test_the_function_table_is_the_one_the_vectors_list():
    """The JavaScript tests check their table against the same list."""
    assert sorted(FUNCTIONS) == VECTORS["functions"]


def test_a_form_using_functions_beyond_the_core_loads_them_on_the_phone():
    plain = load_dict(_form("if(${age} >= 18, 1, 0)"))
    rich = load_dict(_form("format-date(today(), '%Y')"))
    assert sorted(BROWSER_CORE) == VECTORS["core_functions"]
    assert browser_modules(plain) == []
    assert browser_modules(rich) == ["js/expression_functions.js"]


def _form(calculation: str) -> dict:
    return {"form_id": "f", "title": "F", "settings": {"default_language": "en"},
            "survey": [{"type": "integer", "name": "age", "label": "Age"},
                       {"type": "calculate", "name": "c", "calculation": calculation}]}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_function_has_vectors(name):
    assert any(f"{name}(" in case["expr"] for case in CASES)


def test_a_long_chain_is_read_but_an_endless_one_is_refused():
    chain = " or ".join(["${a} = 1"] * 1000)
    assert evaluate(chain, {"a": "1"}) is True
    with pytest.raises(ExpressionError, match="longer than"):
        parse("1" + " or 1" * MAX_LENGTH)


def test_repeat_context_gives_every_instance_to_indexed_repeat():
    """Inside an instance ${q} is that instance's value; indexed-repeat still reaches the others."""
    every = {"q": Nodeset(["a", "b", "c"])}
    context = Context(today="2026-11-22", position=2, values=every.__getitem__)
    inside = {"q": "b"}
    assert evaluate("indexed-repeat(${q}, ${r}, position(..) - 1)", inside, context=context) == "a"
    assert evaluate("${q}", inside, context=context) == "b"


def test_calculation_with_once_keeps_the_value_sent():
    assert evaluate("once(now())", {}, current="2026-01-01T00:00:00.000Z") == "2026-01-01T00:00:00.000Z"


def test_parse_is_cached_and_accepts_nodes():
    node = parse("${a} + 1")
    assert parse("${a} + 1") is node
    assert evaluate(node, {"a": "2"}) == 3
    assert references(node) == {"a"}


def test_error_message_says_what_and_where():
    with pytest.raises(ExpressionError, match=r"unexpected '\)' at character 6") as info:
        parse("1 + 2)")
    assert info.value.position == 5
    assert isinstance(info.value, ValueError)


def test_non_string_expression_is_an_expression_error():
    with pytest.raises(ExpressionError):
        parse(None)  # type: ignore[arg-type]


WEIRD = [
    {"k": 1},
    [1, None, [2], {"x": 1}, True, 2.5],
    float("inf"),
    float("-inf"),
    float("nan"),
    10**400,
    -(10**5000),
    object(),
    b"bytes",
    {1, 2},
    (1, 2),
    date(2026, 1, 1),
    "",
    "x" * 10_000,
]
EXPRESSIONS = [
    "${a} + 1",
    "${a} * ${a}",
    "${a} div ${a}",
    "${a} mod 3",
    "3 mod ${a}",
    "-${a}",
    "${a} = 1",
    "${a} != ${a}",
    "${a} < today()",
    ". >= ${a}",
    "selected(${a}, 1)",
    "count-selected(${a})",
    "string-length(${a})",
    "regex(${a}, ${a})",
    "regex('x', ${a})",
    "number(${a})",
    "int(${a})",
    "string(${a})",
    "concat(${a}, .)",
    "coalesce(${a}, .)",
    "round(${a}, ${a})",
    "round(1.5, ${a})",
    "round(${a}, 2)",
    "if(${a}, ${a}, .)",
    "not(${a}) or ${a} and .",
]


@pytest.mark.parametrize("value", WEIRD, ids=lambda v: type(v).__name__)
def test_evaluation_never_raises_on_weird_values(value):
    for expr in EXPRESSIONS:
        evaluate(expr, {"a": value}, current=value, today=date(2026, 11, 22))
        assert isinstance(evaluate_bool(expr, {"a": value}, current=value), bool)


def test_evaluation_tolerates_missing_or_odd_answers_containers():
    assert evaluate("${a}", None) is None
    assert evaluate("${a}", []) is None  # type: ignore[arg-type]


def test_huge_and_infinite_values_format_like_javascript():
    assert evaluate("string(${a})", {"a": float("inf")}) == "Infinity"
    assert evaluate("string(${a})", {"a": 10**400}) == "Infinity"
    assert evaluate("string(${a})", {"a": 10**21}) == "1e+21"
    assert evaluate("string(${a})", {"a": 1.5e300}) == "1.5e+300"
    assert evaluate("string(${a})", {"a": 123456789012345680000.0}) == "123456789012345680000"


def test_today_defaults_to_the_local_date():
    assert evaluate("today()", {}) == date.today().isoformat()
    assert evaluate("today()", {}, today=date(2026, 1, 5)) == "2026-01-05"


@pytest.mark.parametrize("expr", [
    "-" * (MAX_DEPTH - 1) + "1",
    "not(" * (MAX_DEPTH - 1) + "1" + ")" * (MAX_DEPTH - 1),
    "count-selected(" * (MAX_DEPTH - 1) + "'a b'" + ")" * (MAX_DEPTH - 1),
    "string-length(" * (MAX_DEPTH - 1) + "'ab'" + ")" * (MAX_DEPTH - 1),
    "(" * (MAX_DEPTH - 1) + "1" + "+1)" * (MAX_DEPTH - 1),
], ids=["neg", "not", "count_selected", "string_length", "sum"])
def test_the_deepest_expressions_the_language_allows_run(expr):
    """Each expression becomes Python source; parts of deep ones are computed ahead, within Python's limits."""
    assert isinstance(evaluate(expr, {}), (bool, float))


def test_a_form_page_loads_the_other_functions_only_for_a_questionnaire_that_uses_them(app_config, tmp_path):
    from survey_app import create_app

    folder = tmp_path / "forms"
    folder.mkdir()
    for form_id, calculation in (("plain", "if(${age} >= 18, 1, 0)"), ("rich", "format-date(today(), '%Y')")):
        text = json.dumps({**_form(calculation), "form_id": form_id})  # JSON is YAML
        (folder / f"{form_id}.yaml").write_text(text, encoding="utf-8")
    app = create_app({**app_config, "SURVEY_FORMS_DIR": str(folder)})
    client = app.test_client()
    plain, rich = (client.get(f"/forms/{name}").data.decode() for name in ("plain", "rich"))
    scripts = [re.findall(r'<script type="module" src="([^"]+)"', page) for page in (plain, rich)]
    assert [url.rsplit("/", 1)[1] for url in scripts[0]] == ["main.js"]
    assert [url.rsplit("/", 1)[1] for url in scripts[1]] == ["expression_functions.js", "main.js"]
    assert client.get(scripts[1][0]).status_code == 200
    app.extensions["survey_engine"].dispose()


def _priced_form(**extra) -> dict:
    return {"form_id": "prices", "title": "Prices", "settings": {"default_language": "en"},
            "survey": [{"type": "select_one items", "name": "item", "label": "Item"},
                       {"type": "calculate", "name": "price",
                        "calculation": "pulldata('prices.csv', 'price', 'item', ${item})"},
                       {"type": "calculate", "name": "item_label",
                        "calculation": "jr:choice-name(${item}, '${item}')"}],
            "choices": {"items": [{"name": "rice", "label": {"en": "Rice"}}, {"name": "oil", "label": "Oil"}]},
            **extra}


def test_pulldata_reads_the_questionnaires_attached_rows_on_the_server():
    from survey_app.engine.validation import validate

    rows = [{"item": "rice", "price": "40"}, {"item": "oil", "price": 95}]
    form = load_dict(_priced_form(attachments={"prices.csv": rows}))
    outcome = validate(form, {"item": "oil"}, today=date(2026, 11, 22))
    assert outcome.answers == {"item": "oil", "price": "95", "item_label": "Oil"}
    assert definition_to_dict(form)["attachments"] == {"prices.csv": [{"item": "rice", "price": "40"},
                                                                      {"item": "oil", "price": "95"}]}
    assert "attachments" not in definition_to_dict(load_dict(_form("1")))


def test_pulldata_from_a_file_the_questionnaire_has_not_got_is_refused_by_name():
    with pytest.raises(DefinitionError) as info:
        load_dict(_priced_form())
    assert info.value.problems == ["question 'price': calculation reads pulldata('prices.csv'), "
                                   "but the questionnaire has no attached file of that name"]
    with pytest.raises(DefinitionError, match="must be a list of rows"):
        load_dict(_priced_form(attachments={"prices.csv": "item,price"}))


def test_a_regex_pattern_the_phone_could_not_run_is_refused_when_the_questionnaire_loads():
    form = _form("1")
    form["survey"][0]["constraint"] = "regex(., '(?=[0-9])[0-9]+')"
    with pytest.raises(DefinitionError, match="regex pattern refused: lookahead and lookbehind are not supported"):
        load_dict(form)


def test_the_phone_gets_the_rows_and_labels_only_of_a_questionnaire_that_reads_them():
    from survey_app.engine.expressions import browser_tables

    rows = [{"item": "rice", "price": "40"}]
    assert browser_tables(load_dict(_priced_form(attachments={"prices.csv": rows}))) == {
        "attachments": {"prices.csv": rows}, "choiceLabels": {"item": {"rice": "Rice", "oil": "Oil"}}}
    plain = _priced_form(attachments={"prices.csv": rows})
    plain["survey"] = plain["survey"][:1]
    assert browser_tables(load_dict(plain)) == {}
