"""XLSForm import and export: the mapping both ways, round trips and reports by row."""

import zipfile
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

from .data.make_xlsform_corpus import xlsx

DATA = Path(__file__).parent / "data"
KOBO_FIXTURE = DATA / "xlsform" / "cultural_orientation_kobo.xlsx"
UNSUPPORTED_FIXTURE = DATA / "xlsform" / "unsupported_rows.xlsx"
YAML_FORMS = [
    *sorted((Path(__file__).parent.parent / "forms").glob("*.yaml")),
    DATA / "forms" / "sample_feedback.yaml",
]
EN = "English (en)"


def make_xlsform(path: Path, survey: list[dict], choices: list[dict] = (), settings: dict | None = None,
                 extra: dict | None = None) -> Path:
    """Write a small XLSForm whose columns are the keys of the given rows, in order of appearance."""
    path.write_bytes(xlsx(survey, choices, settings, extra))
    return path


SETTINGS = {"form_id": "small", "form_title": "Small form", "default_language": EN}


def test_kobo_fixture_maps_languages_groups_relevance_and_choices():
    report = read_xlsform(KOBO_FIXTURE)
    assert report.ok, report.errors
    form = report.definition
    assert form["form_id"] == "co_course_feedback"
    assert form["settings"] == {"default_language": "fa", "languages": ["fa", "ps", "en"], "version": "2024110101",
                                "style": "pages"}
    assert form["title"] == {"fa": "نظرسنجی دورهٔ آشنایی فرهنگی"}
    about, classes = form["survey"][3], form["survey"][4]
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
    course_date = form["survey"][3]["children"][0]
    assert course_date["default"] == "today" and course_date["required"] == "true()"
    rating = form["survey"][5]
    assert rating["type"] == "rating" and rating["parameters"] == {"max": 5} and "appearance" not in rating
    assert rating["required_message"]["en"] == "Please give the course a rating."
    assert form["survey"][7] == {"type": "calculate", "name": "low_rating",
                                 "calculation": "if(${overall_rating} <= 2, 1, 0)"}


def test_kobo_fixture_keeps_metadata_rows_and_the_authors_version():
    report = read_xlsform(KOBO_FIXTURE)
    assert report.definition["survey"][:2] == [{"type": "start", "name": "start"}, {"type": "end", "name": "end"}]
    assert report.definition["settings"]["version"] == "2024110101"
    assert not any("start" in warning for warning in report.warnings)


def test_kobo_fixture_is_a_valid_xlsform_for_pyxform():
    warnings = []
    result = convert(str(KOBO_FIXTURE), warnings=warnings)
    assert 'lang="Pashto (ps)"' in result.xform


def test_rows_that_cannot_work_here_are_reported_by_row_and_the_form_still_imports():
    report = read_xlsform(UNSUPPORTED_FIXTURE)
    assert report.ok, report.errors
    survey = {item["name"]: item for item in report.definition["survey"]}
    assert survey["location"]["type"] == "geopoint"
    assert survey["photo"] == {"type": "image", "name": "photo", "label": {"en": "Take a photo"}}
    assert survey["district"]["type"] == "text"
    assert report.warnings[0] == ("survey row 2: image file 'village.png' is not in the upload; it is shown "
                                  "without it (import a .zip of the form and its media)")
    assert not any(warning.startswith("survey row 7:") for warning in report.warnings)  # a photo is an answer now
    assert ("survey row 8: the choices file 'districts.csv' is not in the upload; the answer is typed as text"
            in report.warnings)
    repeated = survey["children"]["type"] == "repeat" or any(w.startswith("survey row 4: repeats") for w in
                                                            report.warnings)
    assert repeated


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


@pytest.mark.parametrize(("label", "code"), [
    ("French", "fr"), ("Français", "fr"), ("francais", "fr"), ("Español", "es"), ("Spanish", "es"), ("Dari", "fa_AF"),
    ("Indonesian(id)", "id"), ("Arabic", "ar"), ("العربية", "ar"), ("Kiswahili", "sw"), ("Portuguese (Brazil)", "pt"),
    ("Klingon (tlh)", "tlh"),
])
def test_language_names_map_to_codes_in_many_display_languages(label, code):
    assert language_code(label) == code


def test_unknown_language_names_are_refused_with_the_form_to_write():
    with pytest.raises(ValueError, match="unknown language 'Elvish': write a name and a code, e.g. 'Persian \\(fa\\)'"):
        language_code("Elvish")


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
    assert report.warnings == ["survey column 'guidance_hint' is not used here (rows 2, 3)"]


