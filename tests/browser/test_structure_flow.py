"""A questionnaire with a cascading select, repeats and pages, answered offline on a 360 px phone."""

import json

import pytest
from playwright.sync_api import expect

from tests.conftest import DATA
from tests.servers import LiveServer

from .test_offline import wait_draft_saved
from .test_offline import wait_offline_ready

FORM = "/forms/household_visit?lang=en"


@pytest.fixture
def server(tmp_path):
    live = LiveServer(tmp_path / "instance", f"sqlite:///{tmp_path / 'server.db'}", DATA / "structure_forms")
    live.start()
    yield live
    live.stop()


def stored_answers(server) -> list[dict]:
    import json

    from sqlalchemy import create_engine
    from sqlalchemy import text

    engine = create_engine(server.env["SURVEY_DATABASE_URL"])
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT answers FROM submission")).scalars().all()
    engine.dispose()
    return [row if isinstance(row, dict) else json.loads(row) for row in rows]


def option(page, name, value):
    return page.locator(f"label.option:has(input[name='{name}'][value='{value}'])")


def test_household_visit_answered_offline_with_pages_repeats_and_cascading_selects(server, open_phone):
    phone = open_phone()
    page = phone.new_page()
    page.goto(server.url + FORM)
    page.reload()
    wait_offline_ready(page)
    phone.set_offline(True)
    screen = lambda number: page.locator(f"[data-screen='{number}']")  # noqa: E731

    expect(page.locator("[data-progress]")).to_have_text("Page 1 of 5")
    page.click("[data-page-next]")  # a required answer is missing: the screen stays, the error shows
    expect(screen(0)).to_be_visible()
    expect(page.locator("#error-province")).to_be_visible()

    option(page, "province", "kerman").click()
    expect(option(page, "county", "bam")).to_be_visible()
    expect(option(page, "county", "meybod")).to_be_hidden()
    option(page, "county", "bam").click()
    expect(option(page, "village", "v_raf1")).to_be_hidden()
    option(page, "village", "v_bam1").click()
    page.click("[data-page-next]")
    expect(screen(1)).to_be_visible()
    expect(screen(0)).to_be_hidden()
    expect(page.locator("[data-progress]")).to_have_text("Page 2 of 5")

    page.fill("[name=children_count]", "2")
    page.click("[data-page-next]")
    expect(page.locator("[name='child/1/child_name']")).to_be_visible()
    page.fill("[name='child/0/child_name']", "Sara")
    page.fill("[name='child/0/child_age']", "7")
    page.fill("[name='child/1/child_name']", "Omid")
    page.fill("[name='child/1/child_age']", "3")
    expect(page.locator("[name='child/1/in_school'][value=yes]")).to_be_hidden()
    page.locator("[name='child/0/in_school'][value=yes]").check()
    page.click("[data-page-next]")

    page.fill("[name='member/0/member_name']", "Ali")
    option(page, "member/0/job", "other").click()
    page.fill("[name='member/0/job_other']", "Driver")
    page.locator("[data-name='member/0/phone'] [data-repeat-add]").click()
    page.fill("[name='member/0/phone/0/phone_number']", "0912345")
    page.locator("[data-repeat='member'] > [data-repeat-add]").click()
    page.fill("[name='member/1/member_name']", "Bahar")
    option(page, "member/1/job", "none").click()
    expect(page.locator("[name='member/1/income']")).to_be_hidden()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    page.click("[data-page-next]")

    page.fill("[name=remarks]", "Visited in the morning")
    page.click("[data-page-send]")
    page.wait_for_selector("#saved-thanks:not([hidden])")
    assert stored_answers(server) == []  # offline: kept on the phone

    phone.set_offline(False)  # back online: the phone sends by itself
    for _ in range(150):
        if stored_answers(server):
            break
        page.wait_for_timeout(100)
    (answers,) = stored_answers(server)
    assert answers["village"] == "v_bam1"
    assert answers["child"] == [{"child_name": "Sara", "child_age": 7, "in_school": "yes"},
                                {"child_name": "Omid", "child_age": 3}]
    assert answers["member"] == [
        {"member_name": "Ali", "job": "other", "job_other": "Driver", "phone": [{"phone_number": "0912345"}]},
        {"member_name": "Bahar", "job": "none"}]
    assert answers["remarks"] == "Visited in the morning"


def test_pages_skip_a_screen_whose_question_is_not_relevant(server, open_phone):
    page = open_phone().new_page()
    page.goto(server.url + "/forms/paged_groups?lang=en")
    page.wait_for_function("() => performance.getEntriesByName('survey:ready').length > 0")
    expect(page.locator("[data-progress]")).to_have_text("Page 1 of 3")
    page.locator("input[name=consent][value=yes]").check()
    page.click("[data-page-next]")
    expect(page.locator("[name=first]")).to_be_visible()
    expect(page.locator("[name=why_not]")).to_be_hidden()
    expect(page.locator("[data-progress]")).to_have_text("Page 2 of 3")
    page.click("[data-page-back]")
    expect(page.locator("[name=consent][value=yes]")).to_be_visible()
    page.locator("input[name=consent][value=no]").check()
    expect(page.locator("[data-progress]")).to_have_text("Page 1 of 4")
    page.click("[data-page-next]")
    expect(page.locator("[name=why_not]")).to_be_visible()


def type_into(page, name, value):
    """Type into a field of a screen not shown (the draft does not care which screen is shown)."""
    page.locator(f"[name='{name}']").evaluate(
        "(el, value) => { el.value = value; el.dispatchEvent(new Event('input', {bubbles: true})); }", value)


def test_a_draft_keeps_the_instances_of_its_repeats(server, open_phone):
    page = open_phone().new_page()
    page.goto(server.url + FORM)
    page.wait_for_function("() => performance.getEntriesByName('survey:ready').length > 0")
    page.locator("[data-repeat='member'] > [data-repeat-add]").dispatch_event("click")
    page.locator("[data-name='member/1/phone'] [data-repeat-add]").dispatch_event("click")
    type_into(page, "member/0/member_name", "Ali")
    type_into(page, "member/1/member_name", "Bahar")
    type_into(page, "member/1/phone/0/phone_number", "5555")
    wait_draft_saved(page, lambda raw: "5555" in json.dumps(raw))
    page.reload()
    page.click("#draft-offer [data-action=restore]")
    assert page.input_value("[name='member/1/member_name']") == "Bahar"
    assert page.input_value("[name='member/1/phone/0/phone_number']") == "5555"
    assert page.input_value("[name='member/0/member_name']") == "Ali"
