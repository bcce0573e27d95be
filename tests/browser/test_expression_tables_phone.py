"""pulldata(), jr:choice-name() and once() give on the phone what the server computes from the same answers."""

import json

from sqlalchemy import create_engine
from sqlalchemy import text

from tests.browser.test_offline import wait_offline_ready
from tests.servers import LiveServer

FORM = {
    "form_id": "places", "title": "Places", "settings": {"default_language": "en"},
    "attachments": {"regions.csv": [{"code": "H1", "name": "Herat"}, {"code": "K2", "name": "Kabul"}]},
    "survey": [
        {"type": "select_one fruit", "name": "fruit", "label": "Fruit"},
        {"type": "text", "name": "code", "label": "Code"},
        {"type": "calculate", "name": "region", "calculation": "pulldata('regions.csv', 'name', 'code', ${code})"},
        {"type": "calculate", "name": "fruit_name", "calculation": "jr:choice-name(${fruit}, '${fruit}')"},
        {"type": "calculate", "name": "first_code", "calculation": "once(${code})"},
        {"type": "note", "name": "in_kabul", "label": "Kabul", "relevant": "${region} = 'Kabul'"},
        {"type": "note", "name": "pear", "label": "Pear", "relevant": "${fruit_name} = 'Green pear'"},
        {"type": "note", "name": "kept", "label": "Kept", "relevant": "${first_code} = 'H1'"},
    ],
    "choices": {"fruit": [{"name": "apple", "label": "Red apple"}, {"name": "pear", "label": "Green pear"}]},
}


def stored_answers(database_url: str) -> list[dict]:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = [row[0] for row in conn.execute(text("SELECT answers FROM submission"))]
    engine.dispose()
    return [row if isinstance(row, dict) else json.loads(row) for row in rows]


def test_attached_rows_option_labels_and_once_agree_on_phone_and_server(open_phone, tmp_path):
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "places.yaml").write_text(json.dumps(FORM), encoding="utf-8")  # JSON is YAML
    database_url = f"sqlite:///{tmp_path / 'server.db'}"
    server = LiveServer(tmp_path / "instance", database_url, folder)
    server.start()
    try:
        page = open_phone().new_page()
        page.goto(server.url + "/forms/places?lang=en")
        page.wait_for_function("() => performance.getEntriesByName('survey:ready').length")
        assert not page.is_visible("#q-in_kabul") and not page.is_visible("#q-pear") and not page.is_visible("#q-kept")
        page.locator("input[name=fruit][value=pear]").check()
        page.wait_for_selector("#q-pear", state="visible")  # the label of the option, from the page's tables
        page.fill("input[name=code]", "H1")
        page.wait_for_selector("#q-kept", state="visible")
        page.fill("input[name=code]", "K2")
        page.wait_for_selector("#q-in_kabul", state="visible")  # the row of the attached file
        assert page.is_visible("#q-kept")  # once() kept the first code
        page.click("button[type=submit]")
        page.wait_for_selector("#saved-thanks:not([hidden])")
        for _ in range(100):
            if stored_answers(database_url):
                break
            page.wait_for_timeout(100)
        assert stored_answers(database_url) == [{"fruit": "pear", "code": "K2", "region": "Kabul",
                                                 "fruit_name": "Green pear", "first_code": "H1"}]
    finally:
        server.stop()


def test_attached_rows_are_read_offline_from_the_kept_file(open_phone, tmp_path):
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "places.yaml").write_text(json.dumps(FORM), encoding="utf-8")
    server = LiveServer(tmp_path / "instance", f"sqlite:///{tmp_path / 'server.db'}", folder).start()
    try:
        phone = open_phone()
        page = phone.new_page()
        page.goto(server.url + "/forms/places?lang=en")
        page.reload()
        wait_offline_ready(page)  # the service worker has kept every questionnaire's files
        phone.set_offline(True)
        page.reload()
        page.wait_for_function("() => performance.getEntriesByName('survey:ready').length")
        page.fill("input[name=code]", "K2")
        page.wait_for_selector("#q-in_kabul", state="visible")
    finally:
        server.stop()


def test_a_questionnaire_without_these_functions_carries_no_tables(open_phone, tmp_path):
    folder = tmp_path / "forms"
    folder.mkdir()
    plain = {**FORM, "survey": FORM["survey"][:2]}
    (folder / "places.yaml").write_text(json.dumps(plain), encoding="utf-8")
    server = LiveServer(tmp_path / "instance", f"sqlite:///{tmp_path / 'server.db'}", folder)
    server.start()
    try:
        page = open_phone().new_page()
        page.goto(server.url + "/forms/places?lang=en")
        assert page.get_attribute("form.questionnaire", "data-expression-tables-url") is None
        loaded = page.evaluate("() => performance.getEntriesByType('resource').map((e) => e.name)")
        assert not [name for name in loaded if "form-tables" in name or "/form-files/" in name]
    finally:
        server.stop()


def test_instance_lookups_agree_on_phone_and_server(open_phone, tmp_path):
    from tests.test_form_files import LOOKUP

    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "lookup.yaml").write_text(json.dumps(LOOKUP), encoding="utf-8")
    database_url = f"sqlite:///{tmp_path / 'server.db'}"
    server = LiveServer(tmp_path / "instance", database_url, folder).start()
    try:
        page = open_phone().new_page()
        page.goto(server.url + "/forms/lookup?lang=en")
        page.wait_for_function("() => performance.getEntriesByName('survey:ready').length")
        page.locator("input[name=province][value=p2]").check()
        page.locator("input[name=district][value=d3]").check()
        assert not page.is_visible("#q-big")  # one district in Kabul
        page.locator("input[name=province][value=p1]").check()
        page.wait_for_selector("#q-big", state="visible")  # counted in the list the page fetched
        page.locator("input[name=district][value=d2]").check()
        page.click("button[type=submit]")
        page.wait_for_selector("#saved-thanks:not([hidden])")
        for _ in range(100):
            if stored_answers(database_url):
                break
            page.wait_for_timeout(100)
        assert stored_answers(database_url) == [{"province": "p1", "district": "d2", "district_name": "Injil",
                                                 "districts_there": 2}]
    finally:
        server.stop()
