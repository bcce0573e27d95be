"""The OpenAPI 3.1 description of /api/v1, built per request so that it states this server's limits.

tests/test_openapi.py keeps it true: the same routes and methods as the app, and real
answers that validate against the schemas given here.
"""

ERROR_CODES = {
    400: ["bad_json", "bad_shape", "bad_gzip"],
    401: ["token_required", "bad_token"],
    413: ["too_large", "too_many_records"],
    415: ["unsupported_encoding"],
    503: ["unavailable"],
}

STATUS_NOTES = {
    "stored": "stored now",
    "duplicate": "the same UUID with the same answers was stored before; nothing changed",
    "conflict": "the UUID is stored with other answers; this copy is kept aside for an organiser",
    "rejected": "the record cannot be stored as sent (see errors); it is kept aside with the reasons",
}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str, **extra) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}, **extra}


def _error(description: str, codes: list[str], **extra) -> dict:
    schema = {"allOf": [_ref("Error"), {"properties": {"error": {"enum": codes}}}]}
    return _json(schema, description, **extra)


def _schemas(config) -> dict:
    text_by_language = {"type": "object", "additionalProperties": {"type": "string"},
                        "description": "One text per language code."}
    nullable_time = {"type": ["string", "null"], "format": "date-time",
                     "description": "ISO 8601; a time without offset is taken as UTC."}
    return {
        "Error": {
            "type": "object", "required": ["error", "message"],
            "properties": {
                "error": {"type": "string", "description": "A stable code to act on."},
                "message": {"type": "string", "description": "An explanation for people (English)."},
                "field": {"type": "string", "description": "The body field at fault, when there is one."},
            },
        },
        "FormSummary": {
            "type": "object",
            "required": ["form_id", "title", "version", "version_number", "default_language", "languages", "url",
                         "progress"],
            "properties": {
                "form_id": {"type": "string"},
                "title": text_by_language,
                "version": {"type": "string", "description": "Content hash naming one immutable version."},
                "version_number": {"type": "integer", "minimum": 1},
                "default_language": {"type": "string"},
                "languages": {"type": "array", "items": {"type": "string"}},
                "url": {"type": "string", "description": "Where the current definition is served."},
                "progress": {
                    "type": "object", "description": "Per language: texts translated out of all texts.",
                    "additionalProperties": {
                        "type": "object", "required": ["translated", "total"],
                        "properties": {"translated": {"type": "integer", "minimum": 0},
                                       "total": {"type": "integer", "minimum": 0}},
                    },
                },
            },
        },
        "FormList": {
            "type": "object", "required": ["forms"],
            "properties": {"forms": {"type": "array", "items": _ref("FormSummary")}},
        },
        "FormVersion": {
            "type": "object", "required": ["form_id", "version", "version_number", "published_at", "definition"],
            "properties": {
                "form_id": {"type": "string"},
                "version": {"type": "string"},
                "version_number": {"type": "integer", "minimum": 1},
                "published_at": {"type": "string", "format": "date-time"},
                "definition": {"type": "object", "description": "The whole questionnaire, every language."},
            },
        },
        "SubmissionRecord": {
            "description": "One filled questionnaire, as a phone or server writes it. Any JSON value is taken "
                           "here: a record that does not have this shape (a field missing or of another type, a "
                           "UUID that is not exactly 36 characters, a date before 1970 or after 2199, text with "
                           "U+0000 or half a surrogate pair, a number beyond a double) is not a request error. "
                           "It alone gets the status rejected, with the reasons, and is kept aside; the other "
                           "records of the batch are stored. The shape expected is RecordFields.",
        },
        "RecordFields": {
            "type": "object",
            "description": "The fields of a record that can be stored.",
            "required": ["uuid", "form_id", "form_version", "lang", "answers"],
            "properties": {
                "uuid": {"type": "string", "format": "uuid", "minLength": 36, "maxLength": 36,
                         "description": "Made on the phone, once; any case, stored in lower case."},
                "form_id": {"type": "string"},
                "form_version": {"type": "string", "description": "The version the participant answered."},
                "lang": {"type": "string", "minLength": 1, "maxLength": 20},
                "started_at": nullable_time,
                "submitted_at": nullable_time,
                "workshop": {"type": ["string", "null"], "maxLength": 100,
                             "description": "A workshop's code, in any case."},
                "phase": {"type": ["string", "null"], "enum": ["pre", "post", "", None],
                          "description": "A knowledge check: the test before (pre) or after (post) the course."},
                "participant": {"type": ["string", "null"], "maxLength": 40,
                                "description": "A knowledge check: the participant code (4 letters and 2 digits, "
                                               "no I, O, S, Z, B, 0, 1, 5, 8) pairing the two tests."},
                "answers": {"type": "object", "description": "Answers by question name."},
                "attachments": {
                    "type": "array", "description": "The photos and files the answers name (a photo or file "
                    "question's answer is the file's name). Each is checked by its content (JPEG, PNG, WebP; PDF for "
                    "a file question) and size (SURVEY_ANSWER_FILE_MAX_BYTES, 5 MiB for one file and for all of one "
                    "record's); one that fails keeps its record aside with the reason.",
                    "items": {"type": "object", "required": ["name", "data"], "properties": {
                        "name": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_-]{0,99}\\.[a-z0-9]{1,5}$"},
                        "data": {"type": "string", "contentEncoding": "base64"}}},
                },
            },
        },
        "Batch": {
            "type": "object", "required": ["source", "submissions"],
            "properties": {
                "source": {"type": "string", "minLength": 1, "maxLength": 200,
                           "description": "The phone or server that sends the batch; kept on each submission."},
                "submissions": {"type": "array", "items": _ref("SubmissionRecord"),
                                "maxItems": config["SURVEY_SYNC_MAX_RECORDS"]},
            },
        },
        "RecordResult": {
            "type": "object", "required": ["uuid", "status", "errors"],
            "properties": {
                "uuid": {"type": ["string", "null"], "description": "The record's UUID as sent, if a string."},
                "status": {"enum": list(STATUS_NOTES),
                           "description": "; ".join(f"{k}: {v}" for k, v in STATUS_NOTES.items()) + "."},
                "errors": {"type": "object", "additionalProperties": {"type": "string"},
                           "description": "Why, by field or question name (empty when stored or duplicate)."},
                "warnings": {"type": "object", "additionalProperties": {"type": "string"},
                             "description": "Only when there is one: stored, but worth a look. workshop: "
                                            "unknown_workshop, a workshop code this server does not know (made "
                                            "on another server, or mistyped); organisers see such codes listed "
                                            "on the quarantine page."},
            },
        },
        "BatchResults": {
            "type": "object", "required": ["results"],
            "properties": {"results": {"type": "array", "items": _ref("RecordResult"),
                                       "description": "One result per record, in the order sent."}},
        },
    }


