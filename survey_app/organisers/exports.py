"""Organisers' downloads of the answers (CSV, XLSX, JSON) and the `export` CLI command.

    GET  /organise/results/<form_id>/export    export_page
    POST /organise/results/<form_id>/export    start_export
    GET  /organise/exports/<job_id>            export_job
    GET  /organise/exports/<job_id>/file       export_file

Size rule: an export of at most SURVEY_EXPORT_DIRECT_ROWS submissions (5,000 by default) is
written at once and sent with its length; a larger one runs in the background (jobs.py) and
its page shows how far it got, refreshing itself, then offers the file with its length and
SHA-256. So a long export never meets a worker timeout, and a cut download looks cut.
Every export is in the audit log with its filters. Who sees what is as on the results page:
every answer to the questionnaire, with the workshop filter offering the account's own
workshops; a background export is seen and downloaded by the account that started it only.
"""

import base64
import datetime
import tempfile
from pathlib import Path

import click
from babel import Locale
from babel import UnknownLocaleError
from flask import abort
from flask import current_app
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session
from wtforms import RadioField
from wtforms import SelectField
from wtforms import ValidationError

from .. import exports
from .. import jobs
from .. import results as data
from ..accounts import audit
from ..accounts import role_required
from ..db import get_engine
from ..db import get_session
from ..engine.texts import is_rtl
from ..engine.texts import language_name
from ..engine.validation import InvalidValue
from ..engine.validation import parse_date
from ..forms_store import definition_of
from ..forms_store import get_version
from ..i18n import current_language
from ..models import AuditEvent
from . import bp
from .results import FilterForm
from .results import date_example
from .results import filter_args
from .results import filter_form
from .results import questionnaire
from .results import title_of

FORMAT_NAMES = {"csv": "CSV (UTF-8)", "xlsx": "Excel (XLSX)", "json": "JSON"}
UNFINISHED_PER_ACCOUNT = 3  # background exports one account may have waiting or running at once


class ExportForm(FilterForm):
    """The results filters, plus the file format and how answers and headers are worded."""

    format = RadioField(_l("File format"), default="csv", validate_choice=False)
    labels = SelectField(_l("Write the answers as"), validate_choice=False)
    headers = RadioField(_l("Column headers"), default="labels", validate_choice=False)

    def __init__(self, formdata=None, **kwargs):
        # The page shows the filters from the query; starting an export posts them with the form.
        super().__init__(request.form if request.method == "POST" else formdata, **kwargs)

    def validate_format(self, field):
        if field.data not in exports.WRITERS:
            raise ValidationError(_("Please choose one of the file formats."))

    def validate_labels(self, field):
        if field.data and field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_("Please choose one of the languages listed."))

    def validate_headers(self, field):
        if field.data not in {"labels", "codes"}:
            raise ValidationError(_("Please choose question labels or question codes."))


def export_form(form_id: str, version) -> ExportForm:
    definition = definition_of(version)
    return filter_form(form_id, form_class=ExportForm, offer=lambda form: _offer_choices(form, definition))


def _offer_choices(form: ExportForm, definition) -> None:
    form.format.choices = list(FORMAT_NAMES.items())
    form.labels.choices = [("", _("Codes"))] + [
        (code, _("Labels in %(language)s", language=name_in_viewer_language(code))) for code in definition.languages]
    form.headers.choices = [("labels", _("Question labels, in the language of the answers")),
                            ("codes", _("Question codes, the same in every language"))]
    sent = request.form if request.method == "POST" else request.args
    if "labels" not in sent:  # by default, answers as the reader reads them, when the questionnaire has that language
        form.labels.data = current_language() if current_language() in definition.languages else ""


def name_in_viewer_language(code: str) -> str:
    """Name a language in the reader's own language (Persian readers see انگلیسی, not English)."""
    try:
        return Locale.parse(current_language()).languages.get(code) or language_name(code)
    except (ValueError, LookupError, UnknownLocaleError):
        return language_name(code)


def export_options(labels: str | None, headers: str, page_language: str) -> exports.Options:
    """How an export is worded: sheets run right to left for a right-to-left language."""
    try:
        with force_locale(labels or page_language):
            suffix = _("label")
    except (ValueError, LookupError, UnknownLocaleError):  # a questionnaire language Babel does not know
        suffix = _("label")
    return exports.Options(labels=labels, label_headers=headers != "codes", zone=current_app.config["SURVEY_TIME_ZONE"],
                           right_to_left=is_rtl(labels or page_language), label_suffix=suffix)


