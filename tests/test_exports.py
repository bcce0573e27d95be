"""Exports: CSV, XLSX and JSON read back; headers, numbers, local times, formulas defused, filters, audit; the CLI."""

import base64
import csv
import hashlib
import io
import json

import openpyxl
import pytest
from sqlmodel import select

from survey_app.exports import defuse
from survey_app.exports import number
from survey_app.forms_store import get_version
from survey_app.models import AuditEvent

from .test_results import add_submission
from .test_results import sign_in

FORM = "sample_feedback"
PAGE = f"/organise/results/{FORM}/export"
PERSIAN = "کلاس خیلی شلوغ بود؛ بین‌المللی"
FORMULA = '=HYPERLINK("http://evil.example","click")'
META = ["uuid", "workshop", "form_id", "form_version", "lang", "started_at", "started_at_local", "submitted_at",
        "submitted_at_local", "received_at", "received_at_local", "source"]
TOPICS = ["topics/housing", "topics/work", "topics/health", "topics/other"]
CLEAR_FA = "سخنان مربی به‌راحتی قابل فهم بود."


def export(client, **fields):
    """Ask for an export as the page does (a POST; codes unless labels are given); small ones come at once."""
    return client.post(PAGE, data={"labels": "", **fields})


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
    response = export(organiser, format="csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="sample_feedback-' in response.headers["Content-Disposition"]
    rows = read_csv(response.data)
    assert list(rows[0])[:12] == META and set(TOPICS) <= set(rows[0])
    assert "topics" not in rows[0]
    first, _second, third = rows
    assert first["why_low"] == PERSIAN and first["workshop"] == "AAAA2222" and first["lang"] == "fa"
    assert [first[c] for c in TOPICS] == ["1", "0", "1", "0"]
    assert [third[c] for c in TOPICS] == ["", "", "", ""]  # not answered is not "no"
    assert first["submitted_at"] == "2026-11-20T09:01:00Z"


def test_formula_cells_are_defused_in_csv(organiser, answers):
    rows = read_csv(export(organiser, format="csv").data)
    assert rows[1]["why_low"] == "'" + FORMULA


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\uff1d1+1", "\uff0b1", "\uff0d1",
                                  "\uff20SUM(A1)", "\ufe661+1", " =1+1", "\n=1+1"])
def test_text_that_starts_like_a_formula_gets_an_apostrophe(text):
    assert defuse(text) == "'" + text


@pytest.mark.parametrize("value", ["1+1", "a=b", "", 5, -3, None, "سلام"])
def test_other_values_are_left_alone(value):
    assert defuse(value) == value


def test_xlsx_reads_back_with_openpyxl_and_formulas_are_strings(organiser, answers):
    response = export(organiser, format="xlsx")
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data))["answers"]
    header = [cell.value for cell in sheet[1]]
    assert header[:12] == META
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
    sheet = openpyxl.load_workbook(io.BytesIO(export(organiser, format="xlsx").data))["answers"]
    assert "bell here" in [cell.value for cell in sheet[2]]


def test_json_is_valid_and_keeps_lists(organiser, answers):
    response = export(organiser, format="json")
    documents = json.loads(response.data)
    assert [d["answers"].get("topics") for d in documents] == [["housing", "health"], ["work"], None]
    assert documents[0]["answers"]["why_low"] == PERSIAN and documents[0]["form_id"] == FORM


