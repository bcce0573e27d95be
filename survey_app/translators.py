"""The translation editor: staff translate a questionnaire in a draft, preview it and publish it.

    GET  /translate/                               index
    GET  /translate/<form_id>/<lang>               editor
    POST /translate/<form_id>/<lang>               save_page      (the page without JavaScript)
    POST /translate/<form_id>/<lang>/texts/<key>   save_text      (JSON, from translation-editor.js)
    GET  /translate/<form_id>/<lang>/preview       preview
    POST /translate/<form_id>/languages            add_language
    POST /translate/<form_id>/publish              publish
    POST /translate/<form_id>/<lang>/media/<key>   save_media     (a recording or picture; JSON or the page)

Participants only ever see published versions; a draft stays here until it is published.
"""

from dataclasses import dataclass

from babel import Locale
from flask import Blueprint
from flask import abort
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from . import translation_drafts as drafts
from . import translation_media
from .accounts import audit
from .accounts import role_required
from .accounts import staff_link
from .api import api_error
from .db import get_session
from .engine.loader import DefinitionError
from .engine.loader import load_dict
from .engine.prompt_media import MediaRefused
from .engine.texts import LANGUAGE_NAMES
from .engine.texts import resolve
from .form_class import build_form_class
from .form_class import question_views
from .i18n import use_page_language
from .models import FormDraft

bp = Blueprint("translators", __name__, url_prefix="/translate")

EDITORS = ("translator", "organiser")
FILTERS = ("all", drafts.MISSING, drafts.REVIEW)

staff_link("translators.index", _l("Translate questionnaires"),
           _l("Translate the texts of a questionnaire, check them in a preview and publish them."), EDITORS)


@dataclass
class Kept:
    """A row the page brings back unsaved: what was typed, and why it was not stored."""

    text: str
    error: str = ""
    theirs: str | None = None


def language_label(code: str) -> str:
    """Name a language in its own language, also one added in the editor."""
    if code in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[code]
    try:
        return Locale.parse(code).display_name or code
    except (ValueError, LookupError):
        return code


def refusals() -> dict[str, str]:
    return {
        "too_long": _("This text is too long (at most %(num)s characters).", num=drafts.MAX_TEXT_LENGTH),
        "not_text": _("This text has characters that cannot be stored."),
        "empty_source": _("The questionnaire's own language cannot be left empty."),
    }


@bp.get("/")
@role_required(*EDITORS)
def index():
    """List the questionnaires with their progress per language and any unpublished draft."""
    return render_template("translators/index.html", forms=drafts.overview(session=get_session()),
                           language_label=language_label)


@bp.get("/<form_id>/<lang>")
@role_required(*EDITORS)
def editor(form_id, lang):
    """Show every text of a questionnaire beside its translation in one language."""
    return render_editor(form_id, lang)


def render_editor(form_id, lang, kept=None, language_error="", status=200, media_errors=None):
    try:
        sheet = drafts.sheet(session=get_session(), form_id=form_id, lang=lang)
    except LookupError:
        abort(404)
    prompts = translation_media.editor_prompts(session=get_session(), form_id=form_id, lang=lang)
    kept = kept or {}
    show = request.args.get("show") if request.args.get("show") in FILTERS else "all"
    rows = [row for row in sheet.rows if show == "all" or row.state == show or row.key in kept]
    return render_template(
        "translators/editor.html", sheet=sheet, rows=rows, show=show, kept=kept, filters=FILTERS,
        language_error=language_error, language_label=language_label, base_of=drafts.source_hash,
        prompts=prompts, media_errors=media_errors or {}, media_refusals=media_refusals(),
    ), status


