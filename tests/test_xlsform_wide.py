"""Things published XLSForms do that pyxform accepts: each small form here imports, renders,
takes an answer posted without JavaScript and stores it under the question's own name.

Each form reproduces, in a few rows, something found in forms published by other organisations.
"""

import re

from sqlmodel import select

from survey_app.engine.xlsform import read_xlsform
from survey_app.models import Submission

from .data.make_xlsform_corpus import xlsx
from .test_xlsform_corpus import hidden_value

SETTINGS = {"form_id": "wide", "form_title": "Wide"}


def imported(runner, tmp_path, survey, choices=(), settings=SETTINGS):
    """Import the form with the command line; return its report's definition and the command's output."""
    path = tmp_path / "wide.xlsx"
    path.write_bytes(xlsx(survey, choices, settings))
    result = runner.invoke(args=["forms", "import", str(path)])
    assert result.exit_code == 0, result.output
    return read_xlsform(path).definition, result.output


def answered(client, session, data: dict, lang: str = "en") -> dict:
    """Post the answers through the participant page and return what was stored."""
    page = client.get(f"/forms/wide?lang={lang}")
    assert page.status_code == 200
    body = page.data.decode()
    data = {**data, "submission_uuid": hidden_value(body, "submission_uuid"),
            "form_version": hidden_value(body, "form_version")}
    response = client.post("/forms/wide", data=data)
    assert response.status_code == 302, re.findall(r'<p class="error"[^>]*>([^<]+)</p>', response.data.decode())
    try:
        return session.exec(select(Submission).where(Submission.form_id == "wide")).one().answers
    finally:
        session.rollback()


def test_questions_named_like_the_form_objects_own_attributes_keep_their_answers(runner, client, session, tmp_path):
    survey = [{"type": "text", "name": name, "label": name, "required": "yes"}
              for name in ("_1", "data", "errors", "meta", "process", "validate")]
    imported(runner, tmp_path, survey)
    page = client.get("/forms/wide").data.decode()
    assert 'name="_1"' in page and 'name="data"' in page
    refused = client.post("/forms/wide", data={"submission_uuid": hidden_value(page, "submission_uuid"),
                                               "form_version": hidden_value(page, "form_version"), "data": "x"})
    assert refused.status_code == 200 and 'id="error-errors"' in refused.data.decode()
    stored = answered(client, session, {"_1": "one", "data": "two", "errors": "three", "meta": "four",
                                        "process": "five", "validate": "six"})
    assert [stored[name] for name in ("_1", "data", "errors", "meta", "process", "validate")] == [
        "one", "two", "three", "four", "five", "six"]


def test_notes_without_a_name_are_shown(runner, client, session, tmp_path):
    survey = [{"type": "note", "label": "Section A: the household"},
              {"type": "integer", "name": "people", "label": "How many people?"},
              {"type": "note", "label": "Section B: water"}]
    definition, output = imported(runner, tmp_path, survey)
    assert [q["type"] for q in definition["survey"]] == ["note", "integer", "note"]
    page = client.get("/forms/wide").data.decode()
    assert "Section A: the household" in page and "Section B: water" in page
    assert answered(client, session, {"people": "4"})["people"] == 4
    assert "name is missing" not in output


def test_kobo_version_calculation_is_kept_under_a_name_the_engine_allows(runner, client, session, tmp_path):
    survey = [{"type": "text", "name": "village", "label": "Village"},
              {"type": "calculate", "name": "__version__", "calculation": "'vXyZ12'"}]
    definition, output = imported(runner, tmp_path, survey)
    assert "'__version__' is written '_version__'" in output
    assert answered(client, session, {"village": "Herat"})["_version__"] == "vXyZ12"


def test_a_choices_row_without_a_list_name_is_left_out_and_named(runner, client, session, tmp_path):
    survey = [{"type": "select_one yes_no", "name": "ok", "label": "OK?"}]
    choices = [{"list_name": "yes_no", "name": "yes", "label": "Yes"},
               {"list_name": "yes_no", "name": "no", "label": "No"},
               {"label": "No"}]
    definition, output = imported(runner, tmp_path, survey, choices)
    assert [c["name"] for c in definition["choices"]["yes_no"]] == ["yes", "no"]
    assert "a row without a list_name belongs to no list; it is left out (row 4)" in output
    assert answered(client, session, {"ok": "no"})["ok"] == "no"


def test_or_other_on_a_list_that_has_its_own_other_offers_it_once(runner, client, session, tmp_path):
    survey = [{"type": "select_multiple toppings or_other", "name": "toppings", "label": "Toppings"}]
    choices = [{"list_name": "toppings", "name": "cheese", "label": "Cheese"},
               {"list_name": "toppings", "name": "other", "label": "Other"}]
    definition, _ = imported(runner, tmp_path, survey, choices)
    assert [c["name"] for c in definition["choices"]["toppings_or_other"]] == ["cheese", "other"]
    stored = answered(client, session, {"toppings": ["other"], "toppings_other": "olives"})
    assert stored["toppings"] == ["other"] and stored["toppings_other"] == "olives"