BROKEN_SURVEYS = [
    ([{"type": "text", "label": "No name"}], "survey sheet: there is no 'name' column"),
    ([{"type": "text", "name": "a", "label": "A"}, {"name": "b", "label": "B"}], "survey row 3: the type is missing"),
    ([{"type": "text", "name": "", "label": "A"}, {"type": "text", "name": "b", "label": "B"}],
     "survey row 2: the name is missing"),
    ([{"type": "begin group", "name": "g", "label": "G"}, {"type": "text", "name": "a", "label": "A"}],
     "survey row 2: this 'begin group' has no 'end group'"),
    ([{"type": "text", "name": "a", "label": "A"}, {"type": "end group", "name": ""}],
     "survey row 3: 'end group' has no matching begin"),
    ([{"type": "text", "name": "a", "label::Elvish": "A"}],
     "survey column 'label::Elvish': unknown language 'Elvish': write a name and a code, e.g. 'Persian (fa)'"),
]


@pytest.mark.parametrize(("survey", "message"), BROKEN_SURVEYS, ids=[m for _, m in BROKEN_SURVEYS])
def test_broken_survey_sheets_are_refused_naming_the_row(tmp_path, survey, message):
    report = read_xlsform(make_xlsform(tmp_path / "f.xlsx", survey, settings=SETTINGS))
    assert report.definition is None
    assert any(error.startswith(message) for error in report.errors), report.errors


KEPT_ROWS = [
    ([{"type": "text", "name": "a", "label": "A", "relevant": "${nowhere} = 1"}],
     "survey row 2: relevant refers to ${nowhere}, which is no question; the question is always shown",
     {"type": "text", "name": "a", "label": {"en": "A"}}),
    ([{"type": "integer", "name": "a", "label": "A", "constraint": "frobnicate(.)"}],
     "survey row 2: constraint 'frobnicate(.)': unknown function 'frobnicate' at character 1; any answer is accepted",
     {"type": "integer", "name": "a", "label": {"en": "A"}}),
    ([{"type": "text", "name": "a", "label": "A", "parameters": "max"}],
     "survey row 2: parameters 'max' cannot be read; they are left out",
     {"type": "text", "name": "a", "label": {"en": "A"}}),
    ([{"type": "range", "name": "a", "label": "A", "parameters": "start=0 end=10 step=2"}], None,
     {"type": "range", "name": "a", "label": {"en": "A"}, "parameters": {"start": 0, "end": 10, "step": 2}}),
    ([{"type": "range", "name": "a", "label": "A", "parameters": "start=5 end=1"}],
     "survey row 2: range parameters do not make a usable slider; a slider from 1 to 10 is shown",
     {"type": "range", "name": "a", "label": {"en": "A"}, "parameters": {"start": 1, "end": 10, "step": 1}}),
    ([{"type": "geotrace", "name": "a", "label": "A"}], "survey row 2: a geotrace is typed as text here",
     {"type": "text", "name": "a", "label": {"en": "A"}}),
    ([{"type": "select_one yn", "name": "a", "label": "A"}],
     "survey row 2: the choice list 'yn' is missing; the answer is typed as text",
     {"type": "text", "name": "a", "label": {"en": "A"}}),
    ([{"type": "frobnicate", "name": "a", "label": "A"}],
     "survey row 2: type 'frobnicate' is not known here; the row is shown as a note",
     {"type": "note", "name": "a", "label": {"en": "A"}}),
    ([{"type": "calculate", "name": "c", "calculation": "frobnicate(4)"}, {"type": "integer", "name": "a", "label": "A",
                                                                     "constraint": ". < ${c}"}],
     "survey row 3: constraint reads ${c}, whose calculation cannot be done here; any answer is accepted",
     {"type": "integer", "name": "a", "label": {"en": "A"}}),
    ([{"type": "text", "name": "a", "label": "A", "default": "${b}"}, {"type": "text", "name": "b", "label": "B"}],
     "survey row 2: the default '${b}' is computed in ODK; the field starts empty",
     {"type": "text", "name": "a", "label": {"en": "A"}}),
    ([{"type": "text", "name": "a", "label": "A", "appearance": "spinner quick"}],
     "survey row 2: appearance 'spinner' is not known here; the question is shown plainly",
     {"type": "text", "name": "a", "label": {"en": "A"}, "appearance": "spinner quick"}),
    ([{"type": "text", "name": "a", "label": "A", "read_only": "yes", "default": "x"}], None,
     {"type": "text", "name": "a", "label": {"en": "A"}, "default": "x", "read_only": "true()"}),
]


