"""Parts of a form version sent as files of their own, so the page stays light.

A long choice list (engine/long_lists.py: one file per list and language) and the tables that
pulldata() and jr:choice-name() read (engine/expressions.browser_tables) are served at
``/form-files/<form_id>/<version>/<sha256>.json``. The version names one document for ever, so
a file's bytes never change: phones may keep them a year, and the service worker precaches
those of the current questionnaires, like their pictures. A questionnaire without long lists
or those functions has no files and its page is unchanged.
"""

import hashlib
import json

from flask import url_for

from .engine.expressions import browser_tables
from .engine.long_lists import list_rows
from .engine.long_lists import long_lists
from .forms_store import definition_of
from .models import FormVersion

TABLES = ("tables",)
_FILES: dict[tuple[str, str], dict[tuple, tuple[str, bytes]]] = {}


def _encoded(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def version_files(version: FormVersion) -> dict[tuple, tuple[str, bytes]]:
    """Every separate file of a form version: ("list", name, lang) or ("tables",) -> (sha256, bytes)."""
    key = (version.form_id, version.version)
    if key not in _FILES:
        if len(_FILES) > 64:
            _FILES.clear()
        definition = definition_of(version)
        documents = {("list", name, lang): {"options": list_rows(definition, name, lang)}
                     for name in long_lists(definition) for lang in definition.languages}
        if tables := browser_tables(definition):
            documents[TABLES] = tables
        files = {}
        for part, document in documents.items():
            body = _encoded(document)
            files[part] = (hashlib.sha256(body).hexdigest(), body)
        _FILES[key] = files
    return _FILES[key]


def file_url(version: FormVersion, part: tuple) -> str | None:
    """The address of one file of a form version (a list in a language, or the tables), if it has it."""
    found = version_files(version).get(part)
    if found is None:
        return None
    return url_for("participants.form_file", form_id=version.form_id, version=version.version, sha256=found[0])


def list_url(version: FormVersion, list_name: str, lang: str) -> str | None:
    return file_url(version, ("list", list_name, lang))


def page_urls(version: FormVersion, lang: str) -> list[str]:
    """The files a page in this language reads as soon as its scripts run, for it to ask for them at once."""
    parts = [part for part in version_files(version) if part == TABLES or part[2] == lang]
    return [file_url(version, part) for part in parts]


def all_urls(version: FormVersion) -> list[str]:
    """The addresses of every file of a form version, for the service worker to keep."""
    return [file_url(version, part) for part in version_files(version)]


def body_of(version: FormVersion, sha256: str) -> bytes | None:
    """The bytes of the file of that hash in a form version, or None."""
    return next((body for digest, body in version_files(version).values() if digest == sha256), None)