def runner() -> jobs.Runner:
    """This process's runner of background exports; their files live in the instance folder."""
    app = current_app._get_current_object()
    found = app.extensions.get("survey_export_jobs")
    if found is None:
        # setdefault: two threads' first requests at once still share one runner (it knows its jobs)
        found = app.extensions.setdefault("survey_export_jobs", jobs.Runner(
            Path(app.instance_path) / "exports", workers=app.config["SURVEY_EXPORT_WORKERS"],
            keep=datetime.timedelta(hours=app.config["SURVEY_EXPORT_KEEP_HOURS"])))
    return found


def _page(form_id, version, form, status=200, message=None):
    jobs_here = runner().jobs_of(g.user.id, form_id)
    return render_template("organisers/export.html", form_id=form_id, title=title_of(version), form=form,
                           args=filter_args(), date_example=date_example(), jobs=jobs_here, message=message,
                           direct_rows=current_app.config["SURVEY_EXPORT_DIRECT_ROWS"]), status


@bp.get("/results/<form_id>/export")
@role_required("organiser")
def export_page(form_id):
    """Offer a download of the answers, with the results page's filters already filled in."""
    version = questionnaire(form_id)
    runner().clean()
    return _page(form_id, version, export_form(form_id, version))


@bp.post("/results/<form_id>/export")
@role_required("organiser")
def start_export(form_id):
    """Send a small export at once; start a large one in the background and show its page."""
    version = questionnaire(form_id)
    form = export_form(form_id, version)
    if form.errors:
        return _page(form_id, version, form, 400)
    session, filters, fmt = get_session(), form.filters(), form.format.data
    labels = form.labels.data or None
    options = export_options(labels, form.headers.data, current_language())
    total = data.count(session=session, form_id=form_id, filters=filters)
    direct = total <= current_app.config["SURVEY_EXPORT_DIRECT_ROWS"]
    if not direct and sum(not job.finished for job in runner().jobs_of(g.user.id)) >= UNFINISHED_PER_ACCOUNT:
        return _page(form_id, version, form, 429, _("Please wait until one of your exports below has finished."))
    detail = {"form_id": form_id, "format": fmt, "labels": labels, "headers": form.headers.data,
              "filters": filters.as_dict()}
    layout = exports.layout_for(session=session, form_id=form_id, filters=filters, options=options)
    if direct:
        audit("export", **detail)
        session.commit()
        return _send_now(form_id, filters, layout, fmt)
    job = jobs.Job(id=jobs.new_id(), owner=g.user.id, form_id=form_id, format=fmt, total=total,
                   download_name=exports.file_name(form_id, exports.file_format(layout, fmt)), detail=detail)
    try:
        runner().start(job, _work(get_engine(), form_id, filters, layout, fmt))
    except OSError:
        current_app.logger.exception("an export could not be started")
        return _page(form_id, version, form, 503, _("The export could not be started: the server cannot write its "
                                                    "files. Please tell the server's administrator."))
    audit("export", **detail, job=job.id)
    session.commit()
    return redirect(url_for("organisers.export_job", job_id=job.id), 303)


def _work(engine, form_id: str, filters: data.Filters, layout: exports.Layout, fmt: str) -> jobs.Work:
    """The background part of an export: read the rows from a session of its own and write the file."""
    def work(path: Path, progress) -> tuple[int, int, str]:
        with Session(engine) as session:
            rows = exports.submission_rows(session=session, form_id=form_id, filters=filters)
            written = exports.save(rows, layout, fmt, path, progress)
        return written.rows, written.size, written.sha256
    return work


def _send_now(form_id: str, filters: data.Filters, layout: exports.Layout, fmt: str):
    """Write a small export into a temporary file (in memory up to 8 MiB), then send it with its length."""
    file = tempfile.SpooledTemporaryFile(8 * 1024 * 1024)  # noqa: SIM115 - the response body closes it
    try:
        with Session(get_engine()) as session:
            rows = exports.submission_rows(session=session, form_id=form_id, filters=filters)
            written = exports.write(rows, layout, fmt, file)
    except BaseException:
        file.close()
        raise

    def body():
        with file:
            while chunk := file.read(64 * 1024):
                yield chunk

    name = exports.file_name(form_id, exports.file_format(layout, fmt))
    headers = {"Content-Disposition": f'attachment; filename="{name}"',
               "Content-Length": str(written.size), "Cache-Control": "no-store",
               "Repr-Digest": _digest_header(written.sha256)}
    return current_app.response_class(body(), mimetype=exports.mime_type(name), headers=headers)


