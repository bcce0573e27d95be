"""Imported XLSForm questions in a real browser: answers shown inside labels as they are typed,
metadata filled from the phone, a long scale as a slider, and the plain forms not loading any of it."""

import subprocess
import sys

from tests.browser.conftest import CHROMIUM
from tests.browser.conftest import CHROMIUM_ARGS
from tests.browser.test_structure_flow import stored_answers
from tests.test_xlsform_corpus import CORPUS


def import_forms(server, *names):
    """Import corpus workbooks (by file name) or other workbooks (by path) into the server, as staff do."""
    for name in names:
        result = subprocess.run([sys.executable, "-m", "flask", "--app", "survey_app", "forms", "import",
                                 str(CORPUS / name)], env=server.env, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr


def test_answers_metadata_and_sliders_work_on_the_phone(server, open_phone):
    import_forms(server, "markdown_labels.xlsx", "metadata_rows.xlsx", "ranges.xlsx")
    page = open_phone().new_page()
    page.goto(server.url + "/forms/markdown_labels")
    page.fill("#f-name", "Zahra")
    page.wait_for_function("() => document.querySelector('[data-ref=name]').textContent === 'Zahra'")
    assert page.inner_text("#q-years label").startswith("How many years have you worked, Zahra?")

    page.goto(server.url + "/forms/metadata_rows")
    page.wait_for_function("() => document.querySelector('[data-meta=deviceid]').value.startsWith('web:')")
    device = page.input_value("[data-meta=deviceid]")
    assert page.input_value("[data-meta=start]").endswith("Z")
    page.reload()
    page.wait_for_function("() => document.querySelector('[data-meta=deviceid]').value.startsWith('web:')")
    assert page.input_value("[data-meta=deviceid]") == device  # the same phone keeps its id

    page.goto(server.url + "/forms/ranges")
    slider = page.locator("[data-slider-for=f-percent]")
    slider.wait_for(state="visible")
    slider.fill("85")
    assert page.input_value("#f-percent") == "85"
    assert page.locator("#q-confidence input[type=radio]").count() == 11  # a short scale stays radio buttons


def test_a_location_comes_from_the_phone_with_its_accuracy(server, open_phone):
    import_forms(server, "location_and_barcode.xlsx")
    phone = open_phone()
    phone.grant_permissions(["geolocation"])
    phone.set_geolocation({"latitude": 35.6892, "longitude": 51.389, "accuracy": 12})
    page = phone.new_page()
    page.goto(server.url + "/forms/location_and_barcode")
    page.get_by_role("button", name="Use my location").click()
    page.wait_for_function("() => document.querySelector('#f-venue').value !== ''")
    assert page.input_value("#f-venue") == "35.6892 51.389 0 12"
    assert "12 metres" in page.inner_text("[data-geopoint-status]")
    page.wait_for_function("() => document.querySelector('[data-meta=\"start-geopoint\"]').value !== ''")


def test_a_filtered_drop_down_offers_only_the_allowed_options_live(server, open_phone):
    import_forms(server, "cascading_dropdowns.xlsx")
    page = open_phone().new_page()
    page.goto(server.url + "/forms/cascading_dropdowns")
    page.wait_for_function("() => performance.getEntriesByName('survey:ready').length")
    page.select_option("select[name=province]", "herat")
    page.wait_for_function("() => !document.querySelector('option[value=guzara]').hidden")
    assert page.evaluate("() => document.querySelector('option[value=paghman]').hidden")
    assert page.evaluate("() => document.querySelector('option[value=paghman]').disabled")


def test_a_plain_form_loads_no_xlsform_module(server, playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    page = browser.new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(server.url + "/forms/sample_feedback", wait_until="networkidle")
    assert not [url for url in requested if "xlsform" in url or "odk-markdown" in url]
    browser.close()


def test_a_read_only_total_and_a_loop_over_a_list_work_live_on_the_phone(server, open_phone, tmp_path):
    from tests.data.make_xlsform_corpus import xlsx

    survey = [{"type": "integer", "name": "men", "label": "Men"},
              {"type": "integer", "name": "women", "label": "Women"},
              {"type": "integer", "name": "total", "label": "Total", "read_only": "yes",
               "calculation": "coalesce(${men},0) + coalesce(${women},0)"},
              {"type": "select_multiple transport", "name": "available", "label": "Which are available?"},
              {"type": "begin loop over transport", "name": "each"},
              {"type": "text", "name": "cost", "label": "What does %(label)s cost?",
               "relevant": "selected(${available}, '%(name)s')"},
              {"type": "end loop"}]
    choices = [{"list_name": "transport", "name": "bus", "label": "the bus"},
               {"list_name": "transport", "name": "taxi", "label": "a taxi"}]
    path = tmp_path / "live_total.xlsx"
    path.write_bytes(xlsx(survey, choices, {"form_id": "live_total", "form_title": "Live total"}))
    import_forms(server, path)
    page = open_phone().new_page()
    page.goto(server.url + "/forms/live_total")
    page.wait_for_function("() => performance.getEntriesByName('survey:ready').length")
    page.fill("#f-men", "2")
    page.fill("#f-women", "3")
    page.wait_for_function("() => document.querySelector('[data-ref=total]').textContent === '5'")
    assert page.locator("#q-bus\\.cost").is_hidden() and page.locator("#q-taxi\\.cost").is_hidden()
    page.locator("#q-available input[value=taxi]").check()
    page.locator("#q-taxi\\.cost").wait_for(state="visible")
    assert "What does a taxi cost?" in page.inner_text("#q-taxi\\.cost")
    assert page.locator("#q-bus\\.cost").is_hidden()


def test_a_drop_down_inside_a_repeat_is_accepted_on_the_phone(server, open_phone, tmp_path):
    from tests.data.make_xlsform_corpus import xlsx

    survey = [{"type": "integer", "name": "maps", "label": "How many maps?"},
              {"type": "begin repeat", "name": "map", "label": "Map", "repeat_count": "${maps}"},
              {"type": "select_one who", "name": "drawn_by", "label": "Who drew it?", "required": "yes",
               "appearance": "minimal"},
              {"type": "end repeat"}]
    choices = [{"list_name": "who", "name": "women", "label": "Women"},
               {"list_name": "who", "name": "elders", "label": "Elders"}]
    path = tmp_path / "repeat_drop_down.xlsx"
    path.write_bytes(xlsx(survey, choices, {"form_id": "repeat_drop_down", "form_title": "Maps"}))
    import_forms(server, path)
    page = open_phone().new_page()
    page.goto(server.url + "/forms/repeat_drop_down")
    page.wait_for_function("() => performance.getEntriesByName('survey:ready').length")
    page.fill("input[name=maps]", "2")
    page.locator("select[name='map/1/drawn_by']").wait_for()
    page.select_option("select[name='map/0/drawn_by']", "women")
    page.select_option("select[name='map/1/drawn_by']", "elders")
    assert page.locator("#error-map\\/0\\/drawn_by").is_hidden()
    page.evaluate("() => document.querySelector('form.questionnaire').requestSubmit()")
    page.wait_for_selector("#saved-thanks:not([hidden])")  # accepted by the page's checks and kept
    assert page.evaluate("() => document.querySelector('#summary').hidden")
    assert page.locator("#error-map\\/1\\/drawn_by").is_hidden()


def test_a_ranking_and_a_time_answered_on_the_phone_are_sent(server, open_phone):
    """Each place of a rank lists the same options (counted once), and a time needs the widgets' readers."""
    import_forms(server, "rank_topics.xlsx", "type_aliases.xlsx")
    page = open_phone().new_page()
    page.goto(server.url + "/forms/rank_topics")
    page.wait_for_function("() => performance.getEntriesByName('survey:ready').length")
    for place, topic in enumerate(["work", "law", "health"]):
        page.locator("#q-order select").nth(place).select_option(topic)
    page.click("button[type=submit]")
    page.wait_for_selector("#saved-thanks:not([hidden])")
    assert page.locator("#error-order").is_hidden()

    page.goto(server.url + "/forms/type_aliases")
    page.wait_for_function("() => performance.getEntriesByName('survey:ready').length")
    page.fill("#f-arrived", "09:30")
    page.click("button[type=submit]")
    page.wait_for_selector("#saved-thanks:not([hidden])")
    for _ in range(150):
        if len(answers := stored_answers(server)) == 2:
            break
        page.wait_for_timeout(100)
    assert {"order": ["work", "law", "health"]} in answers
    assert {"arrived": "09:30"} in answers
