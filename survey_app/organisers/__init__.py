"""The organisers' pages under /organise: one module per subject, all on this one blueprint.

    workshops.py  workshops, their link, QR code and poster, closing them
    results.py    statistics and charts per questionnaire, filters, comparing two workshops
    exports.py    downloads of the answers (CSV, XLSX, JSON) and the `export` CLI command
    quarantine.py records sync could not store: fix and accept, or discard
    imports.py    answers carried on a file (a laptop's export, a phone's saved answers)
    ../assessments/pages.py  knowledge checks: before and after, the gain, per objective and question
    form_import.py questionnaires from KoboToolbox or ODK (XLSForm), with the import report by row
    answer_files.py photos and files participants gave as answers
"""

from flask import Blueprint

from ..config import INTERFACE_LANGUAGES

bp = Blueprint("organisers", __name__, url_prefix="/organise")


@bp.context_processor
def _interface_languages() -> dict:
    """Offer every interface language in the switcher of these pages."""
    return {"languages": INTERFACE_LANGUAGES}


from ..assessments import pages as _assessment_pages  # noqa: E402, F401  (assessment results, on bp too)
from . import answer_files  # noqa: E402, F401
from . import exports  # noqa: E402, F401
from . import form_import  # noqa: E402, F401
from . import imports  # noqa: E402, F401
from . import quarantine  # noqa: E402, F401
from . import results  # noqa: E402, F401
from . import workshops  # noqa: E402, F401  (registers its routes on bp; imported once bp exists)
