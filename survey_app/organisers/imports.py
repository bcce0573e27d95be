"""Bring in answers that came on a file: a workshop laptop's export, or a phone's saved answers.

    GET  /organise/import   import_page
    POST /organise/import   import_file

Where there is no link between a workshop and the central server, someone carries the file
(`flask sync export`, or the phone's "Save a copy for the organiser") and an organiser uploads it
here. The file is checked whole before anything is stored (sync_files), then stored through
the sync API's own path, so duplicates are recognised and records that cannot be stored go
to the quarantine with their reason. Nothing in a refused file is stored.
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

from .. import sync_files
from ..accounts import audit
from ..accounts import role_required
from ..accounts import staff_link
from ..db import get_session
from ..engine.texts import localise_digits
from ..i18n import current_language
from . import bp

staff_link("organisers.import_page", _l("Import answers from a file"),
           _l("Answers carried on a file from a workshop laptop or a phone, where there was no connection."),
           ("organiser",))

PROBLEMS = {
    "damaged": _l("The file is damaged or incomplete. Nothing was imported."),
    "version": _l("This file was written by a newer version of the app. Update this server first; "
                  "nothing was imported."),
    "after_end": _l("Something was added to the file after its end (line %(line)s). Nothing was imported."),
    "line": _l("Line %(line)s of the file is damaged or cut off. Nothing was imported."),
    "no_end": _l("The file is incomplete: it was probably cut off while copying. Copy it again; "
                 "nothing was imported."),
    "checksum": _l("The file's checksum does not match its contents: it was changed or damaged. "
                   "Nothing was imported."),
    "not_submissions": _l("This is neither an export of answers nor a phone's answers file. "
                          "Nothing was imported."),
    "too_large": _l("This file is far larger than a phone's answers file can be. Nothing was imported."),
    "source": _l("The file does not say correctly where it comes from. Nothing was imported."),
    "too_many": _l("This file holds more than %(limit)s answers, more than this page can store at once. "
                   "Ask the server's administrator to import it with \u201cflask sync import\u201d. "
                   "Nothing was imported."),
}
# The page stores a file within one request, which a worker timeout (30 s under gunicorn) bounds: larger
# files are refused before anything is stored, and go through `flask sync import`, which has no such bound.
PAGE_MAX_RECORDS = 50_000


class ImportForm(FlaskForm):
    file = FileField(_l("File of answers"), validators=[FileRequired(_l("Please choose a file."))],
                     description=_l("An export (.jsonl.gz) from a workshop laptop, or the .json file a phone "
                                    "saved with \u201cSave a copy for the organiser\u201d."))


@bp.get("/import")
@role_required("organiser")
def import_page():
    """Offer the upload form."""
    return render_template("organisers/import.html", form=ImportForm(), counts=None)


@bp.post("/import")
@role_required("organiser")
def import_file():
    """Check the uploaded file whole, then store its records; say what became of them."""
    request.max_content_length = current_app.config["SURVEY_IMPORT_MAX_BYTES"]
    try:
        form = ImportForm()
    except RequestEntityTooLarge:
        form = ImportForm(formdata=None)
        limit = localise_digits(str(current_app.config["SURVEY_IMPORT_MAX_BYTES"] // (1024 * 1024)),
                                current_language())
        form.file.errors = [_("The file is larger than this server accepts (%(limit)s MB).", limit=limit)]
        return render_template("organisers/import.html", form=form, counts=None), 413
    if not form.validate_on_submit():
        return render_template("organisers/import.html", form=form, counts=None), 400
    upload = form.file.data
    try:
        checked = sync_files.read_submission_file(
            upload.stream, max_records=current_app.config.get("SURVEY_IMPORT_PAGE_MAX_RECORDS", PAGE_MAX_RECORDS))
    except sync_files.SubmissionFileError as exc:
        details = {key: localise_digits(str(value), current_language()) for key, value in exc.details.items()}
        form.file.errors = [PROBLEMS[exc.code] % details if details else str(PROBLEMS[exc.code])]
        return render_template("organisers/import.html", form=form, counts=None), 400
    session = get_session()
    counts = sync_files.import_submission_file(session=session, submissions=checked)
    audit("import_file", filename=(upload.filename or "")[:200], kind=checked.kind, source=checked.source,
          count=checked.count, **{status: number for status, number in counts.items()})
    session.commit()
    return render_template("organisers/import.html", form=ImportForm(formdata=None), counts=counts,
                           checked=checked, filename=upload.filename)
