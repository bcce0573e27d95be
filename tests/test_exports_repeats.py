"""Answers inside repeats in results (each instance counts) and in exports (a table per repeat)."""

import csv
import io
import zipfile

import openpyxl
import pytest

from survey_app import results

from .conftest import DATA
from .test_form_structure import URL
from .test_form_structure import answers
from .test_results import sign_in

EXPORT = "/organise/results/household_visit/export"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "SURVEY_FORMS_DIR": str(DATA / "structure_forms")}


@pytest.fixture
def two_households(client, session):
    """Two households sent through the page: 1 child + 2 adults (3 phones), 2 children + 1 adult (no phone)."""
    first = answers(**{"member": ["0", "1"], "member/1/member_name": "=1+2", "member/1/job": "none",
                       "member/0/phone": ["0", "1"], "member/0/phone/1/phone_number": "1234",
                       "member/1/phone": "0", "member/1/phone/0/phone_number": "5555"})
    second = answers(province="yazd", county="meybod", village="v_mey1", children_count="2",
                     **{"child": ["0", "1"], "child/1/child_name": "Omid", "child/1/child_age": "8",
                        "child/1/in_school": "no", "member/0/job": "none", "member/0/phone": None,
                        "member/0/phone/0/phone_number": None})
    for data in (first, second):
        assert client.post(URL, data=data).status_code == 302
    session.commit()
    return first["submission_uuid"], second["submission_uuid"]


def test_results_count_each_instance_of_a_repeat(session, two_households):
    summary = results.summarise(session=session, form_id="household_visit", filters=results.Filters())
    by_name = {item.item.name: item for item in summary.questions}
    assert summary.total == 2
    assert by_name["in_school"].answered == 3  # Sara, Sara again, Omid: one per child
    assert dict(by_name["in_school"].counts) == {"yes": 2, "no": 1}
    assert by_name["job"].answered == 3 and dict(by_name["job"].counts)["none"] == 2
    assert by_name["province"].answered == 2


def test_xlsx_has_one_sheet_per_repeat_linked_to_its_parent(client, session, two_households):
    sign_in(client, session)
    response = client.post(EXPORT, data={"format": "xlsx", "labels": "", "headers": "codes"})
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["answers", "child", "member", "phone"]
    main = list(book["answers"].values)
    assert "child_name" not in main[0] and "province" in main[0]
    member = [dict(zip(book["member"].values.__next__(), row, strict=True)) for row in list(book["member"].values)[1:]]
    assert [(m["_index"], m["_parent_table"], m["_parent_index"], m["member_name"]) for m in member] == [
        (1, "answers", 1, "Ali"), (2, "answers", 1, "'=1+2"), (3, "answers", 2, "Ali")]
    assert {m["_submission_uuid"] for m in member} == set(two_households)
    phones = list(book["phone"].values)
    assert phones[0][:4] == ("_index", "_parent_table", "_parent_index", "_submission_uuid")
    assert [(row[0], row[1], row[2], row[4]) for row in phones[1:]] == [
        (1, "member", 1, "09123456"), (2, "member", 1, "1234"), (3, "member", 2, "5555")]
    children = list(book["child"].values)
    assert [row[4] for row in children[1:]] == ["Sara", "Sara", "Omid"]


def test_csv_of_a_questionnaire_with_repeats_is_a_zip_of_one_file_per_table(client, session, two_households):
    sign_in(client, session)
    response = client.post(EXPORT, data={"format": "csv", "labels": "", "headers": "codes"})
    assert response.headers["Content-Type"] == "application/zip"
    assert ".zip" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.namelist() == ["answers.csv", "child.csv", "member.csv", "phone.csv"]
    tables = {name: list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
              for name in archive.namelist()}
    assert len(tables["answers.csv"]) == 2
    assert [row["member_name"] for row in tables["member.csv"]] == ["Ali", "'=1+2", "Ali"]
    assert [row["phone_number"] for row in tables["phone.csv"]] == ["09123456", "1234", "5555"]
    assert [row["_parent_index"] for row in tables["phone.csv"]] == ["1", "1", "2"]
    assert archive.read("child.csv").startswith(b"\xef\xbb\xbf")


def test_results_page_shows_questions_inside_repeats(client, session, two_households):
    sign_in(client, session)
    body = client.get("/organise/results/household_visit?lang=en").data.decode()
    assert "Goes to school?" in body and "Child&#39;s name" in body


def test_written_answers_inside_repeats_are_counted_not_listed(client, session, two_households):
    summary = results.summarise(session=session, form_id="household_visit", filters=results.Filters())
    child_name = next(item for item in summary.questions if item.item.name == "child_name")
    assert child_name.item.in_repeat and child_name.answered == 3
    sign_in(client, session)
    assert client.get("/organise/results/household_visit/answers/child_name").status_code == 404


def test_repeat_tables_are_worded_like_the_answers_sheet(client, session, two_households):
    sign_in(client, session)
    response = client.post(EXPORT, data={"format": "xlsx", "labels": "en", "headers": "labels"})
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    member = list(book["member"].values)
    assert member[0][:6] == ("_index", "_parent_table", "_parent_index", "_submission_uuid", "Name", "Work")
    assert [row[5] for row in member[1:]] == ["Farming", "No work", "No work"]
    assert book["member"].sheet_view.rightToLeft is False