@bp.post("/<form_id>/<lang>")
@role_required(*EDITORS)
def save_page(form_id, lang):
    """Save every changed row of the page; rows in conflict or refused come back with the text typed."""
    session, kept, saved = get_session(), {}, 0
    keep_theirs = set(request.form.getlist("keep_theirs"))
    for key, change in posted_changes(request.form).items():
        if key in keep_theirs:
            continue
        try:
            result = drafts.save_text(session=session, form_id=form_id, key=key, lang=lang, actor=g.user.email,
                                      **change)
        except drafts.TextRefused as exc:
            kept[key] = Kept(change.get("text") or "", error=refusals()[exc.code])
            continue
        except KeyError:
            continue  # the text left the questionnaire while the page was open
        except LookupError:
            abort(404)
        if result.saved:
            saved += 1
        else:
            kept[key] = Kept(change["text"], theirs=result.text)
    if kept:
        conflict = any(item.theirs is not None for item in kept.values())
        return render_editor(form_id, lang, kept=kept, status=409 if conflict else 400)
    flash(ngettext("%(num)s text saved.", "%(num)s texts saved.", saved) if saved else _("Nothing to save."))
    show = request.args.get("show") if request.args.get("show") in FILTERS else None
    return redirect(url_for(".editor", form_id=form_id, lang=lang, show=show))


def posted_changes(form) -> dict[str, dict]:
    """Read the rows a plain form POST changed: its text (against the hash it was shown with) or doubt."""
    confirmed = set(form.getlist("confirm"))
    changes = {}
    for name in form:
        if not name.startswith("text."):
            continue
        key = name.removeprefix("text.")
        text = form.get(name, "").replace("\r\n", "\n")
        unsure = f"unsure.{key}" in form
        change = {"revision": _number(form.get(f"revision.{key}"))}
        if drafts.source_hash(text) != form.get(f"base.{key}"):
            change["text"] = text
        if unsure != (f"was_unsure.{key}" in form) or key in confirmed:
            change["unsure"] = unsure and key not in confirmed
        if len(change) > 1:
            changes[key] = change
    return changes


def _number(value) -> int:
    return int(value) if value and value.isdigit() else 0


@bp.post("/<form_id>/<lang>/texts/<path:key>")
@role_required(*EDITORS)
def save_text(form_id, lang, key):
    """Save one text; an edit made on an older copy than the stored one gets 409 with both texts."""
    data = request.get_json(silent=True)
    problem = _shape_problem(data)
    if problem:
        return api_error(400, "bad_shape", problem)
    try:
        result = drafts.save_text(session=get_session(), form_id=form_id, key=key, lang=lang,
                                  revision=data["revision"], text=data.get("text"), unsure=data.get("unsure"),
                                  actor=g.user.email)
    except drafts.TextRefused as exc:
        return api_error(400, exc.code, refusals()[exc.code])
    except KeyError:
        return api_error(404, "unknown_text", _("This text is not in the questionnaire."))
    except LookupError:
        return api_error(404, "unknown_form", _("This questionnaire or language does not exist."))
    if not result.saved:
        return api_error(409, "conflict", _("Someone else changed this text."), mine={"text": data.get("text")},
                         theirs={"text": result.text, "revision": result.revision, "updated_by": result.updated_by})
    return {"text": result.text, "revision": result.revision, "state": result.state, "unsure": result.unsure}


def _shape_problem(data) -> str:
    if not isinstance(data, dict):
        return "The body must be a JSON object with 'revision' and 'text' or 'unsure'."
    revision = data.get("revision")
    if not isinstance(revision, int) or isinstance(revision, bool) or revision < 0:
        return "'revision' must be the whole number the row was shown with."
    if "text" in data and not isinstance(data["text"], str):
        return "'text' must be a string."
    if "unsure" in data and not isinstance(data["unsure"], bool):
        return "'unsure' must be true or false."
    return ""


def media_refusals() -> dict[str, str]:
    """Why a recording or picture was refused, by code (the editor's script shows the same words)."""
    return {
        "empty": _("Choose a file or make a recording first."),
        "not_media": _("This file is not a sound or picture that phones can show. Use a WebM, Ogg, M4A, MP3 "
                       "or WAV recording, or a PNG, JPEG or WebP picture."),
        "too_big:audio": _("This recording is too large: at most 1 MB. Record a shorter one."),
        "too_big:image": _("This picture is too large: at most 500 KB. Save it smaller and try again."),
    }