@pytest.mark.parametrize(("survey", "warning", "question"), KEPT_ROWS, ids=[q["type"] + str(i) for i, (_, _, q) in
                                                                            enumerate(KEPT_ROWS)])
def test_a_row_that_cannot_work_as_written_is_kept_another_way_and_reported(tmp_path, survey, warning, question):
    report = read_xlsform(make_xlsform(tmp_path / "f.xlsx", survey, settings=SETTINGS))
    assert report.ok, report.errors
    assert question in report.definition["survey"]
    if warning:
        assert any(line.startswith(warning) for line in report.warnings), report.warnings


def test_typographic_quotes_in_expressions_become_straight_quotes_labels_keep_them(tmp_path):
    path = make_xlsform(tmp_path / "f.xlsx", [
        {"type": "text", "name": "a", "label": "“A”"},
        {"type": "text", "name": "b", "label": "B", "relevant": "${a} = “x” or ${a} = ‘y’"},
    ], settings=SETTINGS)
    survey = read_xlsform(path).definition["survey"]
    assert survey[0]["label"] == {"en": "“A”"}
    assert survey[1]["relevant"] == "${a} = \"x\" or ${a} = 'y'"


@pytest.mark.parametrize(("written", "kind"), [
    ("string", "text"), ("int", "integer"), ("q decimal", "decimal"), ("select one yn", "select_one yn"),
    ("select all that apply yn", "select_multiple yn"), ("select_one_external yn", "select_one yn"),
    ("get today", "today"), ("device id", "deviceid"), ("uri:username", "username"), ("gps", "geopoint"),
    ("location", "geopoint"), ("trigger", "acknowledge"), ("barcode", "text"), ("rank yn", "rank yn"),
    ("time", "time"), ("dateTime", "datetime"), ("photo", "image"), ("image", "image"), ("file", "file"),
    ("audio", "note"), ("video", "note"), ("start-geopoint", "start-geopoint"),
])
def test_pyxform_type_aliases_are_understood(tmp_path, written, kind):
    path = make_xlsform(tmp_path / "f.xlsx", [{"type": written, "name": "a", "label": "A"}],
                        choices=[{"list_name": "yn", "name": "y", "label": "Yes"}], settings=SETTINGS,
                        extra={"external_choices": [{"list_name": "yn", "name": "y", "label": "Yes"}]})
    report = read_xlsform(path)
    assert report.ok, report.errors
    assert report.definition["survey"][0]["type"] == kind


@pytest.mark.parametrize(("rows", "warning"), [
    ([{"type": "image", "name": "a", "label": "A", "appearance": "signature"}], "'image' to draw on cannot be kept"),
    ([{"type": "begin_repeat", "name": "r", "label": "R"}, {"type": "image", "name": "a", "label": "A"},
      {"type": "end_repeat"}], "'image' answers inside a repeat cannot be kept"),
    ([{"type": "audio", "name": "a", "label": "A"}], "'audio' answers cannot be kept offline here"),
])
def test_a_file_answer_that_cannot_work_here_stays_a_note_reported_by_row(tmp_path, rows, warning):
    report = read_xlsform(make_xlsform(tmp_path / "f.xlsx", rows, settings=SETTINGS))
    assert report.ok, report.errors
    note = report.definition["survey"][-1]
    note = note["children"][0] if note["type"] in ("repeat", "group") else note
    assert note["type"] == "note" and note["parameters"]["unavailable"]
    assert any(warning in line for line in report.warnings), report.warnings


def test_a_photo_taken_with_the_camera_imports_as_a_photo_answer_and_reports_nothing(tmp_path):
    report = read_xlsform(make_xlsform(tmp_path / "f.xlsx", [
        {"type": "image", "name": "room", "label": "Room", "appearance": "new"}], settings=SETTINGS))
    assert report.ok and report.warnings == []
    assert report.definition["survey"][0] == {"type": "image", "name": "room", "label": {"en": "Room"},
                                              "appearance": "new"}


