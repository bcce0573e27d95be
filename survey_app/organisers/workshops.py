"""Organisers' workshop pages: list, create, edit, link and QR poster, close and reopen.

    GET       /organise/workshops                     workshops
    GET, POST /organise/workshops/new                 new_workshop
    GET       /organise/workshops/<id>                workshop
    GET, POST /organise/workshops/<id>/edit           edit_workshop
    GET       /organise/workshops/<id>/poster         poster
    GET       /organise/workshops/<id>/qr.svg         workshop_qr
    GET, POST /organise/workshops/<id>/close          close_workshop
    POST      /organise/workshops/<id>/reopen         reopen_workshop

Organisers see and change only the workshops they created; admins see all of them.
"""

import datetime
import ipaddress
from urllib.parse import urlsplit

from flask import abort
from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import ValidationError
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput
from wtforms.widgets import ListWidget

from .. import workshops as data
from ..accounts import audit
from ..accounts import role_required
from ..accounts import staff_link
from ..config import INTERFACE_LANGUAGES
from ..db import get_session
from ..engine.texts import SOLAR_HIJRI_LANGUAGES
from ..engine.texts import is_rtl
from ..engine.texts import language_name
from ..engine.texts import resolve
from ..engine.validation import InvalidValue
from ..engine.validation import parse_date
from ..forms_store import current_versions
from ..forms_store import definition_of
from ..i18n import current_language
from ..i18n import server_time
from ..i18n import solar_hijri_input
from ..i18n import typed_date
from ..models import Workshop
from ..models import utcnow
from . import bp

FIRST_DAY, LAST_DAY = datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)

staff_link("organisers.workshops", _l("Workshops"),
           _l("Create workshops, share their link and QR code, and close them."), ("organiser",))


class LocalDateField(StringField):
    """A day typed as Solar Hijri (1405/09/01) or ISO, Persian or ASCII digits; shown in the reader's calendar."""

    def process_formdata(self, valuelist):
        self.data = None
        text = valuelist[0].strip() if valuelist else ""
        if not text:
            return
        try:
            day = parse_date(text)
        except InvalidValue:
            day = None
        if day is None or not FIRST_DAY <= day <= LAST_DAY:
            raise ValueError(_("Please write a date as year/month/day, for example %(example)s.",
                               example=typed_date(datetime.date.today())))
        self.data = day

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return typed_date(self.data) if self.data else ""


def date_example() -> str:
    """How to type a day, shown below a date field: a placeholder of a date would look filled in."""
    today = datetime.date.today()
    if current_language() in SOLAR_HIJRI_LANGUAGES:
        return _("For example %(date)s (year/month/day)", date=solar_hijri_input(today))
    return _("For example %(date)s (year-month-day)", date=today.isoformat())


# WTForms' own message would show in English on Pashto pages (it has no Pashto catalog).
TOO_LONG = _l("Please write at most %(max)d characters.")


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class WorkshopForm(FlaskForm):
    title = StringField(_l("Title"), validators=[
        InputRequired(_l("Please give the workshop a title.")), Length(max=200, message=TOO_LONG)])
    place = StringField(_l("Place"), validators=[Length(max=200, message=TOO_LONG)])
    start_date = LocalDateField(_l("First day"), validators=[InputRequired(_l("Please write the first day."))])
    end_date = LocalDateField(_l("Last day"), validators=[InputRequired(_l("Please write the last day."))])
    form_ids = CheckboxesField(_l("Questionnaires"), validators=[
        InputRequired(_l("Please choose at least one questionnaire."))])
    languages = CheckboxesField(_l("Languages offered"), validators=[
        InputRequired(_l("Please choose at least one language."))])

    def validate_end_date(self, field):
        if self.start_date.data and field.data and field.data < self.start_date.data:
            raise ValidationError(_("The last day cannot be before the first day."))

    def offer_choices(self, keep: list[str] = ()) -> None:
        """Offer every published questionnaire (and any this workshop still names) and every language."""
        lang = current_language()
        choices = []
        for version in current_versions(session=get_session()):
            definition = definition_of(version)
            choices.append((definition.form_id, resolve(definition.title, lang, definition.default_language).text))
        known = {form_id for form_id, _title in choices}
        self.form_ids.choices = choices + [(form_id, form_id) for form_id in keep if form_id not in known]
        self.languages.choices = [(code, language_name(code)) for code in INTERFACE_LANGUAGES]

    def fields(self) -> dict:
        return {"title": self.title.data.strip(), "place": (self.place.data or "").strip(),
                "titles": self._per_language("title"), "places": self._per_language("place"),
                "start_date": self.start_date.data, "end_date": self.end_date.data,
                "form_ids": list(self.form_ids.data), "languages": list(self.languages.data)}

    def _per_language(self, name: str) -> dict:
        texts = {code: (self[f"{name}_{code}"].data or "").strip() for code in INTERFACE_LANGUAGES}
        return {code: text for code, text in texts.items() if text}

    def translated_fields(self) -> list[tuple[str, object, object]]:
        """(language, title field, place field) for each interface language."""
        return [(code, self[f"title_{code}"], self[f"place_{code}"]) for code in INTERFACE_LANGUAGES]

    @staticmethod
    def data_of(workshop: Workshop) -> dict:
        """The per-language fields' values, which are not attributes of the workshop."""
        return {f"{name}_{code}": texts.get(code, "") for name, texts in
                (("title", workshop.titles or {}), ("place", workshop.places or {})) for code in INTERFACE_LANGUAGES}


