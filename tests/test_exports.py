"""Exports: CSV, XLSX and JSON read back, formula cells defused, streamed, filtered, audited; the CLI."""

import csv
import io
import json

import openpyxl
import pytest
from sqlmodel import select

from survey_app.exports import defuse
from survey_app.forms_store import get_version
from survey_app.models import AuditEvent

from .test_results import add_submission
from .test_results import sign_in

FORM = "sample_feedback"
URL = f"/organise/results/{FORM}/export/download"
PERSIAN = "کلاس خیلی شلوغ بود؛ بین‌المللی"
FORMULA = '=HYPERLINK("http://evil.example","click")'
META = ["uuid", "workshop", "form_id", "form_version", "lang", "started_at", "submitted_at", "received_at", "source"]
TOPICS = ["topics/housing", "topics/work", "topics/health", "topics/other"]


@pytest.fixture
def answers(session):
    """Three submissions: Persian text in workshop A, a formula in English, and one without topics."""
    version = get_version(session=session, form_id=FORM).version
    add_submission(session, version, {"overall": 2, "why_low": PERSIAN, "clear": "4", "topics": ["housing", "health"],
                                      "age": 30}, workshop="AAAA2222", minute=1)
    add_submission(session, version, {"overall": 1, "why_low": FORMULA, "clear": "2", "topics": ["work"],
                                      "hours": 2.5}, lang="en", minute=2)
    add_submission(session, version, {"overall": 5, "clear": "5"}, workshop="AAAA2222", minute=3)
    session.commit()


def exports_logged(session) -> list[AuditEvent]:
    """Read the export events, then end the transaction so the app can write (SQLite)."""
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "export")).all()
    session.commit()
    return events


def read_csv(data: bytes) -> list[dict]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture
def organiser(client, session):
    sign_in(client, session)
    return client


def test_csv_reads_back_with_bom_persian_text_and_one_column_per_option(organiser, answers):
    response = organiser.get(f"{URL}?format=csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="sample_feedback-' in response.headers["Content-Disposition"]
    rows = read_csv(response.data)
    assert list(rows[0])[:9] == META and set(TOPICS) <= set(rows[0])
    assert "topics" not in rows[0]
    first, _second, third = rows
    assert first["why_low"] == PERSIAN and first["workshop"] == "AAAA2222" and first["lang"] == "fa"
    assert [first[c] for c in TOPICS] == ["1", "0", "1", "0"]
    assert [third[c] for c in TOPICS] == ["", "", "", ""]  # not answered is not "no"
    assert first["submitted_at"] == "2026-11-20T09:01:00Z"


def test_formula_cells_are_defused_in_csv(organiser, answers):
    rows = read_csv(organiser.get(f"{URL}?format=csv").data)
    assert rows[1]["why_low"] == "'" + FORMULA


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_text_that_starts_like_a_formula_gets_an_apostrophe(text):
    assert defuse(text) == "'" + text


@pytest.mark.parametrize("value", ["1+1", "a=b", "", 5, -3, None, "سلام"])
def test_other_values_are_left_alone(value):
    assert defuse(value) == value


def test_xlsx_reads_back_with_openpyxl_and_formulas_are_strings(organiser, answers):
    response = organiser.get(f"{URL}?format=xlsx")
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data))["answers"]
    header = [cell.value for cell in sheet[1]]
    assert header[:9] == META
    column = {name: index for index, name in enumerate(header)}
    first, second = sheet[2], sheet[3]
    assert first[column["why_low"]].value == PERSIAN
    assert [first[column[c]].value for c in TOPICS] == [1, 0, 1, 0]
    assert second[column["why_low"]].value == "'" + FORMULA and second[column["why_low"]].data_type == "s"
    assert second[column["hours"]].value == 2.5


def test_xlsx_drops_control_characters_a_spreadsheet_cannot_hold(organiser, session):
    version = get_version(session=session, form_id=FORM).version
    add_submission(session, version, {"overall": 1, "why_low": "bell\x07 here"})
    session.commit()
    sheet = openpyxl.load_workbook(io.BytesIO(organiser.get(f"{URL}?format=xlsx").data))["answers"]
    assert "bell here" in [cell.value for cell in sheet[2]]


def test_json_is_valid_and_keeps_lists(organiser, answers):
    response = organiser.get(f"{URL}?format=json")
    documents = json.loads(response.data)
    assert [d["answers"].get("topics") for d in documents] == [["housing", "health"], ["work"], None]
    assert documents[0]["answers"]["why_low"] == PERSIAN and documents[0]["form_id"] == FORM


