"""The audit log in the reader's language: action names, detail keys and known values.

Events keep their codes in the database (`workshop_created`, `{"code": ...}`) so that they stay
searchable and stable; only the page translates them. An action or key this table does not know
yet is shown as its code rather than hidden.
"""

from flask_babel import lazy_gettext as _l

from .accounts import ROLE_NAMES
from .engine.texts import language_name
from .engine.texts import localise_digits
from .i18n import join_list

ACTION_NAMES = {
    "login": _l("Signed in"),
    "login_failed": _l("Failed sign-in"),
    "logout": _l("Signed out"),
    "user_created": _l("Account created"),
    "user_role_changed": _l("Role changed"),
    "user_enabled": _l("Account enabled"),
    "user_disabled": _l("Account disabled"),
    "password_reset": _l("Password reset"),
    "token_created": _l("Sync token created"),
    "token_revoked": _l("Sync token revoked"),
    "workshop_created": _l("Workshop created"),
    "workshop_updated": _l("Workshop changed"),
    "workshop_closed": _l("Workshop closed"),
    "workshop_reopened": _l("Workshop reopened"),
    "quarantine_accepted": _l("Quarantined answers accepted"),
    "quarantine_discarded": _l("Quarantined answers discarded"),
    "import_file": _l("File of answers imported"),
    "export": _l("Answers exported"),
    "language_added": _l("Language added to a questionnaire"),
    "user_unlocked": _l("Account unlocked"),
    "form_published": _l("Questionnaire published"),
    "form_imported": _l("Questionnaire imported"),
    "translations_imported": _l("Translations imported"),
}

DETAIL_NAMES = {
    "email": _l("Account"),
    "role": _l("Role"),
    "old": _l("Before"),
    "new": _l("After"),
    "name": _l("Name"),
    "code": _l("Workshop code"),
    "title": _l("Title"),
    "place": _l("Place"),
    "titles": _l("Title in other languages"),
    "places": _l("Place in other languages"),
    "start_date": _l("First day"),
    "end_date": _l("Last day"),
    "form_ids": _l("Questionnaires"),
    "languages": _l("Languages offered"),
    "changed": _l("Changed"),
    "record_id": _l("Record"),
    "uuid": _l("Answer ID"),
    "status": _l("Status"),
    "note": _l("Note"),
    "filename": _l("File"),
    "kind": _l("Kind"),
    "source": _l("Source"),
    "count": _l("Answers in the file"),
    "stored": _l("Stored now"),
    "duplicate": _l("Already here (not stored twice)"),
    "conflict": _l("Same answer number with different answers"),
    "rejected": _l("Could not be stored as sent"),
    "form_id": _l("Questionnaire"),
    "format": _l("Format"),
    "labels": _l("Labels"),
    "filters": _l("Filters"),
    "lang": _l("Language"),
    "language": _l("Language"),
    "version": _l("Version"),
    "previous_version": _l("Previous version"),
    "headers": _l("Column headers"),
    "job": _l("Background export"),
    "warnings": _l("Warnings"),
}

# Values that are codes of the app itself, shown by name; everything else as it was recorded.
_ROLE_KEYS = {"role", "old", "new"}
_LANGUAGE_KEYS = {"lang", "labels", "language"}


def action_name(action: str) -> str:
    """Name an action in the reader's language (its code when unknown)."""
    return str(ACTION_NAMES.get(action, action))


def detail_rows(detail: dict, lang: str) -> list[tuple[str, str, bool]]:
    """Return (key's name, value, whether the value is a code to show left-to-right) for each detail."""
    rows = []
    for key, value in (detail or {}).items():
        rows.append((str(DETAIL_NAMES.get(key, key)), *_value(key, value, lang)))
    return rows


def _value(key: str, value, lang: str) -> tuple[str, bool]:
    if key in _ROLE_KEYS and value in ROLE_NAMES:
        return str(ROLE_NAMES[value]), False
    if key in _LANGUAGE_KEYS and isinstance(value, str) and value:
        return language_name(value), False
    if isinstance(value, bool) or value is None:
        return ("✓" if value else "—"), False
    if isinstance(value, int):
        return localise_digits(value, lang), False
    if isinstance(value, dict):
        shown = [f"{DETAIL_NAMES.get(k, k)}: {v}" for k, v in value.items() if v not in (None, "", [])]
        return join_list(shown, lang) or "—", False
    if isinstance(value, list | tuple):
        return join_list((DETAIL_NAMES.get(v, v) for v in value), lang), False
    return str(value), True
