"""Long choice lists: the page draws a search box and a few options, the list travels as its own file."""

import hashlib
import json
import re

import pytest

from survey_app.engine.loader import load_dict
from survey_app.engine.long_lists import LONG_LIST_MIN
from survey_app.engine.long_lists import SHOWN_MAX
from survey_app.engine.long_lists import is_long
from survey_app.engine.long_lists import normalise
from survey_app.engine.long_lists import shown_options
from survey_app.forms_store import publish

from .big_lists import big_list_form
from .conftest import DATA

VECTORS = json.loads((DATA / "list_search_vectors.json").read_text(encoding="utf-8"))


@pytest.fixture
def villages(session):
    return publish(session=session, definition=big_list_form())


def _options(page: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="([^"]+)"', page)


@pytest.mark.parametrize("case", VECTORS["normalise"], ids=lambda case: case["text"])
def test_search_folds_spellings_as_the_shared_vectors_say(case):
    assert normalise(case["text"]) == case["normalised"]


@pytest.mark.parametrize("case", VECTORS["shown"], ids=lambda case: case["about"])
def test_shown_options_follow_the_shared_vectors(case):
    allowed = set(case["allowed"]) if case["allowed"] is not None else None
    shown, found = shown_options([tuple(o) for o in VECTORS["options"]], allowed, case["query"], case["chosen"],
                                 shown_max=case["max"])
    assert (shown, found) == (case["shown"], case["found"])


def test_a_list_is_long_from_its_201st_option():
    form = big_list_form()
    form["choices"]["province"] = form["choices"]["province"] * 0 + [
        {"name": f"p{n}", "label": {"en": f"P{n}"}} for n in range(LONG_LIST_MIN - 1)]
    definition = load_dict(form)
    assert not is_long(definition, definition.question("province"))
    assert is_long(definition, definition.question("district")) and is_long(definition, definition.question("village"))


def test_the_page_of_a_long_cascade_carries_no_list(client, villages):
    page = client.get("/forms/villages?lang=fa").get_data(as_text=True)
    assert len(_options(page, "province")) == 34  # a short list is drawn as before
    assert _options(page, "district") == [] and _options(page, "village") == []
    assert "data-choice='" not in page
    assert len(page.encode()) < 40_000
    assert 'data-extensions="long-lists"' in page


def test_the_list_file_is_served_by_its_hash_for_a_year(client, villages):
    page = client.get("/forms/villages?lang=fa").get_data(as_text=True)
    url = re.search(r'data-choice-list="([^"]+)"', page).group(1)
    response = client.get(url)
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"]
    assert hashlib.sha256(response.data).hexdigest() == url.rsplit("/", 1)[1].removesuffix(".json")
    rows = response.get_json()["options"]
    assert len(rows) == 408 and rows[0] == ["p1d1", "شهرستان کلا 101", {"province": "p1"}]
    assert client.get(url.replace(url[-20:-5], "0" * 15)).status_code == 404
    assert client.get(url.replace("villages", "nothing")).status_code == 404


def test_the_service_worker_keeps_every_list_file(client, villages):
    worker = client.get("/sw.js").get_data(as_text=True)
    files = re.findall(r"/form-files/villages/[^\"]+\.json", worker)
    assert len(files) == 2 * 2  # district and village lists, in English and Persian


def test_without_scripts_a_filter_and_a_search_find_the_options(client, villages):
    form = {"province": "p3", "_refresh": "1"}
    page = client.post("/forms/villages?lang=fa", data=form).get_data(as_text=True)
    assert _options(page, "district") == [f"p3d{n}" for n in range(1, 13)]  # the filter leaves twelve: all shown
    form |= {"district": "p3d2", "_search:village": "۳۰۲۰۳"}  # Persian digits find Village 30203
    page = client.post("/forms/villages?lang=en", data=form).get_data(as_text=True)
    assert _options(page, "village") == ["p3d2v3"]
    assert 'value="۳۰۲۰۳"' in page  # the search box keeps what was typed


def test_a_search_over_a_whole_long_list_shows_a_bounded_few(client, session):
    form = big_list_form()
    form["survey"][2].pop("choice_filter")
    publish(session=session, definition=form)
    page = client.get("/forms/villages?lang=en").get_data(as_text=True)
    assert _options(page, "village") == []
    assert "among 4080 options" in page  # the status says how many there are to search
    form_data = {"_search:village": "village 1", "_refresh": "1"}
    page = client.post("/forms/villages?lang=en", data=form_data).get_data(as_text=True)
    assert len(_options(page, "village")) == SHOWN_MAX
    assert "type more of the name" in page


def test_an_answer_from_a_long_list_is_stored_and_checked_against_the_whole_list(client, villages):
    answers = {"province": "p34", "district": "p34d12", "village": "p34d12v10"}
    assert client.post("/forms/villages?lang=en", data=answers).status_code == 302
    response = client.post("/forms/villages?lang=en", data={"province": "p34", "district": "p1d1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="error-district" hidden' not in page
    assert _options(page, "district") == ["p1d1"] + [f"p34d{n}" for n in range(1, 13)]  # the answer stays, to change