# A title and a place per interface language: shown to readers of that language instead of the main ones.
for _code in INTERFACE_LANGUAGES:
    setattr(WorkshopForm, f"title_{_code}", StringField(
        _l("Title in %(language)s", language=language_name(_code)), validators=[Length(max=200, message=TOO_LONG)]))
    setattr(WorkshopForm, f"place_{_code}", StringField(
        _l("Place in %(language)s", language=language_name(_code)), validators=[Length(max=200, message=TOO_LONG)]))


class ConfirmForm(FlaskForm):
    """Only a CSRF token: the confirmation of an action that a button posts."""


@bp.get("/workshops")
@role_required("organiser")
def workshops():
    """List the workshops this account may manage, newest first."""
    items = data.visible_workshops(session=get_session(), user=g.user)
    return render_template("organisers/workshops.html", workshops=items, phase=phase, phases=PHASES)


@bp.route("/workshops/new", methods=["GET", "POST"])
@role_required("organiser")
def new_workshop():
    """Create a workshop; it gets its code, link and QR code at once."""
    form = WorkshopForm(data={"languages": [current_app.config["SURVEY_DEFAULT_LANGUAGE"]]})
    form.offer_choices()
    if form.validate_on_submit():
        session = get_session()
        workshop = data.create_workshop(session=session, created_by=g.user, **form.fields())
        audit("workshop_created", code=workshop.code, title=workshop.title)
        session.commit()
        flash(_("The workshop is ready. Share its link or QR code with the participants."))
        return redirect(url_for(".workshop", workshop_id=workshop.id))
    return _form_page(form, None)


@bp.get("/workshops/<int:workshop_id>")
@role_required("organiser")
def workshop(workshop_id):
    """Show a workshop: its link, QR code, questionnaires, and whether it is open."""
    found = _managed(workshop_id)
    return render_template("organisers/workshop.html", workshop=found, link=_link(found),
                           titles=_form_titles(found), loopback=_is_loopback(request.host),
                           reopen_form=ConfirmForm(), phase=phase(found), phases=PHASES)


@bp.route("/workshops/<int:workshop_id>/edit", methods=["GET", "POST"])
@role_required("organiser")
def edit_workshop(workshop_id):
    """Change a workshop's details; its code and link never change."""
    found = _managed(workshop_id)
    form = WorkshopForm(obj=found, data=WorkshopForm.data_of(found))
    form.offer_choices(keep=found.form_ids)
    if form.validate_on_submit():
        session = get_session()
        changed = data.update_workshop(session=session, workshop=found, **form.fields())
        if changed:
            audit("workshop_updated", code=found.code, changed=changed)
        session.commit()
        flash(_("The workshop has been saved."))
        return redirect(url_for(".workshop", workshop_id=found.id))
    return _form_page(form, found)


@bp.get("/workshops/<int:workshop_id>/poster")
@role_required("organiser")
def poster(workshop_id):
    """A page to print or project: a large QR code, the title and the link written out."""
    found = _managed(workshop_id)
    return render_template("organisers/poster.html", workshop=found, link=_link(found),
                           instructions=_instructions(found.languages), loopback=_is_loopback(request.host))