def test_labels_are_written_in_the_chosen_language(organiser, answers):
    rows = read_csv(organiser.get(f"{URL}?format=csv&labels=fa").data)
    assert [row["clear"] for row in rows] == ["موافقم", "مخالفم", "کاملاً موافقم"]
    assert rows[0]["overall"] == "2"  # ratings stay numbers
    documents = json.loads(organiser.get(f"{URL}?format=json&labels=en").data)
    assert documents[0]["answers"]["topics"] == ["Housing", "Health"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_exports_are_streamed(organiser, answers, fmt):
    response = organiser.get(f"{URL}?format={fmt}")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data  # reading it to the end also ends the request


def test_export_applies_the_filters_and_is_audited(organiser, session, answers):
    assert exports_logged(session) == []
    rows = read_csv(organiser.get(f"{URL}?format=csv&answer_lang=fa&date_from=2026-11-20").data)
    assert len(rows) == 2 and {row["lang"] for row in rows} == {"fa"}
    (event,) = exports_logged(session)
    assert event.actor == "organiser@example.org"
    assert event.detail == {"form_id": FORM, "format": "csv", "labels": None,
                            "filters": {"lang": "fa", "date_from": "2026-11-20"}}


def test_every_row_leaves_exactly_once_across_pages(organiser, answers, monkeypatch):
    monkeypatch.setattr("survey_app.exports.PAGE_SIZE", 2)
    rows = read_csv(organiser.get(f"{URL}?format=csv").data)
    assert len(rows) == 3 and len({row["uuid"] for row in rows}) == 3


@pytest.mark.parametrize(("query", "message"), [
    ("format=pdf", "Please choose one of the file formats."),
    ("format=csv&labels=de", "Please choose one of the languages listed."),
    ("format=csv&date_from=31/31/31", "Please write a date as year/month/day"),
])
def test_bad_export_options_are_shown_next_to_the_fields(organiser, session, query, message):
    response = organiser.get(f"{URL}?{query}&lang=en")
    assert response.status_code == 400 and message in response.data.decode()
    assert exports_logged(session) == []


def test_export_page_carries_the_results_filters(organiser):
    body = organiser.get(f"/organise/results/{FORM}/export?answer_lang=fa&lang=en").data.decode()
    assert '<option selected value="fa">' in body
    assert f'action="{URL}"' in body


@pytest.mark.parametrize("path", [URL + "?format=csv", f"/organise/results/{FORM}/export"])
def test_exports_need_an_organiser(client, session, path):
    assert client.get(path).status_code == 302
    sign_in(client, session, role="translator")
    assert client.get(path).status_code == 403


def test_cli_writes_the_file_with_labels_and_filters_and_audits(runner, session, answers, tmp_path):
    path = tmp_path / "out.csv"
    result = runner.invoke(args=["export", FORM, "--format", "csv", "-o", str(path), "--lang", "fa",
                                 "--workshop", "AAAA2222"])
    assert result.exit_code == 0, result.output
    assert "wrote 2 submissions" in result.output
    rows = read_csv(path.read_bytes())
    assert [row["clear"] for row in rows] == ["موافقم", "کاملاً موافقم"]
    (event,) = exports_logged(session)
    assert event.actor == "cli" and event.detail["filters"] == {"workshop": "AAAA2222"}
    assert not (tmp_path / "out.csv.part").exists()


@pytest.mark.parametrize("fmt", ["xlsx", "json"])
def test_cli_writes_other_formats(runner, answers, tmp_path, fmt):
    path = tmp_path / f"out.{fmt}"
    assert runner.invoke(args=["export", FORM, "--format", fmt, "-o", str(path)]).exit_code == 0
    if fmt == "json":
        assert len(json.loads(path.read_bytes())) == 3
    else:
        assert openpyxl.load_workbook(path)["answers"].max_row == 4


@pytest.mark.parametrize(("args", "message"), [
    (["nope", "-o", "x.csv"], "no questionnaire called nope"),
    ([FORM, "-o", "x.csv", "--format", "pdf"], "Invalid value"),
    ([FORM, "-o", "x.csv", "--from", "soon"], "write a day as"),
])
def test_cli_refuses_bad_arguments(runner, args, message):
    result = runner.invoke(args=["export", *args])
    assert result.exit_code != 0 and message in result.output


def test_a_single_answer_from_a_version_that_asked_choose_one_fills_the_option_column(organiser, session):
    from survey_app.engine.definition import definition_to_dict
    from survey_app.engine.loader import load_dict
    from survey_app.forms_store import publish

    current = get_version(session=session, form_id=FORM)
    older = definition_to_dict(load_dict(current.definition))
    topics = older["survey"][2]["children"][2]
    topics["type"], topics["constraint"] = "select_one topics", None
    older["choices"]["topics"].append({"name": "food", "label": {"en": "Food"}})
    old = publish(session=session, definition=older)
    publish(session=session, definition=current.definition)
    add_submission(session, old.version, {"overall": 4, "topics": "food"})
    session.commit()
    (row,) = read_csv(organiser.get(f"{URL}?format=csv").data)
    assert [row[c] for c in [*TOPICS, "topics/food"]] == ["0", "0", "0", "0", "1"]
