"""XLSForm import and export: the mapping both ways, round trips and reports by row."""

from pathlib import Path

import openpyxl
import pytest
from pyxform.xls2xform import convert

from survey_app.engine.definition import definition_to_dict
from survey_app.engine.loader import load_file
from survey_app.engine.xlsform import language_code
from survey_app.engine.xlsform import language_label
from survey_app.engine.xlsform import read_xlsform
from survey_app.engine.xlsform import write_xlsform

DATA = Path(__file__).parent / "data"
KOBO_FIXTURE = DATA / "xlsform" / "cultural_orientation_kobo.xlsx"
UNSUPPORTED_FIXTURE = DATA / "xlsform" / "unsupported_rows.xlsx"
YAML_FORMS = [
    *sorted((Path(__file__).parent.parent / "forms").glob("*.yaml")),
    DATA / "forms" / "sample_feedback.yaml",
]
EN = "English (en)"


def make_xlsform(path: Path, survey: list[dict], choices: list[dict] = (), settings: dict | None = None) -> Path:
    """Write a small XLSForm whose columns are the keys of the given rows, in order of appearance."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    sheets = {"survey": survey, "choices": list(choices)}
    if settings is not None:
        sheets["settings"] = [settings]
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        columns = list(dict.fromkeys(key for row in rows for key in row)) or ["list_name", "name", "label"]
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(column) for column in columns])
    book.save(path)
    return path


SETTINGS = {"form_id": "small", "form_title": "Small form", "default_language": EN}


def test_kobo_fixture_maps_languages_groups_relevance_and_choices():
    report = read_xlsform(KOBO_FIXTURE)
    assert report.ok, report.errors
    form = report.definition
    assert form["form_id"] == "co_course_feedback"
    assert form["settings"] == {"default_language": "fa", "languages": ["fa", "ps", "en"], "style": "pages"}
    assert form["title"] == {"fa": "نظرسنجی دورهٔ آشنایی فرهنگی"}
    about, classes = form["survey"][1], form["survey"][2]
    assert about["type"] == "group" and about["appearance"] == "field-list"
    assert [child["name"] for child in about["children"]] == ["course_date", "age", "gender"]
    age = about["children"][1]
    assert age["constraint"] == ". >= 15 and . <= 100"
    assert age["constraint_message"]["ps"] == "مهرباني وکړئ د ۱۵ او ۱۰۰ ترمنځ یوه شمېره ولیکئ."
    assert age["hint"] == {"fa": "فقط عدد را بنویسید.", "ps": "یوازې شمېره ولیکئ.", "en": "Write the number only."}
    interpreter_clear = classes["children"][1]
    assert interpreter_clear["type"] == "select_one agreement"
    assert interpreter_clear["relevant"] == "${interpreter_used} = 'yes'"
    assert [c["name"] for c in form["choices"]["topics"]][-1] == "other"
    assert form["choices"]["gender"][0]["label"] == {"fa": "زن", "ps": "ښځه", "en": "Woman"}


def test_kobo_fixture_rating_date_default_and_required_are_mapped():
    form = read_xlsform(KOBO_FIXTURE).definition
    course_date = form["survey"][1]["children"][0]
    assert course_date["default"] == "today" and course_date["required"] == "true()"
    rating = form["survey"][3]
    assert rating["type"] == "rating" and rating["parameters"] == {"max": 5} and "appearance" not in rating
    assert rating["required_message"]["en"] == "Please give the course a rating."
    assert form["survey"][5] == {"type": "calculate", "name": "low_rating",
                                 "calculation": "if(${overall_rating} <= 2, 1, 0)"}


def test_kobo_fixture_reports_ignored_metadata_and_settings_as_warnings():
    report = read_xlsform(KOBO_FIXTURE)
    assert "survey row 2: 'start' is metadata this app does not collect; the row is ignored" in report.warnings
    assert "settings column 'version' is ignored: versions here are content hashes" in report.warnings


def test_kobo_fixture_is_a_valid_xlsform_for_pyxform():
    warnings = []
    result = convert(str(KOBO_FIXTURE), warnings=warnings)
    assert 'lang="Pashto (ps)"' in result.xform


def test_unsupported_rows_are_reported_by_row_and_nothing_is_imported():
    report = read_xlsform(UNSUPPORTED_FIXTURE)
    assert report.definition is None
    assert report.errors == [
        "survey row 3: type 'geopoint' is not supported",
        "survey row 7: type 'image' is not supported",
        "survey row 8: type 'select_one_from_file districts.csv' is not supported (choices from a file)",
    ]
    assert report.warnings == ["survey column 'media::image::English (en)' is ignored (row 2)"]


@pytest.mark.parametrize("path", YAML_FORMS, ids=lambda p: p.stem)
def test_shipped_forms_survive_export_and_import(path, tmp_path):
    original = definition_to_dict(load_file(path))
    first = tmp_path / "first.xlsx"
    first.write_bytes(write_xlsform(original))
    imported = read_xlsform(first)
    assert imported.ok, imported.errors
    assert imported.definition == original
    second = tmp_path / "second.xlsx"
    second.write_bytes(write_xlsform(imported.definition))
    assert read_xlsform(second).definition == original


def test_kobo_fixture_survives_import_export_import(tmp_path):
    imported = read_xlsform(KOBO_FIXTURE).definition
    path = tmp_path / "again.xlsx"
    path.write_bytes(write_xlsform(imported))
    assert read_xlsform(path).definition == imported


@pytest.mark.parametrize("path", YAML_FORMS, ids=lambda p: p.stem)
def test_exported_workbook_is_a_valid_xlsform_for_pyxform(path, tmp_path):
    target = tmp_path / f"{path.stem}.xlsx"
    target.write_bytes(write_xlsform(definition_to_dict(load_file(path))))
    result = convert(str(target), warnings=[])
    assert "<range" in result.xform or "rating" not in path.read_text()


def test_export_writes_every_language_as_named_columns(tmp_path):
    path = tmp_path / "co.xlsx"
    source = YAML_FORMS[0].parent / "cultural_orientation_feedback.yaml"
    path.write_bytes(write_xlsform(definition_to_dict(load_file(source))))
    book = openpyxl.load_workbook(path)
    header = [cell.value for cell in book["survey"][1]]
    assert header[:6] == ["type", "name", "label::Persian (fa)", "label::Dari (prs)", "label::Pashto (ps)",
                          "label::English (en)"]
    assert [cell.value for cell in book["settings"][1]][:3] == ["form_id", "form_title", "default_language"]
    assert book["settings"]["C2"].value == "Persian (fa)"


def test_text_starting_with_equals_is_kept_as_text(tmp_path):
    definition = definition_to_dict(load_file(YAML_FORMS[-1]))
    definition["survey"][0]["label"]["en"] = "=SUM(A1:A3) is not a formula"
    path = tmp_path / "f.xlsx"
    path.write_bytes(write_xlsform(definition))
    assert read_xlsform(path).definition["survey"][0]["label"]["en"] == "=SUM(A1:A3) is not a formula"


@pytest.mark.parametrize(("label", "code"), [
    ("Persian (fa)", "fa"), ("Dari (prs)", "fa_AF"), ("Dari (fa-AF)", "fa_AF"), ("Pashto (ps)", "ps"),
    ("English", "en"), ("en", "en"),
])
def test_language_labels_map_to_codes(label, code):
    assert language_code(label) == code


def test_unknown_language_codes_are_refused():
    with pytest.raises(ValueError, match="unknown language 'Klingon \\(tlh\\)'"):
        language_code("Klingon (tlh)")


def test_dari_is_written_with_the_code_kobotoolbox_lists():
    assert language_label("fa_AF") == "Dari (prs)"
    assert language_label("fa") == "Persian (fa)"


def test_plain_columns_are_in_the_default_language_and_form_title_may_be_translated(tmp_path):
    path = make_xlsform(tmp_path / "f.xlsx", [
        {"type": "text", "name": "q", "label": "نام روستا", "label::Dari (prs)": "نام قریه", "hint": "اختیاری"},
    ], settings={"form_id": "f", "form_title": "فرم", "form_title::Pashto (ps)": "فورمه",
                 "default_language": "Persian (fa)"})
    form = read_xlsform(path).definition
    assert form["settings"] == {"default_language": "fa", "languages": ["fa", "fa_AF", "ps"]}
    assert form["title"] == {"fa": "فرم", "ps": "فورمه"}
    assert form["survey"][0]["label"] == {"fa": "نام روستا", "fa_AF": "نام قریه"}
    assert form["survey"][0]["hint"] == {"fa": "اختیاری"}


@pytest.mark.parametrize(("cell", "expected"), [
    ("yes", "true()"), ("TRUE", "true()"), ("true()", "true()"), ("${age} > 18", "${age} > 18"), ("no", None),
])
def test_required_accepts_yes_true_and_expressions(tmp_path, cell, expected):
    path = make_xlsform(tmp_path / "f.xlsx", [
        {"type": "integer", "name": "age", "label": "Age"},
        {"type": "text", "name": "job", "label": "Job", "required": cell},
    ], settings=SETTINGS)
    assert read_xlsform(path).definition["survey"][1].get("required") == expected


def test_rating_parameters_and_appearance_are_read(tmp_path):
    path = make_xlsform(tmp_path / "f.xlsx", [
        {"type": "rating", "name": "stars", "label": "Stars", "parameters": "max=7", "appearance": "compact"},
    ], settings=SETTINGS)
    assert read_xlsform(path).definition["survey"][0] == {
        "type": "rating", "name": "stars", "label": {"en": "Stars"}, "appearance": "compact", "parameters": {"max": 7}}


def test_texts_are_kept_exactly_as_typed(tmp_path):
    label = "“I see no obstacles” — بین‌المللی"
    path = make_xlsform(tmp_path / "f.xlsx", [{"type": "note", "name": "n", "label": label}], settings=SETTINGS)
    assert read_xlsform(path).definition["survey"][0]["label"] == {"en": label}


def test_ignored_columns_are_warnings_and_the_import_goes_on(tmp_path):
    path = make_xlsform(tmp_path / "f.xlsx", [
        {"type": "text", "name": "a", "label": "A", "guidance_hint": "For the interviewer"},
        {"type": "text", "name": "b", "label": "B", "guidance_hint": "Also"},
    ], settings=SETTINGS)
    report = read_xlsform(path)
    assert report.ok
    assert report.warnings == ["survey column 'guidance_hint' is ignored (rows 2, 3)"]


BROKEN_SURVEYS = [
    ([{"type": "text", "name": "a", "label": "A"}, {"type": "integer", "name": "a", "label": "A again"}],
     "survey row 3: the name 'a' is already used in row 2"),
    ([{"type": "text", "label": "No name"}], "survey sheet: there is no 'name' column"),
    ([{"type": "text", "name": "a", "label": "A"}, {"name": "b", "label": "B"}], "survey row 3: the type is missing"),
    ([{"type": "text", "name": "", "label": "A"}, {"type": "text", "name": "b", "label": "B"}],
     "survey row 2: the name is missing"),
    ([{"type": "begin group", "name": "g", "label": "G"}, {"type": "text", "name": "a", "label": "A"}],
     "survey row 2: this 'begin group' has no 'end group'"),
    ([{"type": "text", "name": "a", "label": "A"}, {"type": "end group", "name": ""}],
     "survey row 3: 'end group' has no matching begin"),
    ([{"type": "select_one yn or_other", "name": "a", "label": "A"}],
     "survey row 2: question 'a': choice list 'yn' does not exist"),
    ([{"type": "range", "name": "a", "label": "A", "parameters": "start=0 end=10 step=1"}],
     "survey row 2: type 'range' is supported only as a star rating"),
    ([{"type": "text", "name": "a", "label": "A", "choice_filter": "x = 1"}],
     "survey row 2: question 'a': choice_filter 'x = 1': only a question with a choice list can be filtered"),
    ([{"type": "text", "name": "a", "label": "A", "parameters": "max"}],
     "survey row 2: parameters must look like"),
    ([{"type": "text", "name": "a", "label": "A", "relevant": "${nowhere} = 1"}],
     "survey row 2: question 'a': relevant refers to ${nowhere}, which is no question"),
    ([{"type": "text", "name": "a", "label::Klingon (tlh)": "A"}],
     "survey column 'label::Klingon (tlh)': unknown language 'Klingon (tlh)'"),
]


@pytest.mark.parametrize(("survey", "message"), BROKEN_SURVEYS, ids=[m for _, m in BROKEN_SURVEYS])
def test_broken_survey_sheets_are_refused_naming_the_row(tmp_path, survey, message):
    report = read_xlsform(make_xlsform(tmp_path / "f.xlsx", survey, settings=SETTINGS))
    assert report.definition is None
    assert any(error.startswith(message) for error in report.errors), report.errors


def test_duplicate_choices_are_refused_naming_both_rows(tmp_path):
    path = make_xlsform(tmp_path / "f.xlsx", [{"type": "select_one yn", "name": "a", "label": "A"}], choices=[
        {"list_name": "yn", "name": "yes", "label": "Yes"}, {"list_name": "yn", "name": "yes", "label": "Yes!"},
    ], settings=SETTINGS)
    assert read_xlsform(path).errors == ["choices row 3: option 'yes' appears twice in list 'yn' (first in row 2)"]


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("hello")
    assert read_xlsform(path).errors == ["notes.xlsx cannot be read as an XLSForm: it is not a valid spreadsheet"]


def test_a_file_without_an_excel_suffix_is_refused(tmp_path):
    path = tmp_path / "form.csv"
    path.write_text("type,name\n")
    assert read_xlsform(path).errors == ["form.csv is not an Excel workbook (.xlsx or .xls)"]


def test_a_workbook_without_a_survey_sheet_is_refused(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "questions"
    book.create_sheet("choices")
    book.save(tmp_path / "f.xlsx")
    assert read_xlsform(tmp_path / "f.xlsx").errors == ["f.xlsx has no sheet named 'survey'"]


def test_a_form_without_a_default_language_needs_one(tmp_path):
    path = make_xlsform(tmp_path / "f.xlsx", [{"type": "text", "name": "a", "label": "A"}],
                        settings={"form_id": "f", "form_title": "F"})
    assert "default_language is missing" in read_xlsform(path).errors[0]
    assert read_xlsform(path, default_language="en").definition["survey"][0]["label"] == {"en": "A"}


def test_a_missing_form_id_falls_back_to_the_file_name(tmp_path):
    path = make_xlsform(tmp_path / "village_survey.xlsx", [{"type": "text", "name": "a", "label": "A"}],
                        settings={"form_title": "F", "default_language": EN})
    report = read_xlsform(path)
    assert report.definition["form_id"] == "village_survey"
    assert "settings: no form_id, so the file name 'village_survey' is used" in report.warnings


def test_the_bytes_of_an_upload_can_be_read():
    report = read_xlsform(KOBO_FIXTURE.read_bytes())
    assert report.ok and report.definition == read_xlsform(KOBO_FIXTURE).definition


def test_knowledge_check_columns_are_written_where_xlsform_tools_keep_them(tmp_path):
    path = tmp_path / "check.xlsx"
    path.write_bytes(write_xlsform(definition_to_dict(
        load_file(YAML_FORMS[0].parent / "capacity_building_knowledge_check.yaml"))))
    book = openpyxl.load_workbook(path)
    survey = [cell.value for cell in book["survey"][1]]
    choices = [cell.value for cell in book["choices"][1]]
    settings = {cell.value: book["settings"].cell(row=2, column=cell.column).value for cell in book["settings"][1]}
    assert {"objective", "points"} <= set(survey) and "correct" in choices
    assert (settings["pass_mark"], settings["show_score"]) == ("60", "yes")
    objective_rows = [row for row in book["choices"].iter_rows(values_only=True) if row[0] == "objectives"]
    assert [row[1] for row in objective_rows] == ["development", "remittances", "diaspora", "return", "trafficking"]


def test_an_objectives_list_a_question_answers_from_stays_a_choice_list():
    from survey_app.engine.xlsform_assessment import lift_objectives
    choices = {"objectives": [{"name": "a", "label": {"en": "A"}}]}
    survey = [{"type": "group", "name": "g", "children": [{"type": "select_one objectives", "name": "q"}]}]
    assert lift_objectives(survey, choices) == {} and "objectives" in choices
    assert lift_objectives([], choices) == {"a": {"en": "A"}} and "objectives" not in choices
