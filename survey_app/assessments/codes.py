"""Participant codes: short, typed from a card, made offline on the phone without any server.

Four letters and two digits ("KMTR47"), leaving out the characters people confuse when they
copy by hand or read aloud (I/1, O/0, S/5, Z/2, B/8). The same alphabet is in
static/js/participant-code.js. A typed code is read leniently: lower case, spaces and dashes,
and Persian or Arabic-Indic digits are accepted.
"""

import re

LETTERS = "ACDEFGHJKLMNPQRTUVWXY"
DIGITS = "234679"
CODE_RE = re.compile(f"^[{LETTERS}]{{4}}[{DIGITS}]{{2}}$")
PHASES = ("pre", "post")
_DIGIT_MAP = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


def normalise(text) -> str | None:
    """Return the code a person meant, or None when it is not a participant code."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    code = re.sub(r"[\s\-_.]", "", text.translate(_DIGIT_MAP)).upper()
    return code if CODE_RE.match(code) else None


def metadata_errors(record: dict) -> dict:
    """Check a record's assessment metadata (`phase`, `participant`); both may be absent."""
    errors = {}
    phase = record.get("phase")
    if phase not in (None, "", *PHASES):
        errors["phase"] = "must be pre, post or absent"
    participant = record.get("participant")
    if participant not in (None, "") and normalise(participant) is None:
        errors["participant"] = "not a participant code (4 letters and 2 digits)"
    return errors


def metadata(record: dict) -> dict:
    """The checked metadata as stored: phase and code, '' when absent."""
    return {"phase": record.get("phase") or "", "participant": normalise(record.get("participant")) or ""}
