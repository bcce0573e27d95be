"""Participants' pages: pick a questionnaire, answer it in one's language, get thanked.

Everything here works with JavaScript off (a plain POST); the page scripts only add live
relevance, checks before submit and the offline outbox.
"""

import datetime
import uuid

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for
from flask_babel import gettext as _
from sqlmodel import select
from werkzeug.exceptions import RequestEntityTooLarge

from . import answer_files
from . import form_files
from . import form_media as media_files
from .assessments.participants import code_block
from .assessments.participants import metadata as assessment_metadata
from .assessments.participants import own_score
from .assets import asset_url
from .assets import static_files
from .config import INTERFACE_LANGUAGES
from .db import RETRY_AFTER
from .db import STORAGE_ERRORS
from .db import get_session
from .db import is_unavailable
from .engine.long_lists import has_drawn_filters
from .engine.long_lists import long_lists
from .engine.texts import resolve
from .engine.validation import FieldError
from .engine.validation import storable_text
from .engine.validation import validate
from .engine.xlsform.workbook import media_type
from .form_class import attach_errors
from .form_class import build_form_class
from .form_class import default_values
from .form_class import error_messages
from .form_class import question_views
from .form_class import raw_answers
from .form_class import structure_state
from .form_structure import apply_step
from .form_structure import navigation
from .form_structure import page_plan
from .form_structure import page_screens
from .form_structure import posted_screen
from .form_structure import search_terms
from .forms_store import content_hash
from .forms_store import current_versions
from .forms_store import definition_of
from .forms_store import get_version
from .i18n import current_language
from .i18n import use_page_language
from .models import Workshop
from .models import canonical_uuid
from .submissions import CONFLICT
from .submissions import DUPLICATE
from .submissions import STORED
from .submissions import apply_record
from .workshops import WORKSHOP_CLOSED
from .workshops import get_by_code
from .workshops import normalise_code

WORKSHOP_GRACE = datetime.timedelta(days=7)  # a late answer after the last day still finds its page

bp = Blueprint("participants", __name__)
HIDDEN_FIELDS = ("submission_uuid", "form_version", "started_at", "workshop")


@bp.before_request
def refuse_unstorable_text():
    """Refuse a path, query or hidden field holding NUL or half a surrogate pair: no database can look it up."""
    values = [*(request.view_args or {}).values(), *request.args.values()]
    if request.method == "POST":
        values += [request.form.get(name, "") for name in HIDDEN_FIELDS]
    if not all(storable_text(value) for value in values if isinstance(value, str)):
        abort(404 if request.method == "GET" else 400)


@bp.get("/")
def index():
    """List the questionnaires this server offers, titles in the visitor's language."""
    forms = _form_links(current_language())
    return render_template("participants/index.html", forms=forms, languages=INTERFACE_LANGUAGES)


@bp.get("/w/<code>")
def workshop_page(code):
    """A workshop's page: its questionnaires, each link tagging the answers with the workshop's code."""
    workshop = get_by_code(session=get_session(), code=normalise_code(code))
    if workshop is None:
        return render_template("participants/workshop.html", workshop=None, languages=INTERFACE_LANGUAGES), 404
    offered = [lang for lang in workshop.languages if lang in INTERFACE_LANGUAGES] or list(INTERFACE_LANGUAGES)
    default = current_app.config["SURVEY_DEFAULT_LANGUAGE"]
    lang = use_page_language(offered, default if default in offered else offered[0])
    forms = [] if workshop.closed_at else _form_links(lang, only=workshop.form_ids)
    phase = request.args.get("phase") if request.args.get("phase") in ("pre", "post") else None  # knowledge checks
    return render_template("participants/workshop.html", workshop=workshop, forms=forms, languages=offered,
                           phase=phase)


def _form_links(lang: str, only: list[str] | None = None) -> list[dict]:
    """Describe the questionnaires on offer (or only those named) in the visitor's language."""
    forms = []
    for version in current_versions(session=get_session()):
        definition = definition_of(version)
        if only is not None and definition.form_id not in only:
            continue
        forms.append({
            "form_id": definition.form_id,
            "title": resolve(definition.title, lang, definition.default_language),
            "description": resolve(definition.description, lang, definition.default_language),
            "lang": lang if lang in definition.languages else definition.default_language,
        })
    return forms


