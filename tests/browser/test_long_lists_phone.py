"""Long choice lists on a phone: type to find an option, the cascade's filter applied, offline too."""

import json

import pytest
from playwright.sync_api import expect

from tests.big_lists import big_list_form
from tests.browser.test_expression_tables_phone import stored_answers
from tests.browser.test_offline import wait_offline_ready
from tests.servers import LiveServer


def start_server(tmp_path):
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "villages.yaml").write_text(json.dumps(big_list_form(), ensure_ascii=False), encoding="utf-8")
    database_url = f"sqlite:///{tmp_path / 'server.db'}"
    return LiveServer(tmp_path / "instance", database_url, folder).start(), database_url


pytestmark = pytest.mark.slow  # a server with a 4,500-option questionnaire, a phone, its service worker


def options(page, name):
    return page.locator(f"#q-{name} [data-list-options] input")


def test_typing_finds_options_of_a_long_cascade_with_arabic_spelling_and_persian_digits(open_phone, tmp_path):
    server, database_url = start_server(tmp_path)
    try:
        page = open_phone().new_page()
        page.goto(server.url + "/forms/villages?lang=fa")
        page.wait_for_function("() => performance.getEntriesByName('survey:ready').length")
        expect(page.locator("[data-list-search-button]")).to_have_count(0)  # scripts search as one types
        expect(options(page, "district")).to_have_count(0)
        expect(page.locator("#status-district")).not_to_be_empty()
        page.locator("input[name=province][value=p3]").check()
        expect(options(page, "district")).to_have_count(12)  # the filter leaves twelve: all shown
        page.fill("#s-district", "كلا ۳۱۱")  # an Arabic kaf finds the Persian one, Persian digits the Latin ones
        expect(options(page, "district")).to_have_count(1)
        options(page, "district").first.check()
        assert options(page, "district").first.get_attribute("value") == "p3d11"
        expect(options(page, "village")).to_have_count(10)
        page.fill("#s-village", "۳۱۱۰۷")
        expect(options(page, "village")).to_have_count(1)
        options(page, "village").first.check()
        page.locator("input[name=province][value=p4]").check()  # another province: the district is taken away
        expect(page.locator("input[name=district]:checked")).to_have_count(0)
        expect(page.locator("input[name=village]:checked")).to_have_count(0)
        page.fill("#s-district", "")
        page.locator("input[name=district][value=p4d5]").check()
        page.fill("#s-village", "")
        page.locator("input[name=village][value=p4d5v2]").check()
        page.click("button.primary[type=submit]")
        page.wait_for_selector("#saved-thanks:not([hidden])")
        for _ in range(100):
            if stored_answers(database_url):
                break
            page.wait_for_timeout(100)
        assert stored_answers(database_url) == [{"province": "p4", "district": "p4d5", "village": "p4d5v2"}]
    finally:
        server.stop()


def test_a_long_list_is_searched_offline_from_the_kept_file(open_phone, tmp_path):
    server, _ = start_server(tmp_path)
    try:
        phone = open_phone()
        page = phone.new_page()
        page.goto(server.url + "/forms/villages?lang=en")
        page.reload()
        wait_offline_ready(page)
        phone.set_offline(True)
        page.goto(server.url + "/forms/villages?lang=fa")  # never opened in Persian: its list was precached
        page.wait_for_function("() => performance.getEntriesByName('survey:ready').length")
        expect(page.locator("[data-list-search-button]")).to_have_count(0)
        page.locator("input[name=province][value=p7]").check()
        page.fill("#s-district", "7")
        expect(options(page, "district")).to_have_count(12)
        page.fill("#s-district", "۷۰۹")
        expect(options(page, "district")).to_have_count(1)
        expect(page.locator("#status-district")).to_have_text("")
    finally:
        server.stop()
