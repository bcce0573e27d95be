"""Validators for questionnaires, so a phone that revalidates a page or form downloads nothing.

Static assets need none of this: their names carry a content hash and are `immutable`.
"""

import datetime

from flask import current_app
from flask import g
from flask import request

from .db import get_session
from .forms_store import content_hash
from .forms_store import get_version
from .health import app_version
from .i18n import current_language

API_FORMS = {"api.list_forms", "api.get_form", "api.get_form_version"}


def init_app(app) -> None:
    app.after_request(add_validators)


def add_validators(response):
    """Give questionnaire pages and documents an ETag and answer a matching If-None-Match with 304."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    if request.endpoint in API_FORMS:
        # The JSON is the same for everyone and each request: a strong tag over the body.
        response.add_etag()
    elif request.endpoint == "participants.form_page":
        response.set_etag(form_page_tag(), weak=True)
    else:
        return response
    response.headers["Cache-Control"] = "no-cache, private"
    return response.make_conditional(request)


def form_page_tag() -> str:
    """Name what the form page is built from, leaving out what differs on every request.

    Each rendering carries a fresh submission UUID and start time (the page's script makes
    its own per answer anyway) and the CSRF token, whose value changes per request but
    which stays valid for the browser's whole session (WTF_CSRF_TIME_LIMIT is None; the
    form page even checks it itself so an expired one loses nothing). Two renderings that
    agree on the questionnaire version, language, workshop, interface and assets, the day
    (default answers may be dates), and who is signed in, are therefore equivalent: a weak
    tag says exactly that. `no-cache` makes the browser ask every time, so a new version
    is seen at once. A UUID reused from a cached page without script is no loss either:
    other answers under a known UUID are kept aside as a conflict, never dropped.
    """
    version = get_version(session=get_session(), form_id=request.view_args["form_id"])
    user = getattr(g, "user", None)
    return content_hash([
        request.view_args["form_id"], version.version if version else None, current_language(),
        request.args.get("w"), current_app.config["SURVEY_ASSET_VERSION"], app_version(),
        datetime.date.today().isoformat(), getattr(user, "id", None),
    ])[:32]