def test_the_same_name_in_two_groups_keeps_unique_answer_keys(tmp_path):
    path = make_xlsform(tmp_path / "f.xlsx", [
        {"type": "begin_group", "name": "g1", "label": "G1"}, {"type": "text", "name": "a", "label": "A1"},
        {"type": "end_group"},
        {"type": "begin_group", "name": "g2", "label": "G2"}, {"type": "text", "name": "a", "label": "A2"},
        {"type": "text", "name": "b", "label": "B"}, {"type": "end_group"},
    ], settings=SETTINGS)
    report = read_xlsform(path)
    g1, g2 = report.definition["survey"]
    assert [g1["children"][0]["name"], g2["children"][0]["name"], g2["children"][1]["name"]] == ["g1.a", "g2.a", "b"]
    assert "survey row 3: the name 'a' is used more than once in the form, so its answers are kept as 'g1.a'" in \
        report.warnings


def test_duplicate_options_keep_the_first_and_are_reported_once(tmp_path):
    path = make_xlsform(tmp_path / "f.xlsx", [{"type": "select_one yn", "name": "a", "label": "A"}], choices=[
        {"list_name": "yn", "name": "yes", "label": "Yes"}, {"list_name": "yn", "name": "yes", "label": "Yes!"},
        {"list_name": "yn", "name": "yes", "label": "Yes!!"},
    ], settings=SETTINGS)
    report = read_xlsform(path)
    assert report.definition["choices"]["yn"] == [{"name": "yes", "label": {"en": "Yes"}}]
    assert report.warnings == ["choices: an option name appears twice in list 'yn'; only its first row is kept "
                               "(rows 3, 4)"]


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("hello")
    assert read_xlsform(path).errors == [
        "notes.xlsx is not an Excel workbook (.xlsx or .xls) or a .zip of one with its media"]


def test_a_workbook_is_read_by_its_content_whatever_its_name(tmp_path):
    path = tmp_path / "download"
    path.write_bytes(KOBO_FIXTURE.read_bytes())
    assert read_xlsform(path).definition == read_xlsform(KOBO_FIXTURE).definition


def test_a_zip_must_hold_exactly_one_workbook(tmp_path):
    path = tmp_path / "media.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.png", b"x")
    assert read_xlsform(path).errors == ["media.zip must hold exactly one XLSForm workbook; it holds no workbook"]


def test_a_zip_that_unpacks_too_large_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr("survey_app.engine.xlsform.workbook.MAX_TOTAL_BYTES", 1000)
    path = tmp_path / "big.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("form.xlsx", KOBO_FIXTURE.read_bytes())
        archive.writestr("zeros.png", b"0" * 5000)
    assert read_xlsform(path).errors == ["big.zip unpacks to more than 0 MB"]


def test_a_workbook_without_a_survey_sheet_is_refused(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "questions"
    book.create_sheet("choices")
    book.save(tmp_path / "f.xlsx")
    assert read_xlsform(tmp_path / "f.xlsx").errors == ["f.xlsx has no sheet named 'survey'"]


@pytest.mark.parametrize(("label", "code"), [
    ("What is your name?", "en"), ("Quel est votre nom ?", "fr"), ("¿Cuál es el nombre de su organización?", "es"),
    ("Qual é o nome da sua organização?", "pt"), ("نام شما چیست؟", "fa"), ("ستاسو نوم څه دی؟", "ps"),
    ("آپ کا نام کیا ہے؟", "ur"), ("ما هو اسمك؟ المدينة", "ar"),
])
def test_a_form_without_any_language_gets_one_from_its_text(tmp_path, label, code):
    path = make_xlsform(tmp_path / "f.xlsx", [{"type": "text", "name": "a", "label": label}],
                        settings={"form_id": "f", "form_title": "F"})
    report = read_xlsform(path)
    assert report.definition["settings"]["default_language"] == code
    assert any(f"taken as '{code}'" in warning for warning in report.warnings)


def test_the_default_language_option_decides_when_the_file_does_not(tmp_path):
    path = make_xlsform(tmp_path / "f.xlsx", [{"type": "text", "name": "a", "label": "A"}],
                        settings={"form_id": "f", "form_title": "F"})
    assert read_xlsform(path, default_language="fa_AF").definition["survey"][0]["label"] == {"fa_AF": "A"}
    assert read_xlsform(path, default_language="xx-nowhere").errors == [
        "--default-language 'xx-nowhere' is not a language code Babel knows"]


def test_a_form_without_a_title_is_titled_by_its_id(tmp_path):
    path = make_xlsform(tmp_path / "f.xlsx", [{"type": "text", "name": "a", "label": "A"}],
                        settings={"form_id": "visit", "default_language": "English (en)"})
    assert read_xlsform(path).definition["title"] == {"en": "visit"}


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