@bp.route("/forms/<form_id>", methods=["GET", "POST"])
def form_page(form_id):
    """Show a questionnaire; on POST validate it on the server and store it once.

    The form class checks the CSRF token itself (the view is exempt from the global
    check) so that an expired token brings the page back with every answer kept.
    """
    session = get_session()
    version = _pinned_version(session, form_id)
    definition = definition_of(version)
    lang = use_page_language(definition.languages, definition.default_language)
    workshop_code = _workshop_code()
    if request.method == "GET" and workshop_code and not _open_workshop(session, workshop_code):
        return redirect(url_for(".workshop_page", code=workshop_code, lang=lang))
    today = datetime.date.today()
    starting = _starting_data(definition, version, lang, today)
    wtform = build_form_class(definition)(data=starting)
    mode = _mode()
    assessment = code_block(definition, posted=request.method == "POST", facilitator=mode is not None,
                            values=request.form if request.method == "POST" else request.args)
    step = navigation(request.form) if request.method == "POST" else None  # a repeat's or a page's button
    raw = raw_answers(definition, request.form) if request.method == "POST" else starting
    uploads, attachments = _posted_files(definition)
    raw = apply_step(request.form, {**raw, **uploads}) if step else {**raw, **uploads}
    outcome = validate(definition, raw, today=today)  # also says which questions start hidden
    if outcome.ok and attachments:  # a file that is no picture, or too large: said next to its question
        problems = answer_files.check({"attachments": attachments}, outcome.answers, definition.file_questions,
                                      answer_files.max_bytes())[2]
        outcome.errors.update((name, FieldError(code)) for name, code in problems.items())
    status = 200
    shown, screen = {}, 0
    if wtform.validate_on_submit():
        if outcome.ok and step is None and not (assessment and assessment["error"]):
            record = _record(definition, version, lang, request.form, workshop_code)
            record["answers"].update(uploads)
            if attachments:
                record["attachments"] = attachments
            result = _store_web_answers(session, record, today)
            if result is None:  # the disk is full or read-only: the page comes back with every answer in it
                status = 503
                wtform.form_errors.append(_("The server cannot save answers right now. Your answers are still on "
                                            "this page: please send them again in a few minutes."))
            elif result.status in (STORED, DUPLICATE):
                return redirect(url_for(".thanks", form_id=form_id, lang=lang, w=workshop_code, mode=mode,
                                        s=record["uuid"] if assessment else None,
                                        phase=assessment["phase"] or None if assessment else None))
            else:
                wtform.form_errors.append(_refusal_message(result.errors.get("workshop")))
        shown, screen = page_plan(definition, outcome.errors, request.form, step)
        attach_errors(wtform, definition, shown, lang)
    elif request.method == "POST":
        wtform.form_errors.append(_("This page had expired. Please check your answers and send them again."))
    items, closing = _split_closing(question_views(definition, wtform, lang, outcome.hidden,
                                                   structure_state(definition, raw, outcome, today, shown,
                                                                   version=version,
                                                                   searches=search_terms(request.form))))
    backward = step == "_page" and screen < posted_screen(request.form)
    return render_template(
        "participants/form.html", definition=definition, version=version, wtform=wtform,
        title=resolve(definition.title, lang, definition.default_language),
        description=resolve(definition.description, lang, definition.default_language),
        items=items, closing=closing, messages=error_messages(definition),
        errors=[item for item in _flat(items) if getattr(item.wtfield, "errors", None)],
        workshop_code=workshop_code, languages=_workshop_languages(session, workshop_code, definition.languages),
        screens=page_screens(definition, items, outcome.hidden, screen, backward), assessment=assessment, mode=mode,
        tables_url=form_files.file_url(version, form_files.TABLES), has_long_lists=bool(long_lists(definition)),
        preloads=form_files.page_urls(version, lang),
        drawn_filters=has_drawn_filters(definition),
    ), status, {"Retry-After": RETRY_AFTER} if status == 503 else {}


def _mode() -> str | None:
    """'facilitator' when one device takes several participants' answers (a knowledge check's shared link)."""
    return "facilitator" if request.args.get("mode") == "facilitator" else None


def _split_closing(items: list) -> tuple[list, list]:
    """Set apart the notes after the last question: a closing word is read after sending, not before."""
    cut = len(items)
    while cut and items[cut - 1].kind == "note" and not items[cut - 1].question.relevant:
        cut -= 1
    return items[:cut], items[cut:]