def test_a_filter_reading_two_missing_columns_is_dropped_once_and_the_form_imports(runner, client, session, tmp_path):
    survey = [{"type": "select_one country", "name": "country", "label": "Country"},
              {"type": "select_one town", "name": "town", "label": "Town",
               "choice_filter": "country=${country} and region=${country}"}]
    choices = [{"list_name": "country", "name": "af", "label": "Afghanistan"},
               {"list_name": "town", "name": "herat", "label": "Herat"},
               {"list_name": "town", "name": "tehran", "label": "Tehran"}]
    definition, output = imported(runner, tmp_path, survey, choices)
    assert "choice_filter" not in definition["survey"][1]
    assert "every option is offered" in output
    assert answered(client, session, {"country": "af", "town": "tehran"})["town"] == "tehran"


def test_a_loop_over_a_list_asks_its_questions_once_per_option(runner, client, session, tmp_path):
    survey = [{"type": "select_multiple transport", "name": "available", "label": "Which are available?"},
              {"type": "begin loop over transport", "name": "each"},
              {"type": "select_one often", "name": "how_often", "label": "How often is %(label)s available?",
               "relevant": "selected(${available}, '%(name)s')"},
              {"type": "end loop"}]
    choices = [{"list_name": "transport", "name": "bus", "label": "the bus"},
               {"list_name": "transport", "name": "taxi", "label": "a taxi"},
               {"list_name": "often", "name": "daily", "label": "Daily"},
               {"list_name": "often", "name": "weekly", "label": "Weekly"}]
    definition, output = imported(runner, tmp_path, survey, choices)
    loop = definition["survey"][1]
    assert loop["type"] == "group" and [g["name"] for g in loop["children"]] == ["bus", "taxi"]
    bus, taxi = (group["children"][0] for group in loop["children"])
    assert bus["label"] == {"en": "How often is the bus available?"}
    assert taxi["relevant"] == "selected(${available}, 'taxi')"
    assert "not known here" not in output and "used more than once" not in output
    page = client.get("/forms/wide").data.decode()
    assert "How often is a taxi available?" in page
    stored = answered(client, session, {"available": ["bus"], bus["name"]: "weekly"})
    assert stored[bus["name"]] == "weekly" and taxi["name"] not in stored


def test_a_row_with_only_a_stray_cell_is_a_comment_left_out(runner, client, session, tmp_path):
    survey = [{"type": "text", "name": "village", "label": "Village", "required": None},
              {"type": None, "name": None, "label": None, "required": "yes"},
              {"type": "integer", "name": "people", "label": "People"}]
    definition, output = imported(runner, tmp_path, survey)
    assert [q["name"] for q in definition["survey"]] == ["village", "people"]
    assert "a row without type, name or label is a comment; it is left out (row 3)" in output
    assert answered(client, session, {"village": "Herat", "people": "3"})["people"] == 3


def test_a_row_with_a_name_but_no_type_is_still_refused(runner, tmp_path):
    path = tmp_path / "wide.xlsx"
    path.write_bytes(xlsx([{"type": None, "name": "lost", "label": "Lost"}], (), SETTINGS))
    result = runner.invoke(args=["forms", "import", str(path)])
    assert result.exit_code != 0 and "survey row 2: the type is missing" in result.output


def test_a_read_only_question_with_a_calculation_stores_the_value_and_shows_it(runner, client, session, tmp_path):
    survey = [{"type": "integer", "name": "men", "label": "Men"},
              {"type": "integer", "name": "women", "label": "Women"},
              {"type": "integer", "name": "total", "label": "Total", "required": "yes", "read_only": "TRUE",
               "calculation": "coalesce(${men},0) + coalesce(${women},0)"},
              {"type": "text", "name": "nickname", "label": "Nickname", "calculation": "concat('x', ${men})"}]
    definition, output = imported(runner, tmp_path, survey)
    total, shown, nickname = definition["survey"][2:5]
    assert total == {"type": "calculate", "name": "total", "calculation": "coalesce(${men},0) + coalesce(${women},0)"}
    assert shown["type"] == "note" and shown["label"] == {"en": "Total\n**${total}**"}
    assert nickname["type"] == "text" and "calculation" not in nickname
    assert "survey row 4: a read-only question with a calculation is kept as a calculation" in output
    assert "survey row 5: a calculation on a question people answer is not done here" in output
    page = client.get("/forms/wide").data.decode()
    assert 'data-ref="total"' in page
    stored = answered(client, session, {"men": "2", "women": "3", "nickname": "bob"})
    assert stored["total"] == 5 and stored["nickname"] == "bob"


def test_a_required_calculation_that_cannot_be_done_does_not_block_the_form(runner, client, session, tmp_path):
    survey = [{"type": "integer", "name": "code", "label": "Code", "required": "yes"},
              {"type": "calculate", "name": "looked_up", "label": "Looked up", "required": "yes",
               "calculation": "instance('previous')/root/data[code = current()/../code]/name"},
              {"type": "select_one sex", "name": "sex", "label": "Sex", "required": "yes", "read_only": "yes",
               "calculation": "instance('previous')/root/data[code = current()/../code]/sex"}]
    choices = [{"list_name": "sex", "name": "f", "label": "Female"}, {"list_name": "sex", "name": "m", "label": "Male"}]
    definition, output = imported(runner, tmp_path, survey, choices)
    assert "the value stays empty" in output
    stored = answered(client, session, {"code": "7"})
    assert stored == {"code": 7}
