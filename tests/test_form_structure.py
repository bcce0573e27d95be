"""Repeats, cascading selects and pages on the server-rendered page, with JavaScript off.

The test client posts what a browser without scripts posts: every field of the form, the
screens not shown included (they are drawn hidden), and the button pressed.
"""

import re
import uuid

import pytest
from sqlmodel import select

from survey_app.models import Submission

from .conftest import DATA
from .test_results import sign_in

URL = "/forms/household_visit"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "SURVEY_FORMS_DIR": str(DATA / "structure_forms")}


def answers(**changes) -> dict:
    data = {"submission_uuid": str(uuid.uuid4()), "province": "kerman", "county": "bam", "village": "v_bam1",
            "children_count": "1", "child": "0", "child/0/child_name": "Sara", "child/0/child_age": "7",
            "child/0/in_school": "yes", "member": "0", "member/0/member_name": "Ali", "member/0/job": "farm",
            "member/0/income": "1200", "member/0/phone": "0", "member/0/phone/0/phone_number": "09123456",
            "remarks": "", "_screen": "4"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def shown_screen(body: str) -> str:
    """The part of the page a participant sees: the one screen drawn without `hidden`."""
    screens = re.findall(r'<div class="screen" data-screen="(\d+)"( hidden)?>(.*?)\n</div>', body, re.S)
    visible = [(number, html) for number, hidden, html in screens if not hidden]
    assert len(visible) == 1, [number for number, hidden, _ in screens]
    return visible[0][0] + ":" + visible[0][1]


def option_shown(body: str, name: str, value: str) -> bool:
    label = re.search(rf'<label class="option"([^>]*)>\s*<input type="radio" name="{re.escape(name)}" value="{value}"',
                      body)
    assert label, (name, value)
    return " hidden" not in label.group(1)


def stored(session) -> list[Submission]:
    session.expire_all()
    return list(session.exec(select(Submission)))


def test_a_paged_questionnaire_opens_on_its_first_screen_with_progress(client):
    body = client.get(URL).data.decode()
    assert shown_screen(body).startswith("0:")
    assert 'name="province"' in shown_screen(body) and 'name="remarks"' not in shown_screen(body)
    assert "Page 1 of 5" in body
    assert 'data-page-back hidden' in body


def test_next_refuses_to_leave_a_screen_with_a_missing_answer(client, session):
    body = client.post(URL, data=answers(province="", county="", _screen="0", _page="1")).data.decode()
    assert shown_screen(body).startswith("0:")
    assert 'id="error-province" >This question needs an answer.' in body
    assert '<p class="error" id="error-child/0/child_name" hidden></p>' in body  # a later screen: not yet
    assert stored(session) == []


def test_next_moves_on_and_keeps_every_answer_in_the_page(client, session):
    body = client.post(URL, data=answers(_screen="0", _page="1", remarks="kept")).data.decode()
    assert shown_screen(body).startswith("1:")
    assert "Page 2 of 5" in body
    assert 'value="kept"' in body and 'name="member/0/member_name" type="text" value="Ali"' in body
    back = client.post(URL, data=answers(_screen="1", _page="0")).data.decode()
    assert shown_screen(back).startswith("0:")
    assert stored(session) == []


def test_sending_stores_the_instances_once(client, session):
    response = client.post(URL, data=answers())
    assert response.status_code == 302
    (submission,) = stored(session)
    assert submission.answers["member"] == [{"member_name": "Ali", "job": "farm", "income": 1200,
                                             "phone": [{"phone_number": "09123456"}]}]
    assert submission.answers["child"] == [{"child_name": "Sara", "child_age": 7, "in_school": "yes"}]


def test_sending_with_an_error_in_an_instance_opens_its_screen_and_marks_it(client, session):
    body = client.post(URL, data=answers(**{"member/0/member_name": ""})).data.decode()
    assert shown_screen(body).startswith("3:")
    assert 'id="error-member/0/member_name" >This question needs an answer.' in body
    assert stored(session) == []


def test_add_another_instance_without_javascript_keeps_the_answers(client, session):
    body = client.post(URL, data=answers(_screen="3", _add="member")).data.decode()
    assert shown_screen(body).startswith("3:")
    assert 'name="member/0/member_name" type="text" value="Ali"' in body
    assert 'name="member/1/member_name" type="text" value=""' in body
    assert 'id="error-member/1/member_name" >' not in body  # a new instance is not scolded
    nested = client.post(URL, data=answers(_screen="3", _add="member/0/phone")).data.decode()
    assert 'name="member/0/phone/1/phone_number"' in nested
    assert stored(session) == []


def test_remove_an_instance_without_javascript_renumbers_the_rest(client):
    data = answers(**{"member": ["0", "1"], "member/1/member_name": "Bahar", "_screen": "3", "_remove": "member/0"})
    body = client.post(URL, data=data).data.decode()
    assert 'name="member/0/member_name" type="text" value="Bahar"' in body
    assert 'name="member/1/member_name"' not in body


def test_repeat_count_draws_as_many_instances_as_the_answer_asks(client):
    body = client.post(URL, data=answers(children_count="3", _screen="1", _page="2")).data.decode()
    assert shown_screen(body).startswith("2:")
    assert 'name="child/0/child_name" type="text" value="Sara"' in body
    assert 'name="child/2/child_name"' in body and 'name="child/3/child_name"' not in body
    assert 'data-repeat-add' not in shown_screen(body)


def test_a_cascading_select_shows_the_options_the_answers_so_far_allow(client):
    start = client.get(URL).data.decode()
    assert not option_shown(start, "county", "bam")  # no province yet: no county
    body = client.post(URL, data=answers(county="", village="", _screen="0", _refresh="1")).data.decode()
    assert option_shown(body, "county", "bam") and option_shown(body, "county", "rafsanjan")
    assert not option_shown(body, "county", "meybod")
    assert 'data-choice-filter="${__choice.province}=${province}"' in body
    third = client.post(URL, data=answers(county="rafsanjan", village="", _screen="0", _refresh="1")).data.decode()
    assert [option_shown(third, "village", v) for v in ("v_bam1", "v_raf1", "v_mey1")] == [False, True, False]


def test_a_choice_the_filter_does_not_allow_is_refused_by_the_page(client, session):
    body = client.post(URL, data=answers(county="meybod", village="")).data.decode()
    assert 'id="error-county" >Please pick one of the options.' in body
    assert stored(session) == []


def test_or_other_asks_the_other_text_when_other_is_picked(client, session):
    client.post(URL, data=answers(**{"member/0/job": "other", "member/0/job_other": "Driver"}))
    (submission,) = stored(session)
    assert submission.answers["member"][0]["job_other"] == "Driver"


PAGED = "/forms/paged_groups"


def test_style_pages_shows_one_question_of_a_plain_group_per_screen_with_its_heading(client):
    body = client.get(PAGED).data.decode()
    first = shown_screen(body)
    assert first.startswith("0:") and "<h2>Introduction</h2>" in first
    assert 'name="consent"' in first and 'name="why_not"' not in first
    assert body.count("<h2>Introduction</h2>") == 2  # the heading on each of the group's screens
    assert "Page 1 of 3" in body  # why_not is hidden until "no": its screen is not counted


def test_next_and_back_skip_screens_with_nothing_to_show(client):
    after_yes = client.post(PAGED, data={"consent": "yes", "_screen": "0", "_page": "1"}).data.decode()
    screen = shown_screen(after_yes)
    assert screen.startswith("2:") and 'name="first"' in screen and 'name="second"' in screen
    back = client.post(PAGED, data={"consent": "yes", "_screen": "2", "_page": "1"}).data.decode()
    assert shown_screen(back).startswith("0:")
    after_no = client.post(PAGED, data={"consent": "no", "_screen": "0", "_page": "1"}).data.decode()
    assert shown_screen(after_no).startswith("1:") and 'name="why_not"' in shown_screen(after_no)


def test_the_phone_modules_load_only_on_questionnaires_that_use_them(client):
    household = client.get(URL).data.decode()
    assert 'data-extensions="repeats choice-filter pages"' in household
    assert "/js/repeats.js" in household and "/js/choice-filter.js" in household and "/js/pages.js" in household
    paged = client.get(PAGED).data.decode()
    assert 'data-extensions="pages"' in paged
    assert "/js/repeats.js" not in paged and "/js/choice-filter.js" not in paged


@pytest.mark.parametrize("odd", [
    {"member": ["x", "9" * 5000, "-1", "٣"]}, {"_remove": "member/x"}, {"_remove": "9" * 5000},
    {"_add": "nowhere/0/phone"}, {"_add": "member/" + "9" * 5000 + "/phone"}, {"_page": "abc", "_screen": "zz"},
    {"_page": "9" * 5000}, {"member/0/phone": ["0", "1"], "member": None}, {"child": ["0"] * 500},
])
def test_odd_posted_structure_is_never_a_server_error(client, session, odd):
    response = client.post(URL, data=answers(**odd))
    assert response.status_code in (200, 302)


def test_translators_preview_draws_repeats_and_pages(client, session):
    sign_in(client, session, role="translator")
    response = client.get("/translate/household_visit/fa/preview")
    assert response.status_code == 200
    assert "کودک" in response.data.decode()  # the repeat's label, in Persian


def test_expression_functions_used_inside_a_repeat_load_on_the_phone(client):
    body = client.get(URL).data.decode()  # regex() in a phone number's constraint, inside a repeat
    assert "/js/expression_functions.js" in body
