"""Organisers' quarantine: records that could not be stored as sent, fixed and accepted, or discarded.

    GET        /organise/quarantine                 quarantine
    GET, POST  /organise/quarantine/<id>            quarantined_record   (POST: fix and accept)
    POST       /organise/quarantine/<id>/discard    discard_record

A quarantined record is never changed or deleted; a decision is a row of its own
(QuarantineDecision), and both kinds are in the audit log. Accepting sends the corrected
record through submissions.apply_record like any record from a phone, inside a savepoint:
if it still cannot be stored, nothing new is kept aside and the reasons show next to the
fields. A conflicting copy (its UUID is stored with other answers) is accepted as a new
submission with a new UUID; the stored one is left as it is.
"""

import json
import uuid as uuid_module

from flask import abort
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from sqlmodel import func
from sqlmodel import select
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import ValidationError
from wtforms.validators import Length

from ..accounts import audit
from ..accounts import role_required
from ..accounts import staff_link
from ..db import get_session
from ..engine.expressions import instance_namer
from ..engine.texts import language_name
from ..engine.texts import resolve
from ..form_class import error_messages
from ..forms_store import definition_of
from ..forms_store import get_version
from ..i18n import current_language
from ..models import FormVersion
from ..models import QuarantineDecision
from ..models import QuarantinedRecord
from ..models import Submission
from ..models import is_uuid
from ..paging import page_number
from ..submissions import CONFLICT
from ..submissions import DUPLICATE
from ..submissions import ESCAPED_JSON
from ..submissions import NOT_ACCEPTED
from ..submissions import STORED
from ..submissions import apply_record
from ..submissions import parse_time
from ..workshops import UNKNOWN_WORKSHOP
from ..workshops import WORKSHOP_CLOSED
from . import bp
from .quarantine_answers import answer_fields
from .quarantine_answers import left_over
from .quarantine_answers import shown_questions
from .quarantine_answers import typed_answers
from .quarantine_answers import with_typed
from .unknown_workshops import unknown_workshop_codes
from .workshops import TOO_LONG

PAGE_SIZE = 50
SHOWN = ("pending", "decided", "all")
RECORD_KEYS = ("uuid", "record", "started_at", "submitted_at")

staff_link("organisers.quarantine", _l("Quarantine"),
           _l("Answers that could not be stored as sent: fix and accept them, or discard them."), ("organiser",))


class FixForm(FlaskForm):
    version = SelectField(_l("Questionnaire and version"), validate_choice=False)
    lang = SelectField(_l("Language the answers were given in"), validate_choice=False)
    workshop = StringField(_l("Workshop code (leave empty for none)"), validators=[Length(max=100, message=TOO_LONG)])
    answers = TextAreaField(_l("Answers, as JSON"))
    note = StringField(_l("Note for the log"), validators=[Length(max=2000, message=TOO_LONG)])

    def validate_version(self, field):
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_("Please choose a questionnaire and version."))

    def validate_answers(self, field):
        if not (field.data or "").strip():  # every answer may be in its own field
            self.parsed = {}
            if not typed_answers(request.form):
                raise ValidationError(_("Please give the answers."))
            return
        try:
            self.parsed = json.loads(field.data)
        except ValueError as exc:
            raise ValidationError(_("This is not valid JSON: %(problem)s", problem=str(exc))) from exc
        if not isinstance(self.parsed, dict):
            raise ValidationError(_('Please write the answers as one JSON object, for example {"age": 30}.'))


class DiscardForm(FlaskForm):
    note = StringField(_l("Why discard it? (for the log)"), validators=[Length(max=2000, message=TOO_LONG)])


