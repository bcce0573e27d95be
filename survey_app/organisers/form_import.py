"""Bring in a questionnaire an organiser already runs on KoboToolbox or ODK.

    GET  /organise/forms/import   form_import_page
    POST /organise/forms/import   import_form

The upload (.xlsx, .xls, or a .zip of the form with its media and CSV files, as KoboToolbox
exports it) goes through the same reader as `flask forms import`; the page shows its report
row by row and publishes the questionnaire unless a row stopped it (or the organiser asked
only for a check).
"""

from flask import current_app
from flask import render_template
from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import BooleanField
from wtforms import StringField
from wtforms.validators import Length
from wtforms.validators import Optional

from .. import form_media
from .. import forms_store
from ..accounts import audit
from ..accounts import role_required
from ..accounts import staff_link
from ..db import get_session
from ..engine.xlsform import MAX_UPLOAD_BYTES
from ..engine.xlsform import read_xlsform
from . import bp

staff_link("organisers.form_import_page", _l("Import a questionnaire"),
           _l("An XLSForm from KoboToolbox or ODK (.xlsx, .xls, or a .zip with its pictures and lists)."),
           ("organiser",))


class FormImportForm(FlaskForm):
    file = FileField(_l("XLSForm file"), validators=[FileRequired(_l("Please choose a file."))],
                     description=_l("An .xlsx or .xls XLSForm, or a .zip of the form with its media and CSV files."))
    default_language = StringField(_l("Language of columns that name none (optional)"),
                                   validators=[Optional(), Length(max=20)],
                                   description=_l("A code such as fa, fa_AF, ps or en. Left empty, it is told "
                                                  "from the text."))
    check_only = BooleanField(_l("Only check the file; do not publish"))


@bp.get("/forms/import")
@role_required("organiser")
def form_import_page():
    """Offer the upload form."""
    return render_template("organisers/form_import.html", form=FormImportForm(), report=None)


@bp.post("/forms/import")
@role_required("organiser")
def import_form():
    """Read the uploaded XLSForm, show its report by row, and publish it unless it was refused."""
    request.max_content_length = MAX_UPLOAD_BYTES
    try:
        form = FormImportForm()
    except RequestEntityTooLarge:
        form = FormImportForm(formdata=None)
        form.file.errors = [_("The file is larger than this server accepts (%(limit)s MB).",
                              limit=MAX_UPLOAD_BYTES // 2**20)]
        return render_template("organisers/form_import.html", form=form, report=None), 413
    if not form.validate_on_submit():
        return render_template("organisers/form_import.html", form=form, report=None), 400
    upload = form.file.data
    filename = (upload.filename or "form.xlsx")[:200]
    report = read_xlsform(upload.stream.read(MAX_UPLOAD_BYTES + 1), name=filename,
                          default_language=form.default_language.data or None)
    version = None
    if report.ok and not form.check_only.data:
        version = _publish(report, filename)
    status = 200 if report.ok else 400
    return render_template("organisers/form_import.html", form=FormImportForm(formdata=None), report=report,
                           filename=filename, version=version), status


def _publish(report, filename: str):
    """Publish the definition (a version already current stays as it is) and keep its files."""
    definition = report.definition
    form_media.store(report.files, definition.get("media_files", {}))
    session = get_session()
    current = forms_store.get_version(session=session, form_id=definition["form_id"])
    if current is not None and current.version == forms_store.content_hash(definition)[:12]:
        return current
    audit("form_imported", form_id=definition["form_id"], file=filename, warnings=len(report.warnings))
    version = forms_store.publish(session=session, definition=definition)
    current_app.logger.info("questionnaire %s published from %s", definition["form_id"], filename)
    return version
