"""The rows pulldata() reads travel as the form version's own file, not inside every page."""

import hashlib
import re

import pytest
from sqlmodel import select

from survey_app.forms_store import publish
from survey_app.models import Submission

ROWS = [{"code": f"C{n}", "name": f"Place number {n}"} for n in range(300)]
FORM = {
    "form_id": "places", "title": "Places", "settings": {"default_language": "en"},
    "attachments": {"regions.csv": ROWS},
    "survey": [
        {"type": "text", "name": "code", "label": "Code"},
        {"type": "calculate", "name": "region", "calculation": "pulldata('regions.csv', 'name', 'code', ${code})"},
    ],
}


@pytest.fixture
def places(session):
    return publish(session=session, definition=FORM)


def test_the_page_names_the_rows_file_instead_of_carrying_the_rows(client, places):
    page = client.get("/forms/places?lang=en").get_data(as_text=True)
    assert "Place number 299" not in page
    url = re.search(r'data-expression-tables-url="([^"]+)"', page).group(1)
    assert 'data-extensions="form-tables"' in page
    assert f'<link rel="preload" href="{url}" as="fetch" crossorigin>' in page
    response = client.get(url)
    assert hashlib.sha256(response.data).hexdigest() == url.rsplit("/", 1)[1].removesuffix(".json")
    assert "immutable" in response.headers["Cache-Control"]
    assert response.get_json() == {"attachments": {"regions.csv": ROWS}}
    assert url in client.get("/sw.js").get_data(as_text=True)


def test_a_questionnaire_without_pulldata_has_no_file(client, session):
    publish(session=session, definition={**FORM, "survey": FORM["survey"][:1]})
    page = client.get("/forms/places?lang=en").get_data(as_text=True)
    assert "data-expression-tables-url" not in page and "form-tables" not in page and "/form-files/" not in page
    assert "/form-files/places" not in client.get("/sw.js").get_data(as_text=True)


def test_the_server_still_reads_the_rows_without_scripts(client, places, session):
    assert client.post("/forms/places?lang=en", data={"code": "C42"}).status_code == 302
    assert session.exec(select(Submission)).one().answers == {"code": "C42", "region": "Place number 42"}


LOOKUP = {
    "form_id": "lookup", "title": "Lookup", "settings": {"default_language": "en"},
    "survey": [
        {"type": "select_one province", "name": "province", "label": "Province"},
        {"type": "select_one district", "name": "district", "label": "District",
         "choice_filter": "province=${province}"},
        {"type": "calculate", "name": "district_name",
         "calculation": "instance('district')/root/item[name=${district}]/label"},
        {"type": "calculate", "name": "districts_there",
         "calculation": "count(instance('district')/root/item[province=${province}])"},
        {"type": "note", "name": "big", "label": "A big province", "relevant": "${districts_there} > 1"},
    ],
    "choices": {
        "province": [{"name": "p1", "label": "Herat"}, {"name": "p2", "label": "Kabul"}],
        "district": [{"name": "d1", "label": "Guzara", "data": {"province": "p1"}},
                     {"name": "d2", "label": "Injil", "data": {"province": "p1"}},
                     {"name": "d3", "label": "Paghman", "data": {"province": "p2"}}],
    },
}


def test_instance_lookups_are_computed_by_the_server_and_sent_to_the_phone(client, session):
    publish(session=session, definition=LOOKUP)
    page = client.get("/forms/lookup?lang=en").get_data(as_text=True)
    tables = client.get(re.search(r'data-expression-tables-url="([^"]+)"', page).group(1)).get_json()
    assert list(tables["instances"]) == ["district"]  # only the lists the expressions read
    assert tables["instances"]["district"][0] == {"name": "d1", "label": "Guzara", "province": "p1"}
    assert client.post("/forms/lookup?lang=en", data={"province": "p1", "district": "d2"}).status_code == 302
    assert session.exec(select(Submission)).one().answers == {
        "province": "p1", "district": "d2", "district_name": "Injil", "districts_there": 2}


def test_a_lookup_alone_brings_the_module_that_reads_it(client, session):
    only_label = {**LOOKUP, "survey": LOOKUP["survey"][:3]}  # instance(...)/label, no function beyond the core
    publish(session=session, definition=only_label)
    page = client.get("/forms/lookup?lang=en").get_data(as_text=True)
    assert "js/expression_functions.js" in page
    plain = client.get("/forms/sample_feedback?lang=en").get_data(as_text=True)
    assert "js/expression_functions.js" not in plain and "expression_instances" not in plain