@bp.get("/quarantine")
@role_required("organiser")
def quarantine():
    """List quarantined records, those still waiting for a decision first."""
    session = get_session()
    show = request.args.get("show") if request.args.get("show") in SHOWN else "pending"
    page = page_number()
    query = select(QuarantinedRecord, QuarantineDecision).join(
        QuarantineDecision, QuarantineDecision.record_id == QuarantinedRecord.id, isouter=True)
    if show == "pending":
        query = query.where(QuarantineDecision.id.is_(None))
    elif show == "decided":
        query = query.where(QuarantineDecision.id.is_not(None))
    query = query.order_by(QuarantinedRecord.received_at.desc(), QuarantinedRecord.id.desc())
    rows = session.exec(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    records = [{"record": record, "decision": decision, "reasons": reasons_of(record)}
               for record, decision in rows[:PAGE_SIZE]]
    pending = session.exec(select(func.count()).select_from(QuarantinedRecord).where(
        ~QuarantinedRecord.id.in_(select(QuarantineDecision.record_id)))).one()
    return render_template("organisers/quarantine.html", records=records, show=show, page=page,
                           more=len(rows) > PAGE_SIZE, pending=pending,
                           unknown_workshops=unknown_workshop_codes(session=session))


@bp.route("/quarantine/<int:record_id>", methods=["GET", "POST"])
@role_required("organiser")
def quarantined_record(record_id):
    """Show a record and why it was kept aside; on POST store the corrected copy."""
    session = get_session()
    record = session.get(QuarantinedRecord, record_id) or abort(404)
    decision = _decision(record)
    form = FixForm(data=_fix_defaults(record) if request.method == "GET" else None)
    form.version.choices, form.lang.choices = _version_choices(), _language_choices(record)
    if decision is None and form.validate_on_submit():
        accepted = _accept(record, form)
        if accepted:
            return accepted
    elif decision is not None and request.method == "POST":
        flash(_("This record has been decided already."))
        return redirect(url_for(".quarantined_record", record_id=record.id))
    return render_template("organisers/quarantine_record.html", record=record, decision=decision,
                           reasons=reasons_of(record), form=form, discard=DiscardForm(prefix="discard"),
                           payload=_json(_without_file_bytes(record.payload)), stored=_stored_copy(record),
                           new_uuid=_needs_new_uuid(record), answer_fields=_answer_fields(record, form),
                           instance_name=_instance_name(record))


@bp.post("/quarantine/<int:record_id>/discard")
@role_required("organiser")
def discard_record(record_id):
    """Mark a record as discarded: it stays in the database and the log says who and why."""
    session = get_session()
    record = session.get(QuarantinedRecord, record_id) or abort(404)
    form = DiscardForm(prefix="discard")
    if not form.validate_on_submit() or _decision(record) is not None:
        flash(_("This record has been decided already.") if _decision(record) else
              _("The record was not discarded. Please try again."))
        return redirect(url_for(".quarantined_record", record_id=record.id))
    note = (form.note.data or "").strip()
    session.add(QuarantineDecision(record_id=record.id, decision="discarded", decided_by=g.user.email, note=note))
    audit("quarantine_discarded", record_id=record.id, uuid=record.uuid, status=record.status, note=note)
    return _commit_decision(record, _("The record was discarded. It stays in the database."))


def _accept(record: QuarantinedRecord, form: FixForm):
    """Apply the corrected record in a savepoint; keep it only when it is stored."""
    session = get_session()
    corrected = _corrected(record, form)
    savepoint = session.begin_nested()
    result = apply_record(session=session, record=corrected, source=record.source)
    if result.status not in (STORED, DUPLICATE):
        savepoint.rollback()
        _attach_errors(form, result.errors, corrected)
        return None
    savepoint.commit()
    note = (form.note.data or "").strip()
    session.add(QuarantineDecision(record_id=record.id, decision="accepted", decided_by=g.user.email, note=note,
                                   submission_uuid=corrected["uuid"]))
    audit("quarantine_accepted", record_id=record.id, uuid=corrected["uuid"], status=result.status, note=note)
    message = (_("The corrected answers were stored.") if result.status == STORED
               else _("These answers were stored already; the record is marked as accepted."))
    return _commit_decision(record, message)


def _commit_decision(record: QuarantinedRecord, message: str):
    session = get_session()
    try:
        session.commit()
    except IntegrityError:  # someone else decided at the same moment; their decision stands
        session.rollback()
        message = _("This record has been decided already.")
    flash(message)
    return redirect(url_for(".quarantine"))


def _corrected(record: QuarantinedRecord, form: FixForm) -> dict:
    payload = record.payload
    form_id, version = form.version.data.split("/", 1)
    return {
        "uuid": str(uuid_module.uuid4()) if _needs_new_uuid(record) else payload["uuid"],
        "form_id": form_id, "form_version": version, "lang": form.lang.data,
        "workshop": (form.workshop.data or "").strip().upper() or None,
        "started_at": _time_or_none(payload.get("started_at")),
        "submitted_at": _time_or_none(payload.get("submitted_at")),
        "answers": {**form.parsed, **typed_answers(request.form)},
        # Photos and files go with the corrected answers, checked again as sent (answer_files.py).
        **({"attachments": payload["attachments"]} if "attachments" in payload else {}),
    }


def _needs_new_uuid(record: QuarantinedRecord) -> bool:
    return record.status in (CONFLICT, NOT_ACCEPTED) or not is_uuid(record.payload.get("uuid"))


def _time_or_none(value):
    try:
        return value if parse_time(value) else None
    except (ValueError, TypeError):
        return None


def _decision(record: QuarantinedRecord) -> QuarantineDecision | None:
    query = select(QuarantineDecision).where(QuarantineDecision.record_id == record.id)
    return get_session().exec(query).first()


def _fix_defaults(record: QuarantinedRecord) -> dict:
    payload = record.payload
    answers = payload.get("answers")
    version = _version_of(payload)
    if isinstance(answers, dict):  # those with a field of their own are not repeated in the JSON
        answers = left_over(definition_of(version) if version else None, answers)
    return {"version": f"{version.form_id}/{version.version}" if version else "",
            "lang": payload.get("lang") if isinstance(payload.get("lang"), str) else "",
            "workshop": payload.get("workshop") if isinstance(payload.get("workshop"), str) else "",
            "answers": _json(answers if answers is not None else {})}


def _answer_fields(record: QuarantinedRecord, form: FixForm) -> list:
    """One field per question of the chosen version, with the answer sent or the one typed."""
    form_id, _slash, version_id = (form.version.data or "").partition("/")
    version = get_version(session=get_session(), form_id=form_id, version=version_id) if version_id else None
    if version is None:
        return []
    sent = record.payload.get("answers") if isinstance(record.payload, dict) else None
    fields = answer_fields(definition_of(version), sent if isinstance(sent, dict) else {}, current_language())
    if request.method == "POST":
        fields = with_typed(fields, typed_answers(request.form))
    errors = getattr(form, "answer_errors", {})
    for item in fields:
        item.errors = errors.get(item.name, [])
    return fields


def _instance_name(record: QuarantinedRecord) -> str:
    """The record's name as its questionnaire's settings compute it from the answers sent ('' when none)."""
    payload = record.payload if isinstance(record.payload, dict) else {}
    version = _version_of(payload)
    return instance_namer(definition_of(version))(payload.get("answers")) if version else ""


def _version_of(payload: dict) -> FormVersion | None:
    """Return the version a record names, or the current version of its questionnaire."""
    form_id, version = payload.get("form_id"), payload.get("form_version")
    if not isinstance(form_id, str):
        return None
    session = get_session()
    named = isinstance(version, str) and get_version(session=session, form_id=form_id, version=version)
    return named or get_version(session=session, form_id=form_id)


def _version_choices() -> list[tuple[str, str]]:
    lang, choices = current_language(), []
    for version in get_session().exec(select(FormVersion).order_by(FormVersion.form_id, FormVersion.number.desc())):
        definition = definition_of(version)
        title = resolve(definition.title, lang, definition.default_language).text
        choices.append((f"{version.form_id}/{version.version}",
                        _("%(title)s, version %(number)s", title=title, number=version.number)))
    return choices


def _language_choices(record: QuarantinedRecord) -> list[tuple[str, str]]:
    versions = get_session().exec(select(FormVersion))
    codes = sorted({code for version in versions for code in definition_of(version).languages})
    sent = record.payload.get("lang")
    if isinstance(sent, str) and sent and sent not in codes:
        codes.append(sent)
    return [(code, f"{language_name(code)} ({code})" if language_name(code) != code else code) for code in codes]


def _stored_copy(record: QuarantinedRecord) -> str | None:
    """For a conflict, the answers already stored under the same UUID."""
    if record.status != CONFLICT or not is_uuid(record.payload.get("uuid")):
        return None
    stored = get_session().exec(select(Submission).where(Submission.uuid == record.payload["uuid"].lower())).first()
    return _json(stored.answers) if stored else None


def _without_file_bytes(payload):
    """A record as the page shows it: a photo's base64 (up to megabytes) is named by its length, not shown."""
    files = payload.get("attachments") if isinstance(payload, dict) else None
    if not isinstance(files, list):
        return payload
    shown = [{**item, "data": f"({len(item['data'])} characters of base64)"}
             if isinstance(item, dict) and isinstance(item.get("data"), str) else item for item in files]
    return {**payload, "attachments": shown}


def _json(value) -> str:
    """Show a payload as indented JSON; one no database could hold as sent is shown with its escapes."""
    if isinstance(value, dict) and set(value) == {ESCAPED_JSON}:
        try:
            return json.dumps(json.loads(value[ESCAPED_JSON]), ensure_ascii=True, indent=2, sort_keys=True)
        except (ValueError, TypeError, RecursionError):
            return str(value[ESCAPED_JSON])
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


def _attach_errors(form: FixForm, errors: dict, corrected: dict) -> None:
    """Put each reason the corrected record was refused next to the field it is about."""
    fields = {"workshop": form.workshop, "lang": form.lang, "form": form.version, "answers": form.answers}
    shown, form.answer_errors = shown_questions(request.form), {}
    for key, value in errors.items():
        text = reason_text(key, value, corrected)
        if key in shown:  # next to the question's own field
            form.answer_errors.setdefault(key, []).append(text)
        elif key in fields or key not in RECORD_KEYS:  # anything else names a question
            field = fields.get(key, form.answers)
            field.errors = [*field.errors, text]
        else:
            form.form_errors.append(text)


def reasons_of(record: QuarantinedRecord) -> list[str]:
    """Say in plain words why a record was kept aside."""
    payload = record.payload if isinstance(record.payload, dict) else {}
    return [reason_text(key, value, payload) for key, value in (record.reasons or {}).items()]


def payload_destination(value) -> str:
    return str(value.get("destination", "")) if isinstance(value, dict) else ""


def delivery_problem(value) -> str:
    """The reasons another server gave for not accepting a record pushed there, as one line."""
    if not isinstance(value, dict):
        return str(value)
    reasons = value.get("reasons")
    if isinstance(reasons, dict):
        return "; ".join(f"{field}: {problem}" for field, problem in reasons.items())
    return str(reasons or value.get("status", ""))


def reason_text(key: str, value, payload: dict) -> str:
    """Word one reason (a field and an engine code or message) for an organiser."""
    code = payload.get("workshop")
    if key == "workshop":
        return {WORKSHOP_CLOSED: _("The workshop %(code)s had closed before these answers were started.", code=code),
                UNKNOWN_WORKSHOP: _("The workshop code %(code)s is not known here.", code=code)}.get(
            value, _("The workshop code is not valid."))
    if key == "uuid":
        if "already stored" in str(value):
            return _("Another submission with the same ID is already stored, with different answers.")
        return _("The submission ID is missing or is not a UUID.")
    if key == "record" and value != "must be a JSON object":
        return _("The record holds a character or a number that cannot be stored (%(problem)s).", problem=value)
    if key in ("started_at", "submitted_at") and "plausible" in str(value):
        return _("The record's date is impossible (%(problem)s); the phone's clock was probably wrong.",
                 problem=value)
    if key == "delivery":
        return _("The server %(destination)s did not accept this record: %(problem)s",
                 destination=payload_destination(value), problem=delivery_problem(value))
    fixed = {
        "record": _("The record is not a JSON object."),
        "lang": _("The language of the answers is missing or not a language code."),
        "answers": _("The answers are not a JSON object."),
        "form": _("The questionnaire or its version is not known here."),
        "started_at": _("The time the answers were started could not be read."),
        "submitted_at": _("The time the answers were sent could not be read."),
    }
    if key in fixed:
        return fixed[key]
    version = _version_of(payload) if isinstance(payload, dict) else None
    question = definition_of(version).question(key) if version else None
    label = key
    if question is not None:
        label = resolve(question.label, current_language(), definition_of(version).default_language).text or key
    return _("%(question)s: %(problem)s", question=label, problem=error_messages().get(str(value), str(value)))