def test_labels_are_written_in_the_chosen_language(organiser, answers):
    rows = read_csv(export(organiser, format="csv", labels="fa", headers="codes").data)
    assert [row["clear_label"] for row in rows] == ["موافقم", "مخالفم", "کاملاً موافقم"]
    assert [row["clear"] for row in rows] == ["4", "2", "5"]  # the scale stays a number, its label beside it
    assert rows[0]["overall"] == "2"  # ratings stay numbers
    documents = json.loads(export(organiser, format="json", labels="en").data)
    assert documents[0]["answers"]["topics"] == ["Housing", "Health"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_small_exports_come_at_once_with_their_length_and_checksum(organiser, answers, fmt):
    response = organiser.post(PAGE, data={"format": fmt}, headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "Content-Encoding" not in response.headers
    data = response.data
    assert int(response.headers["Content-Length"]) == len(data) > 0  # a cut download is visibly short
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert response.headers["Repr-Digest"] == f"sha-256=:{digest}:"


def test_export_applies_the_filters_and_is_audited(organiser, session, answers):
    assert exports_logged(session) == []
    rows = read_csv(export(organiser, format="csv", answer_lang="fa", date_from="2026-11-20").data)
    assert len(rows) == 2 and {row["lang"] for row in rows} == {"fa"}
    (event,) = exports_logged(session)
    assert event.actor == "organiser@example.org"
    assert event.detail == {"form_id": FORM, "format": "csv", "labels": None, "headers": "labels",
                            "filters": {"lang": "fa", "date_from": "2026-11-20"}}


def test_every_row_leaves_exactly_once_across_pages(organiser, answers, monkeypatch):
    monkeypatch.setattr("survey_app.exports.PAGE_SIZE", 2)
    rows = read_csv(export(organiser, format="csv").data)
    assert len(rows) == 3 and len({row["uuid"] for row in rows}) == 3


@pytest.mark.parametrize(("fields", "message"), [
    ({"format": "pdf"}, "Please choose one of the file formats."),
    ({"format": "csv", "labels": "de"}, "Please choose one of the languages listed."),
    ({"format": "csv", "headers": "both"}, "Please choose question labels or question codes."),
    ({"format": "csv", "date_from": "31/31/31"}, "Please write a date as year/month/day"),
])
def test_bad_export_options_are_shown_next_to_the_fields(organiser, session, fields, message):
    response = organiser.post(f"{PAGE}?lang=en", data=fields)
    assert response.status_code == 400 and message in response.data.decode()
    assert exports_logged(session) == []


def test_export_page_carries_the_results_filters(organiser):
    body = organiser.get(f"{PAGE}?answer_lang=fa&lang=en").data.decode()
    assert '<option selected value="fa">' in body
    assert f'method="post" action="{PAGE}"' in body


@pytest.mark.parametrize("method", ["get", "post"])
def test_exports_need_an_organiser(client, session, method):
    assert getattr(client, method)(PAGE, data={"format": "csv"}).status_code == 302
    sign_in(client, session, role="translator")
    assert getattr(client, method)(PAGE, data={"format": "csv"}).status_code == 403


def test_cli_writes_the_file_with_labels_and_filters_and_audits(runner, session, answers, tmp_path):
    path = tmp_path / "out.csv"
    result = runner.invoke(args=["export", FORM, "--format", "csv", "-o", str(path), "--lang", "fa",
                                 "--workshop", "AAAA2222", "--code-headers"])
    assert result.exit_code == 0, result.output
    assert "wrote 2 submissions" in result.output
    rows = read_csv(path.read_bytes())
    assert [row["clear_label"] for row in rows] == ["موافقم", "کاملاً موافقم"]
    assert hashlib.sha256(path.read_bytes()).hexdigest() in result.output
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
    (row,) = read_csv(export(organiser, format="csv").data)
    assert [row[c] for c in [*TOPICS, "topics/food"]] == ["0", "0", "0", "0", "1"]


def test_cli_heads_columns_with_labels_when_a_language_is_chosen(runner, answers, tmp_path):
    path = tmp_path / "out.csv"
    assert runner.invoke(args=["export", FORM, "-o", str(path), "--lang", "fa"]).exit_code == 0
    assert CLEAR_FA in read_csv(path.read_bytes())[0]


def test_headers_are_question_labels_in_the_chosen_language_by_default(organiser, answers):
    rows = read_csv(export(organiser, format="csv", labels="fa").data)
    header = list(rows[0])
    assert CLEAR_FA in header and f"{CLEAR_FA} (برچسب)" in header  # the suffix in the language of the answers
    assert "کدام موضوع‌ها بیشتر کمک کرد؟/مسکن" in header and "clear" not in header
    assert header[:12] == META  # metadata keeps its codes, as KoboToolbox does
    assert [row[CLEAR_FA] for row in rows] == ["4", "2", "5"]


def test_codes_stay_headers_when_asked_for_or_when_no_language_is_chosen(organiser, answers):
    for fields in ({"labels": "fa", "headers": "codes"}, {"labels": "", "headers": "labels"}):
        header = list(read_csv(export(organiser, format="csv", **fields).data)[0])
        assert "clear" in header and set(TOPICS) <= set(header) and CLEAR_FA not in header


def test_xlsx_writes_scales_and_numbers_as_numbers_with_the_label_beside(organiser, answers):
    data = export(organiser, format="xlsx", labels="fa", headers="codes").data
    sheet = openpyxl.load_workbook(io.BytesIO(data))["answers"]
    header = [cell.value for cell in sheet[1]]
    column = {name: index for index, name in enumerate(header)}
    assert header.index("clear_label") == column["clear"] + 1
    first = sheet[2]
    assert first[column["clear"]].value == 4 and first[column["clear"]].data_type == "n"
    assert first[column["clear_label"]].value == "موافقم"
    assert first[column["overall"]].value == 2 and first[column["age"]].value == 30


@pytest.mark.parametrize(("labels", "page", "right_to_left"), [
    ("fa", "en", True), ("ps", "en", True), ("en", "fa", False), ("", "fa", True), ("", "en", False)])
def test_xlsx_sheet_runs_right_to_left_for_persian_dari_and_pashto(organiser, answers, labels, page, right_to_left):
    data = organiser.post(f"{PAGE}?lang={page}", data={"format": "xlsx", "labels": labels}).data
    sheet = openpyxl.load_workbook(io.BytesIO(data))["answers"]
    assert bool(sheet.sheet_view.rightToLeft) is right_to_left
    assert sheet.freeze_panes == "A2"  # the header stays in view


def test_times_are_written_in_utc_and_in_the_servers_time_zone(organiser, answers):
    first = read_csv(export(organiser, format="csv").data)[0]
    assert first["submitted_at"] == "2026-11-20T09:01:00Z"
    assert first["submitted_at_local"] == "2026-11-20T12:31:00+03:30"  # Asia/Tehran by default
    document = json.loads(export(organiser, format="json").data)[0]
    assert document["started_at_local"] == "2026-11-20T12:31:00+03:30"


def test_the_time_zone_comes_from_the_configuration(app, organiser, answers):
    app.config["SURVEY_TIME_ZONE"] = "Asia/Kabul"
    assert read_csv(export(organiser, format="csv").data)[0]["submitted_at_local"] == "2026-11-20T13:31:00+04:30"


def test_an_unknown_time_zone_stops_the_server_from_starting(monkeypatch, app_config):
    from survey_app import create_app

    monkeypatch.setenv("SURVEY_TIME_ZONE", "Asia/Nowhere")
    with pytest.raises(RuntimeError, match="SURVEY_TIME_ZONE"):
        create_app(app_config)


@pytest.mark.parametrize(("page", "english", "pashto"), [
    ("fa", "انگلیسی", "پشتو"), ("ps", "انګليسي", "پښتو"), ("en", "English", "Pashto")])
def test_the_label_menu_names_languages_in_the_readers_language(organiser, page, english, pashto):
    body = organiser.get(f"{PAGE}?lang={page}").data.decode()
    menu = body[body.index('name="labels"'):]
    menu = menu[:menu.index("</select>")]
    assert english in menu and pashto in menu
    if page != "en":
        assert "English" not in menu


@pytest.mark.parametrize(("value", "expected"), [
    ("4", 4), ("-3", -3), ("2.5", 2.5), (7, 7), (1.5, 1.5), ("NaN", "NaN"), ("inf", "inf"), ("abc", "abc"),
    ("1_0", "1_0"), ("۴", 4), ("٢٫٥", 2.5), ("४", "४"), (True, True), (None, None), ("", "")])
def test_numbers_are_written_as_numbers_and_anything_else_as_it_came(value, expected):
    assert number(value) == expected and type(number(value)) is type(expected)


def test_labels_that_start_like_a_formula_are_defused_in_headers(organiser, session):
    from survey_app.engine.definition import definition_to_dict
    from survey_app.engine.loader import load_dict
    from survey_app.forms_store import publish

    changed = definition_to_dict(load_dict(get_version(session=session, form_id=FORM).definition))
    changed["survey"][1]["children"][1]["label"]["fa"] = "=1+1"
    changed["survey"][1]["children"][3]["label"]["fa"] = "=1+1"  # worded alike: each header names one column
    version = publish(session=session, definition=changed)
    add_submission(session, version.version, {"overall": 3, "clear": "3"})
    session.commit()
    header = list(read_csv(export(organiser, format="csv", labels="fa").data)[0])
    assert "'=1+1" in header and "'=1+1 (2)" in header


def test_a_questionnaire_language_babel_does_not_know_still_exports(app):
    from survey_app.organisers.exports import export_options

    with app.test_request_context("/?lang=en"):
        options = export_options("qq", "labels", "en")
    assert options.labels == "qq" and options.label_suffix == "label" and not options.right_to_left


@pytest.mark.parametrize(("page", "selected"), [("fa", "fa"), ("en", "en"), ("fa_AF", "")])
def test_answers_are_labelled_in_the_readers_language_by_default(organiser, page, selected):
    body = organiser.get(f"{PAGE}?lang={page}").data.decode()
    menu = body[body.index('name="labels"'):]
    assert f'<option selected value="{selected}">' in menu[:menu.index("</select>")]  # no Dari in this questionnaire


def test_an_export_asked_for_without_a_label_choice_is_labelled_in_the_readers_language(organiser, answers):
    rows = read_csv(organiser.post(f"{PAGE}?lang=fa", data={"format": "csv"}).data)
    assert CLEAR_FA in rows[0] and rows[0][f"{CLEAR_FA} (برچسب)"] == "موافقم"