def _sync_operation(config) -> dict:
    max_records, max_inflated = config["SURVEY_SYNC_MAX_RECORDS"], config["SURVEY_SYNC_MAX_INFLATED"]
    max_body = config.get("MAX_CONTENT_LENGTH")
    anonymous = config["SURVEY_ANONYMOUS_SYNC"]
    return {
        "operationId": "receiveBatch",
        "summary": "Store a batch of submissions; sending it again is harmless",
        "description": (
            "Each record is stored once by its UUID. The answer is sent only after the whole batch was "
            "committed, so every record with a result may be forgotten by the sender.\n\n"
            f"Limits on this server: at most {max_body} bytes of body as sent; a gzip body at most "
            f"{max_inflated} bytes once inflated; at most {max_records} records per batch.\n\n"
            + ("Anonymous sync is on: a token is optional, but a token that is sent must be valid."
               if anonymous else "Anonymous sync is off: a bearer token is required.")
            + "\n\nThe body may be compressed: send it gzip-encoded with the header `Content-Encoding: gzip` "
            "(or x-gzip). A body so labelled that is not gzip is refused with 400 bad_gzip; any other encoding "
            "with 415."
        ),
        "security": ([{}] if anonymous else []) + [{"bearerAuth": []}],
        "parameters": [],
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("Batch")}}},
        "responses": {
            "200": _json(_ref("BatchResults"), "The batch is committed; one result per record, in order."),
            "400": _error("bad_json: not JSON in UTF-8; bad_shape: not a batch (the field is named); "
                          "bad_gzip: truncated or corrupt gzip. Nothing is stored.", ERROR_CODES[400]),
            "401": _error("token_required: no token while anonymous sync is off; bad_token: unknown token. "
                          "Nothing is stored.", ERROR_CODES[401],
                          headers={"WWW-Authenticate": {"schema": {"type": "string"}}}),
            "413": _error(f"too_large: over {max_body} bytes as sent or {max_inflated} bytes inflated; "
                          f"too_many_records: over {max_records} records. Nothing is stored.", ERROR_CODES[413]),
            "415": _error("A Content-Encoding other than gzip. Nothing is stored.", ERROR_CODES[415]),
            "503": _error("The database failed; nothing is acknowledged. Send the batch again later.",
                          ERROR_CODES[503], headers={"Retry-After": {"schema": {"type": "string"}}}),
            "default": _error_any(),
        },
    }


def _error_any() -> dict:
    return _json(_ref("Error"), "Any other error (404, 405, 500, ...), in the same shape.")


def _path_parameter(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}, "description": description}


def _get(operation_id: str, summary: str, ok: dict, missing: list[str] | None = None, parameters=()) -> dict:
    responses = {"200": ok}
    if missing:
        responses["404"] = _error("No such questionnaire or version.", missing)
    responses["default"] = _error_any()
    return {"get": {"operationId": operation_id, "summary": summary, "security": [{}],
                    "parameters": list(parameters), "responses": responses}}


def document(config) -> dict:
    """Return the OpenAPI 3.1 document for /api/v1 under the given configuration."""
    form_id = _path_parameter("form_id", "The questionnaire's id.")
    version = _path_parameter("version", "A version id as given by the form list or a submission.")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Survey collector API",
            "version": "1",
            "description": "Questionnaires for phones and other servers to cache, and the batch sync that "
                           "brings submissions back. Every answer is JSON; every error has the Error shape. "
                           "No cookies and no CSRF token are used; no CORS headers are sent.",
        },
        "paths": {
            "/api/v1/forms": _get("listForms", "List each questionnaire with its current version",
                                  _json(_ref("FormList"), "Every questionnaire this server offers.")),
            "/api/v1/forms/{form_id}": _get(
                "getForm", "Return the full current definition of one questionnaire",
                _json(_ref("FormVersion"), "The current version."), ["unknown_form"], [form_id]),
            "/api/v1/forms/{form_id}/versions/{version}": _get(
                "getFormVersion", "Return one published version of a questionnaire",
                _json(_ref("FormVersion"), "That version, unchanged since it was published."),
                ["unknown_version"], [form_id, version]),
            "/api/v1/sync": {"post": _sync_operation(config)},
            "/api/v1/openapi.json": _get("getOpenAPI", "Return this document",
                                         _json({"type": "object"}, "The OpenAPI 3.1 document.")),
        },
        "components": {
            "schemas": _schemas(config),
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "A sync token from SURVEY_SYNC_TOKENS."}},
        },
    }