@bp.get("/workshops/<int:workshop_id>/qr.svg")
@role_required("organiser")
def workshop_qr(workshop_id):
    """The QR code of the workshop's link, for the address this page was opened with."""
    svg = data.qr_svg(_link(_managed(workshop_id)))
    return current_app.response_class(svg, mimetype="image/svg+xml", headers={"Cache-Control": "no-cache"})


@bp.route("/workshops/<int:workshop_id>/close", methods=["GET", "POST"])
@role_required("organiser")
def close_workshop(workshop_id):
    """Ask, then close: answers started from now on are refused, earlier ones still count."""
    found = _managed(workshop_id)
    form = ConfirmForm()
    if found.closed_at is None and form.validate_on_submit():
        session = get_session()
        data.close_workshop(session=session, workshop=found)
        audit("workshop_closed", code=found.code, title=found.title)
        session.commit()
        flash(_("The workshop is closed. Answers started before now will still be accepted."))
        return redirect(url_for(".workshop", workshop_id=found.id))
    if found.closed_at is not None:
        return redirect(url_for(".workshop", workshop_id=found.id))
    return render_template("organisers/close.html", workshop=found, form=form)


@bp.post("/workshops/<int:workshop_id>/reopen")
@role_required("organiser")
def reopen_workshop(workshop_id):
    """Open a closed workshop again; what was refused meanwhile waits in the quarantine."""
    found = _managed(workshop_id)
    if found.closed_at is not None and ConfirmForm().validate_on_submit():
        session = get_session()
        data.reopen_workshop(session=session, workshop=found)
        audit("workshop_reopened", code=found.code, title=found.title)
        session.commit()
        flash(_("The workshop is open again. Answers refused while it was closed wait in the quarantine, "
                "where you can accept them."))
    return redirect(url_for(".workshop", workshop_id=found.id))


def _form_page(form: WorkshopForm, workshop: Workshop | None):
    return render_template("organisers/workshop_form.html", form=form, workshop=workshop, date_example=date_example())


def _managed(workshop_id: int) -> Workshop:
    """Return a workshop this account may manage; others' workshops do not exist for it."""
    found = get_session().get(Workshop, workshop_id)
    if found is None or not data.may_manage(g.user, found):
        abort(404)
    return found


def _link(workshop: Workshop) -> str:
    return url_for("participants.workshop_page", code=workshop.code, _external=True)


def _form_titles(workshop: Workshop) -> list[tuple[str, str]]:
    """Each questionnaire's title with the address of this workshop's results for it."""
    lang = current_language()
    versions = {version.form_id: version for version in current_versions(session=get_session())}
    titles = []
    for form_id in workshop.form_ids:
        results = url_for(".results", form_id=form_id, workshop=workshop.code)
        if form_id in versions:
            definition = definition_of(versions[form_id])
            titles.append((resolve(definition.title, lang, definition.default_language).text, results))
        else:
            titles.append((_("%(form_id)s (no longer offered)", form_id=form_id), results))
    return titles


PHASES = {"upcoming": _l("upcoming"), "open": _l("open"), "ended": _l("ended"), "closed": _l("closed")}


def phase(workshop: Workshop, today: datetime.date | None = None) -> str:
    """Where a workshop is in its life: before its first day, during, after its last day, or closed.

    Only closing refuses answers; "ended" says that the dates are over while the link still works.
    """
    today = today or server_time(utcnow()).date()
    if workshop.closed_at is not None:
        return "closed"
    if today < workshop.start_date:
        return "upcoming"
    return "ended" if today > workshop.end_date else "open"


def _instructions(languages: list[str]) -> list[dict]:
    """Say how to use the poster in each language the workshop offers (each translation once)."""
    with force_locale("en"):
        english = _scan_text()
    lines, seen = [], set()
    for code in languages:
        with force_locale(code):
            text = _scan_text()
        if text not in seen:
            seen.add(text)
            shown_in = "en" if text == english else code  # an untranslated line is English, and says so
            lines.append({"text": text, "lang": shown_in.replace("_", "-"),
                          "dir": "rtl" if is_rtl(shown_in) else "ltr"})
    return lines


def _scan_text() -> str:
    return _("Scan this code with your phone's camera, or type the address below.")


def _is_loopback(host: str) -> bool:
    """Tell whether the page was opened as localhost, an address phones cannot reach."""
    name = urlsplit(f"//{host}").hostname or ""
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
