"""The OpenAPI document stays true: the same routes as the app, and real answers fit its schemas."""

import gzip
import re

import pytest
import sqlmodel
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from sqlalchemy.exc import OperationalError

from survey_app.api import SOURCE_MAX_LENGTH

from .test_sync_api import TOKEN
from .test_sync_api import batch
from .test_sync_api import current_version
from .test_sync_api import record

OPENAPI = "/api/v1/openapi.json"
SYNC = "/api/v1/sync"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture
def document(client) -> dict:
    response = client.get(OPENAPI)
    assert response.status_code == 200 and response.is_json
    return response.get_json()


def schema_validator(document: dict, schema: dict) -> Draft202012Validator:
    """Return a validator for one schema of the document; its #/components references resolve."""
    root = {**schema, "components": document["components"]}
    return Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1.")
    validate_openapi(document)


def test_documented_paths_and_methods_are_the_app_routes(app, document):
    routes: dict[str, set] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            routes.setdefault(path, set()).update(rule.methods - {"HEAD", "OPTIONS"})
    documented = {path: {method.upper() for method in item if method in HTTP_METHODS}
                  for path, item in document["paths"].items()}
    assert documented == routes


def test_documented_limits_follow_the_configuration(app, client):
    app.config.update(SURVEY_SYNC_MAX_RECORDS=7, SURVEY_SYNC_MAX_INFLATED=123_456, MAX_CONTENT_LENGTH=98_765,
                      SURVEY_ANONYMOUS_SYNC=False)
    document = client.get(OPENAPI).get_json()
    batch_schema = document["components"]["schemas"]["Batch"]["properties"]
    assert batch_schema["submissions"]["maxItems"] == 7
    assert batch_schema["source"]["maxLength"] == SOURCE_MAX_LENGTH
    sync = document["paths"][SYNC]["post"]
    assert all(str(number) in sync["description"] for number in (7, 123_456, 98_765))
    assert sync["security"] == [{"bearerAuth": []}]


def test_a_batch_the_server_stores_fits_the_documented_request_schema(client, document):
    body = batch(record(current_version(client)))
    schema_validator(document, {"$ref": "#/components/schemas/Batch"}).validate(body)
    assert client.post(SYNC, json=body).get_json()["results"][0]["status"] == "stored"


def sync_of_every_status(client):
    version = current_version(client)
    first = record(version)
    records = [first, dict(first), {**first, "answers": {"overall": "1", "why_low": "x"}}, "not a record",
               record(version, form_version="nope")]
    return client.post(SYNC, json=batch(*records))


def sync_with_broken_commit(client, monkeypatch):
    def fail(*args, **kwargs):
        raise OperationalError("COMMIT", {}, Exception("disk full"))

    monkeypatch.setattr(sqlmodel.Session, "commit", fail)
    return client.post(SYNC, json=batch(record(current_version(client))))


def broken_forms_list(*args, **kwargs):
    raise RuntimeError("a bug")


# (path in the document, method, expected status, how to get the answer, settings to use)
CASES = {
    "forms": ("/api/v1/forms", "get", 200, lambda c, m: c.get("/api/v1/forms"), {}),
    "form": ("/api/v1/forms/{form_id}", "get", 200, lambda c, m: c.get("/api/v1/forms/sample_feedback"), {}),
    "form_unknown": ("/api/v1/forms/{form_id}", "get", 404, lambda c, m: c.get("/api/v1/forms/nothing"), {}),
    "version": ("/api/v1/forms/{form_id}/versions/{version}", "get", 200,
                lambda c, m: c.get(f"/api/v1/forms/sample_feedback/versions/{current_version(c)}"), {}),
    "version_unknown": ("/api/v1/forms/{form_id}/versions/{version}", "get", 404,
                        lambda c, m: c.get("/api/v1/forms/sample_feedback/versions/nope"), {}),
    "forms_broken": ("/api/v1/forms", "get", 500, lambda c, m: c.get("/api/v1/forms"), {}),
    "openapi": (OPENAPI, "get", 200, lambda c, m: c.get(OPENAPI), {}),
    "sync_results": (SYNC, "post", 200, lambda c, m: sync_of_every_status(c), {}),
    "sync_gzip": (SYNC, "post", 200, lambda c, m: c.post(
        SYNC, data=gzip.compress(b'{"source": "s", "submissions": []}'), headers={"Content-Encoding": "gzip"}), {}),
    "sync_bad_json": (SYNC, "post", 400, lambda c, m: c.post(SYNC, data=b"{"), {}),
    "sync_bad_shape": (SYNC, "post", 400, lambda c, m: c.post(SYNC, json={"source": 1, "submissions": []}), {}),
    "sync_bad_gzip": (SYNC, "post", 400, lambda c, m: c.post(
        SYNC, data=b"\x1f\x8b broken", headers={"Content-Encoding": "gzip"}), {}),
    "sync_bad_token": (SYNC, "post", 401, lambda c, m: c.post(
        SYNC, json=batch(), headers={"Authorization": "Bearer nope"}), {}),
    "sync_token_required": (SYNC, "post", 401, lambda c, m: c.post(SYNC, json=batch()),
                            {"SURVEY_ANONYMOUS_SYNC": False}),
    "sync_token_accepted": (SYNC, "post", 200, lambda c, m: c.post(
        SYNC, json=batch(), headers={"Authorization": f"Bearer {TOKEN}"}), {"SURVEY_ANONYMOUS_SYNC": False}),
    "sync_too_large": (SYNC, "post", 413, lambda c, m: c.post(SYNC, json=batch(source="s" * 100)),
                       {"MAX_CONTENT_LENGTH": 64}),
    "sync_too_many_records": (SYNC, "post", 413, lambda c, m: c.post(SYNC, json=batch({}, {})),
                              {"SURVEY_SYNC_MAX_RECORDS": 1}),
    "sync_encoding": (SYNC, "post", 415, lambda c, m: c.post(SYNC, data=b"{}", headers={"Content-Encoding": "br"}),
                      {}),
    "sync_unavailable": (SYNC, "post", 503, lambda c, m: sync_with_broken_commit(c, m), {}),
    "sync_wrong_method": (SYNC, "get", 405, lambda c, m: c.get(SYNC), {}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_answer_fits_its_documented_schema(app, client, monkeypatch, document, case):
    path, method, status, send, settings = CASES[case]
    app.config.update(SURVEY_SYNC_TOKENS=[TOKEN], PROPAGATE_EXCEPTIONS=False, **settings)
    if case == "forms_broken":
        monkeypatch.setattr("survey_app.api.current_versions", broken_forms_list)
    response = send(client, monkeypatch)
    assert response.status_code == status and response.is_json
    # A wrong method has no operation of its own: any operation's default answer applies.
    operation = document["paths"][path].get(method) or next(iter(document["paths"][path].values()))
    responses = operation["responses"]
    if status not in (405, 500):
        assert str(status) in responses, f"{status} is not documented for {method} {path}"
    documented = responses.get(str(status)) or responses["default"]
    schema = documented["content"]["application/json"]["schema"]
    schema_validator(document, schema).validate(response.get_json())