def _flat(items):
    for item in items:
        yield item
        yield from _flat(getattr(item, "children", None) or [])
        for instance in getattr(item, "instances", None) or []:  # a repeat's instances
            yield from _flat(instance.items)


def _workshop_languages(session, code: str | None, languages: list[str]) -> list[str]:
    """A questionnaire reached through a workshop offers only the languages the workshop chose."""
    workshop = get_by_code(session=session, code=code) if code else None
    chosen = [lang for lang in languages if workshop and lang in workshop.languages]
    return chosen or list(languages)


@bp.get("/forms/<form_id>/thanks")
def thanks(form_id):
    """Thank the participant in the language they answered in."""
    version = get_version(session=get_session(), form_id=form_id) or abort(404)
    definition = definition_of(version)
    use_page_language(definition.languages, definition.default_language)
    title = resolve(definition.title, current_language(), definition.default_language)
    code = request.args.get("w")
    workshop = get_by_code(session=get_session(), code=normalise_code(code)) if code else None
    wtform = build_form_class(definition)(formdata=None)
    _, closing = _split_closing(question_views(definition, wtform, current_language()))
    score = own_score(session=get_session(), definition=definition, uuid=request.args.get("s"))
    return render_template("participants/thanks.html", definition=definition, title=title, closing=closing,
                           workshop_code=workshop.code if workshop else None, score=score, mode=_mode(),
                           phase=request.args.get("phase") if request.args.get("phase") in ("pre", "post") else None)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_exc):
    """A page posted with a file beyond the request limit: say so in words, not the server's bare 413."""
    use_page_language(INTERFACE_LANGUAGES, current_app.config["SURVEY_DEFAULT_LANGUAGE"])
    megabytes = current_app.config["MAX_CONTENT_LENGTH"] // 2**20
    return render_template("participants/too_large.html", megabytes=megabytes), 413


@bp.get("/offline")
def offline():
    """What the phone shows for a page it has not kept, in the language asked for (precached per language)."""
    use_page_language(INTERFACE_LANGUAGES, current_app.config["SURVEY_DEFAULT_LANGUAGE"])
    return render_template("participants/offline.html", languages=INTERFACE_LANGUAGES)


@bp.get("/sw.js")
def service_worker():
    """Serve the service worker from the root so its scope covers every page."""
    session = get_session()
    urls = ["/", "/api/v1/forms"] + [url_for(".index", lang=code) for code in INTERFACE_LANGUAGES]
    urls += [url_for(".offline", lang=code) for code in INTERFACE_LANGUAGES]
    versions, forms = [], {}
    for version in current_versions(session=session):
        definition = definition_of(version)
        versions.append(f"{version.form_id}:{version.version}")
        forms[version.form_id] = {"languages": list(definition.languages), "default": definition.default_language}
        urls.append(url_for(".form_page", form_id=version.form_id))
        urls += [url_for(".form_page", form_id=version.form_id, lang=code) for code in definition.languages]
    for workshop in _recent_open_workshops(session):
        versions.append(f"w:{workshop.code}:{','.join(workshop.languages)}:{','.join(workshop.form_ids)}")
        languages = [lang for lang in workshop.languages if lang in INTERFACE_LANGUAGES] or INTERFACE_LANGUAGES
        urls += [url_for(".workshop_page", code=workshop.code, lang=code) for code in languages]
    urls += [asset_url(name) for name in static_files(current_app)]
    budget = current_app.config["SURVEY_MEDIA_PRECACHE_BYTES"]
    current = [definition_of(version) for version in current_versions(session=get_session())]
    urls += [url_for(".form_media", sha256=sha256, filename=name)
             for sha256, name in media_files.precache_list(current, budget)]
    urls += [url for version in current_versions(session=session) for url in form_files.all_urls(version)]
    settings = {"urls": urls, "forms": forms, "default_language": current_app.config["SURVEY_DEFAULT_LANGUAGE"],
                "interface_languages": list(INTERFACE_LANGUAGES)}
    template = render_template("participants/sw.js", cache_name="", **settings)
    cache_name = "survey-" + content_hash([template, versions])[:16]
    body = render_template("participants/sw.js", cache_name=cache_name, **settings)
    return current_app.response_class(body, mimetype="text/javascript", headers={"Cache-Control": "no-cache"})