def media_refusal(exc: MediaRefused) -> str:
    return media_refusals()[f"too_big:{exc.kind}" if exc.code == "too_big" else exc.code]


@bp.post("/<form_id>/<lang>/media/<path:key>")
@role_required(*EDITORS)
def save_media(form_id, lang, key):
    """Set or remove (`remove=audio|image`) a question's or choice's recording or picture in the draft."""
    wants_json = request.accept_mimetypes.best == "application/json"
    remove = request.form.get("remove")
    try:
        audit("prompt_removed" if remove else "prompt_saved", form_id=form_id, lang=lang, key=key, kind=remove)
        if remove:
            translation_media.remove_prompt(session=get_session(), form_id=form_id, key=key, lang=lang, kind=remove)
            result = {"removed": remove}
        else:
            upload = request.files.get("file")
            content = translation_media.read_bounded(upload.stream) if upload else b""
            result = translation_media.save_prompt(session=get_session(), form_id=form_id, key=key, lang=lang,
                                                   content=content)
    except MediaRefused as exc:
        get_session().rollback()
        if wants_json:
            return api_error(400, exc.code, media_refusal(exc))
        return render_editor(form_id, lang, media_errors={key: media_refusal(exc)}, status=400)
    except LookupError:  # KeyError too: a key that is not a question's or choice's label
        get_session().rollback()
        if wants_json:
            return api_error(404, "unknown_prompt", _("This text cannot have a recording or picture."))
        abort(404)
    if wants_json:
        return result
    flash(_("Removed.") if remove else _("Saved in the draft. Participants get it when the draft is published."))
    return redirect(url_for(".editor", form_id=form_id, lang=lang, _anchor=f"media-{key}"))


@bp.get("/<form_id>/<lang>/preview")
@role_required(*EDITORS)
def preview(form_id, lang):
    """Show the draft as a participant would see it; nothing here stores or submits anything."""
    try:
        document, _draft = drafts.working_copy(session=get_session(), form_id=form_id)
    except LookupError:
        abort(404)
    try:
        definition = load_dict(document, source=form_id)
    except DefinitionError as exc:
        return render_template("translators/preview.html", problems=exc.problems, definition=None)
    if lang not in definition.languages:
        abort(404)
    use_page_language([lang], lang)
    wtform = build_form_class(definition)(formdata=None, meta={"csrf": False})
    return render_template(
        "translators/preview.html", definition=definition, problems=[],
        title=resolve(definition.title, lang, definition.default_language),
        description=resolve(definition.description, lang, definition.default_language),
        items=question_views(definition, wtform, lang),
    )


@bp.post("/<form_id>/languages")
@role_required(*EDITORS)
def add_language(form_id):
    """Add a language to the questionnaire's draft, checked against the languages Babel knows."""
    back = request.form.get("from", "")
    try:
        code = drafts.add_language(session=get_session(), form_id=form_id, lang=request.form.get("lang", ""))
    except ValueError:
        message = _("This is not a language code we know. Use a code such as ps, fa_AF or ur.")
        return render_editor(form_id, back, language_error=message, status=400)
    except LookupError:
        abort(404)
    audit("language_added", form_id=form_id, lang=code)
    get_session().commit()
    flash(_("%(language)s was added. Its texts are in the draft until you publish it.",
            language=language_label(code)))
    return redirect(url_for(".editor", form_id=form_id, lang=code))


@bp.post("/<form_id>/publish")
@role_required(*EDITORS)
def publish(form_id):
    """Publish the draft as the new version; phones get it on their next sync."""
    try:
        version = drafts.publish_draft(session=get_session(), form_id=form_id, actor=g.user.email)
    except DefinitionError as exc:
        flash(_("Not published: %(problems)s", problems="; ".join(exc.problems)))
        version = None
    if version is not None:
        flash(_("Published as version %(number)s. Phones get it on their next sync.", number=version.number))
    elif not get_session().get(FormDraft, form_id):
        flash(_("There are no changes to publish."))
    lang = request.form.get("lang")
    if lang:
        return redirect(url_for(".editor", form_id=form_id, lang=lang))
    return redirect(url_for(".index"))