def _digest_header(sha256: str) -> str:
    """The file's SHA-256 as RFC 9530 writes it, for programs that check what they downloaded."""
    return f"sha-256=:{base64.b64encode(bytes.fromhex(sha256)).decode()}:"


def _own_job(job_id: str) -> jobs.Job:
    """Return a job this account started; any other is not found, so job ids tell nothing."""
    job = runner().get(job_id)
    if job is None or job.owner != g.user.id:
        abort(404)
    return job


@bp.get("/exports/<job_id>")
@role_required("organiser")
def export_job(job_id):
    """Show how far a background export got; the page refreshes itself until it has finished."""
    job = _own_job(job_id)
    version = get_version(session=get_session(), form_id=job.form_id)
    available = job.state == jobs.DONE and runner().path(job).is_file()
    return render_template("organisers/export_job.html", job=job, available=available,
                           title=title_of(version) if version else None, jobs=jobs)


@bp.get("/exports/<job_id>/file")
@role_required("organiser")
def export_file(job_id):
    """Send a finished export with its length and checksum (resumable with Range requests)."""
    job = _own_job(job_id)
    path = runner().path(job)
    if job.state != jobs.DONE or not path.is_file():
        abort(404)
    response = send_file(path, mimetype=exports.mime_type(job.download_name), as_attachment=True,
                         download_name=job.download_name, conditional=True, etag=job.sha256, max_age=0)
    response.headers["Repr-Digest"] = _digest_header(job.sha256)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _day(_ctx, _param, value):
    if value is None:
        return None
    try:
        return parse_date(value)
    except InvalidValue as exc:
        raise click.BadParameter("write a day as YYYY-MM-DD (or Solar Hijri YYYY/MM/DD)") from exc


@click.command("export")
@click.argument("form_id")
@click.option("--format", "fmt", type=click.Choice(sorted(exports.WRITERS)), default="csv", show_default=True,
              help="File format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write (replaced only once the export is complete).")
@click.option("--labels", is_flag=True, help="Write option labels instead of codes.")
@click.option("--lang", metavar="LANG", help="Language of the labels (implies --labels); default: the form's own.")
@click.option("--code-headers", is_flag=True, help="Head columns with question codes even when writing labels.")
@click.option("--workshop", metavar="CODE", help="Only answers given through this workshop.")
@click.option("--from", "date_from", metavar="DAY", callback=_day, help="Only answers sent on or after this day.")
@click.option("--to", "date_to", metavar="DAY", callback=_day, help="Only answers sent on or before this day.")
@click.option("--answer-lang", metavar="LANG", help="Only answers given in this language.")
@click.option("--form-version", metavar="VERSION", help="Only answers to this version of the questionnaire.")
@with_appcontext
def export_command(form_id, fmt, output, labels, lang, code_headers, workshop, date_from, date_to, answer_lang,
                   form_version):
    """Write the answers to a questionnaire to a file: CSV, XLSX or JSON."""
    filters = data.Filters(workshop=workshop, date_from=date_from, date_to=date_to, lang=answer_lang,
                           version=form_version)
    with Session(get_engine(), expire_on_commit=False) as session:
        version = get_version(session=session, form_id=form_id)
        if version is None:
            raise click.ClickException(f"no questionnaire called {form_id}")
        language = (lang or definition_of(version).default_language) if (labels or lang) else None
        total = data.count(session=session, form_id=form_id, filters=filters)
        options = export_options(language, "codes" if code_headers else "labels",
                                 current_app.config["SURVEY_DEFAULT_LANGUAGE"])
        layout = exports.layout_for(session=session, form_id=form_id, filters=filters, options=options)
        with click.progressbar(length=total, label=f"Exporting {form_id}") as bar:
            def progress(done: int) -> None:
                bar.update(done - bar.pos)
            rows = exports.submission_rows(session=session, form_id=form_id, filters=filters)
            written = exports.save(rows, layout, fmt, output, progress)
        session.add(AuditEvent(actor="cli", action="export", detail={
            "form_id": form_id, "format": fmt, "labels": language, "filters": filters.as_dict(), "file": str(output)}))
        session.commit()
    click.echo(f"wrote {written.rows} submissions to {output} ({written.size} bytes, SHA-256 {written.sha256})")