@bp.get("/media/<sha256>/<filename>")
def form_media(sha256, filename):
    """Serve a questionnaire's picture, sound or video by its content hash (cacheable for a year)."""
    path = media_files.path_of(sha256) or abort(404)
    kind = media_type(filename)
    inline = media_files.shown_inline(kind)
    return send_file(path, mimetype=kind if inline else "application/octet-stream", max_age=365 * 24 * 3600,
                     as_attachment=not inline, download_name=filename, conditional=True)


@bp.get("/form-files/<form_id>/<version>/<sha256>.json")
def form_file(form_id, version, sha256):
    """Serve a long choice list or the pulldata() rows of a form version by content hash (cacheable for a year)."""
    record = get_version(session=get_session(), form_id=form_id, version=version) or abort(404)
    body = form_files.body_of(record, sha256) or abort(404)
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["Cache-Control"] = f"public, max-age={365 * 24 * 3600}, immutable"
    return response


PRECACHED_WORKSHOPS = 20


def _recent_open_workshops(session) -> list:
    """Open workshops whose link a phone may first tap offline: kept ahead, a bounded few, newest first."""
    today = datetime.date.today()
    query = (select(Workshop).where(Workshop.closed_at.is_(None), Workshop.end_date >= today - WORKSHOP_GRACE)
             .order_by(Workshop.start_date.desc()).limit(PRECACHED_WORKSHOPS))
    return list(session.exec(query))


def _store_web_answers(session, record: dict, today):
    """Store a posted page once; a page served again from the browser's cache is a new response.

    A page revalidated with a 304 keeps the UUID it was first rendered with, so the next
    person on a shared laptop posts that UUID with other answers. From a person at this page
    (unlike a sync batch) that is a new response, not a conflict: it gets a fresh UUID. The
    same answers posted twice (a double click) stay one duplicate. None: the database cannot take
    writes now (full or read-only disk), and nothing was stored.
    """
    try:
        result = apply_record(session=session, record=record, source="web", today=today)
        if result.status == CONFLICT:
            session.rollback()
            result = apply_record(session=session, record={**record, "uuid": str(uuid.uuid4())}, source="web",
                                  today=today)
        session.commit()
    except STORAGE_ERRORS as exc:
        if not is_unavailable(exc):
            raise
        current_app.logger.error("web answers not stored: %s", exc)
        session.rollback()
        return None
    return result


def _posted_files(definition) -> tuple[dict, list]:
    """The photos and files of a page posted without JavaScript: their answers (names) and attachments."""
    if request.method != "POST" or not definition.file_questions:
        return {}, []
    return answer_files.posted(definition.file_questions, request.files, answer_files.max_bytes())


def _pinned_version(session, form_id):
    """Return the version the page was rendered with on POST, else the current one."""
    pinned = request.form.get("form_version") if request.method == "POST" else None
    version = pinned and get_version(session=session, form_id=form_id, version=pinned)
    return version or get_version(session=session, form_id=form_id) or abort(404)


def _starting_data(definition, version, lang, today) -> dict:
    return {
        **default_values(definition, lang, today),
        "submission_uuid": str(uuid.uuid4()),
        "form_version": version.version,
        "started_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }


def _workshop_code() -> str | None:
    """Return the workshop code the page carries: `?w=` on its link, a hidden field once posted."""
    code = request.form.get("workshop") if request.method == "POST" else request.args.get("w")
    return normalise_code(code) or None if code else None


def _open_workshop(session, code: str) -> bool:
    workshop = get_by_code(session=session, code=code)
    return workshop is not None and workshop.closed_at is None


def _refusal_message(workshop_reason: str | None) -> str:
    """Tell the participant why answers were not saved, plainly when it is the workshop's doing."""
    if workshop_reason == WORKSHOP_CLOSED:
        return _("This workshop has closed, so it no longer takes new answers. Thank you all the same.")
    return _("Your answers could not be saved. Please try again.")


def _record(definition, version, lang, formdata, workshop_code=None) -> dict:
    """Shape a posted page like a sync record, so both paths store the same way."""
    return {
        # A page's own UUID, read strictly; one edited into something else is a new response.
        "uuid": canonical_uuid(formdata.get("submission_uuid")) or str(uuid.uuid4()),
        "form_id": definition.form_id,
        "form_version": version.version,
        "lang": lang,
        "started_at": formdata.get("started_at") or None,
        "submitted_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "workshop": workshop_code,
        "answers": raw_answers(definition, formdata),
        **assessment_metadata(formdata),  # a knowledge check's phase and participant code
    }
