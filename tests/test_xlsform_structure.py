"""XLSForm structure: repeats with counts, cascading selects, pages and or_other, read the way pyxform reads them."""

import pytest
from pyxform.xls2xform import convert

from survey_app.engine.definition import definition_to_dict
from survey_app.engine.loader import load_dict
from survey_app.engine.validation import validate
from survey_app.engine.xlsform import read_xlsform
from survey_app.engine.xlsform import write_xlsform

from .test_structured_check import HOUSEHOLD
from .test_structured_check import TODAY
from .test_xlsform import make_xlsform

SURVEY = [
    {"type": "select_one region", "name": "region", "label": "Region"},
    {"type": "select_one district", "name": "district", "label": "District", "choice_filter": "region=${region}"},
    {"type": "integer", "name": "visits", "label": "Visits"},
    {"type": "begin_repeat", "name": "visit", "label": "Visit", "repeat_count": "${visits}"},
    {"type": "begin_group", "name": "when", "label": "When", "appearance": "field-list", "repeat_count": "${visits}"},
    {"type": "date", "name": "visit_date", "label": "Date", "required": "yes"},
    {"type": "end_group"},
    {"type": "select_one reason or_other", "name": "reason", "label": "Why"},
    {"type": "calculate", "name": "visit_no", "calculation": "${visits}"},
    {"type": "end_repeat"},
]
CHOICES = [
    {"list_name": "region", "name": "north", "label": "North"},
    {"list_name": "region", "name": "south", "label": "South"},
    {"list_name": "district", "name": "d1", "label": "D1", "region": "north"},
    {"list_name": "district", "name": "d2", "label": "D2", "region": "south"},
    {"list_name": "reason", "name": "health", "label": "Health"},
]
SETTINGS = {"form_id": "visits", "form_title": "Visits", "default_language": "English (en)",
            "style": "pages theme-grid"}


@pytest.fixture
def workbook(tmp_path):
    return make_xlsform(tmp_path / "visits.xlsx", SURVEY, CHOICES, SETTINGS)


def test_pyxform_accepts_the_workbook(workbook):
    assert "jr:count" in convert(str(workbook), warnings=[]).xform


def test_repeats_filters_pages_and_or_other_are_imported(workbook):
    report = read_xlsform(workbook)
    assert report.ok, report.errors
    form = report.definition
    assert form["settings"]["style"] == "pages"
    assert any("theme-grid" in warning for warning in report.warnings)
    assert "survey row 6: repeat_count is ignored: only a repeat has a number of instances" in report.warnings
    visit = form["survey"][3]
    assert visit["type"] == "repeat" and visit["repeat_count"] == "${visits}"
    assert [child["name"] for child in visit["children"]] == ["when", "reason", "reason_other", "visit_no"]
    assert visit["children"][0]["appearance"] == "field-list"
    assert form["survey"][1]["choice_filter"] == "region=${region}"
    assert form["choices"]["district"][0]["data"] == {"region": "north"}
    assert [c["name"] for c in form["choices"]["reason_or_other"]] == ["health", "other"]


def test_imported_workbook_checks_instances(workbook):
    form = load_dict(read_xlsform(workbook).definition)
    outcome = validate(form, {"region": "north", "district": "d2", "visits": "2",
                              "visit": [{"visit_date": "2026-01-01", "reason": "other", "reason_other": "Work"}]},
                       today=TODAY)
    assert set(outcome.errors) == {"district", "visit/1/visit_date"}
    assert outcome.answers["visit"][0] == {"visit_date": "2026-01-01", "reason": "other", "reason_other": "Work",
                                           "visit_no": 2}


def test_structure_survives_export_and_import(tmp_path):
    original = definition_to_dict(HOUSEHOLD)
    path = tmp_path / "household.xlsx"
    path.write_bytes(write_xlsform(original))
    assert "jr:count" in convert(str(path), warnings=[]).xform
    imported = read_xlsform(path)
    assert imported.ok, imported.errors
    assert imported.definition == original
