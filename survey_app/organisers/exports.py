"""Organisers' downloads of the answers (CSV, XLSX, JSON) and the `export` CLI command.

    GET  /organise/results/<form_id>/export            export_page
    GET  /organise/results/<form_id>/export/download   download

The file is streamed as it is written; every export is in the audit log with its filters.
Who sees what is as on the results page: every answer to the questionnaire, with the
workshop filter offering the account's own workshops.
"""

from pathlib import Path

import click
from flask import current_app
from flask import render_template
from flask import stream_with_context
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session
from wtforms import RadioField
from wtforms import SelectField
from wtforms import ValidationError

from .. import exports
from .. import results as data
from ..accounts import audit
from ..accounts import role_required
from ..db import get_engine
from ..db import get_session
from ..engine.texts import language_name
from ..engine.validation import InvalidValue
from ..engine.validation import parse_date
from ..forms_store import definition_of
from ..forms_store import get_version
from ..models import AuditEvent
from . import bp
from .results import FilterForm
from .results import date_example
from .results import filter_args
from .results import filter_form
from .results import questionnaire
from .results import title_of

FORMAT_NAMES = {"csv": "CSV (UTF-8)", "xlsx": "Excel (XLSX)", "json": "JSON"}


class ExportForm(FilterForm):
    """The results filters, plus the file format and whether answers are written as codes or labels."""

    format = RadioField(_l("File format"), default="csv", validate_choice=False)
    labels = SelectField(_l("Write the answers as"), validate_choice=False)

    def validate_format(self, field):
        if field.data not in exports.WRITERS:
            raise ValidationError(_("Please choose one of the file formats."))

    def validate_labels(self, field):
        if field.data and field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_("Please choose one of the languages listed."))


def export_form(form_id: str, version) -> ExportForm:
    definition = definition_of(version)
    return filter_form(form_id, form_class=ExportForm, offer=lambda form: _offer_labels(form, definition))


def _offer_labels(form: ExportForm, definition) -> None:
    form.format.choices = list(FORMAT_NAMES.items())
    form.labels.choices = [("", _("Codes"))] + [
        (code, _("Labels in %(language)s", language=language_name(code))) for code in definition.languages]


@bp.get("/results/<form_id>/export")
@role_required("organiser")
def export_page(form_id):
    """Offer a download of the answers, with the results page's filters already filled in."""
    version = questionnaire(form_id)
    form = export_form(form_id, version)
    return render_template("organisers/export.html", form_id=form_id, title=title_of(version), form=form,
                           args=filter_args(), date_example=date_example())


@bp.get("/results/<form_id>/export/download")
@role_required("organiser")
def download(form_id):
    """Stream the answers as a file and note the export, with its filters, in the audit log."""
    version = questionnaire(form_id)
    form = export_form(form_id, version)
    if form.errors:
        return render_template("organisers/export.html", form_id=form_id, title=title_of(version), form=form,
                               args=filter_args(), date_example=date_example()), 400
    session, filters, fmt = get_session(), form.filters(), form.format.data
    labels = form.labels.data or None
    audit("export", form_id=form_id, format=fmt, labels=labels, filters=filters.as_dict())
    session.commit()
    layout = exports.layout_for(session=session, form_id=form_id, filters=filters, labels=labels)
    body = stream_with_context(_file(get_engine(), form_id, filters, layout, fmt))
    kind = exports.file_format(layout, fmt)
    headers = {"Content-Disposition": f'attachment; filename="{exports.file_name(form_id, kind)}"',
               "Cache-Control": "no-store"}
    return current_app.response_class(body, mimetype=exports.MIME_TYPES[kind], headers=headers)


def _file(engine, form_id: str, filters: data.Filters, layout: exports.Layout, fmt: str):
    """Write the file from a session of its own: the request's session is closed once the view returns."""
    with Session(engine) as session:
        rows = exports.submission_rows(session=session, form_id=form_id, filters=filters)
        yield from exports.WRITERS[fmt](rows, layout)


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
@click.option("--workshop", metavar="CODE", help="Only answers given through this workshop.")
@click.option("--from", "date_from", metavar="DAY", callback=_day, help="Only answers sent on or after this day.")
@click.option("--to", "date_to", metavar="DAY", callback=_day, help="Only answers sent on or before this day.")
@click.option("--answer-lang", metavar="LANG", help="Only answers given in this language.")
@click.option("--form-version", metavar="VERSION", help="Only answers to this version of the questionnaire.")
@with_appcontext
def export_command(form_id, fmt, output, labels, lang, workshop, date_from, date_to, answer_lang, form_version):
    """Write the answers to a questionnaire to a file: CSV, XLSX or JSON."""
    filters = data.Filters(workshop=workshop, date_from=date_from, date_to=date_to, lang=answer_lang,
                           version=form_version)
    with Session(get_engine(), expire_on_commit=False) as session:
        version = get_version(session=session, form_id=form_id)
        if version is None:
            raise click.ClickException(f"no questionnaire called {form_id}")
        language = (lang or definition_of(version).default_language) if (labels or lang) else None
        total = data.count(session=session, form_id=form_id, filters=filters)
        layout = exports.layout_for(session=session, form_id=form_id, filters=filters, labels=language)
        partial = output.with_name(output.name + ".part")
        with click.progressbar(exports.submission_rows(session=session, form_id=form_id, filters=filters),
                               length=total, label=f"Exporting {form_id}") as rows, partial.open("wb") as file:
            for chunk in exports.WRITERS[fmt](rows, layout):
                file.write(chunk)
        partial.replace(output)
        session.add(AuditEvent(actor="cli", action="export", detail={
            "form_id": form_id, "format": fmt, "labels": language, "filters": filters.as_dict(), "file": str(output)}))
        session.commit()
    click.echo(f"wrote {total} submissions to {output}")

