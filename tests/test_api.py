"""The read-only questionnaire API that phones and other servers cache."""


def test_forms_list_gives_titles_versions_and_languages(client):
    forms = client.get("/api/v1/forms").get_json()["forms"]
    assert [f["form_id"] for f in forms] == ["sample_feedback"]
    form = forms[0]
    assert form["title"]["fa"] == "بازخورد نمونه"
    assert form["languages"] == ["en", "fa", "ps"]
    assert form["version_number"] == 1 and len(form["version"]) == 12


def test_form_definition_is_served_whole(client):
    body = client.get("/api/v1/forms/sample_feedback").get_json()
    definition = body["definition"]
    assert definition["settings"]["default_language"] == "en"
    assert definition["choices"]["topics"][0]["label"]["fa"] == "مسکن"
    assert body["version"] == client.get("/api/v1/forms").get_json()["forms"][0]["version"]


def test_a_published_version_stays_reachable(client):
    version = client.get("/api/v1/forms").get_json()["forms"][0]["version"]
    assert client.get(f"/api/v1/forms/sample_feedback/versions/{version}").status_code == 200


def test_unknown_form_gets_a_json_error(client):
    response = client.get("/api/v1/forms/nothing")
    assert response.status_code == 404
    assert response.get_json()["error"] == "unknown_form"


def test_unknown_api_route_answers_json(client):
    response = client.get("/api/v1/forms/sample_feedback/versions/nope")
    assert response.status_code == 404 and response.is_json
