"""Publish questionnaires as immutable versions and read them back.

A version's id is a hash of its content, so loading an unchanged file twice publishes
nothing, and a changed file (or a reverted one) becomes the current version.
"""

import hashlib
import json
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import ClassVar

import orjson
from sqlalchemy import func
from sqlmodel import Session
from sqlmodel import select

from .engine.definition import FormDefinition
from .engine.definition import definition_to_dict
from .engine.loader import load_dict
from .engine.loader import load_directory
from .models import Form
from .models import FormVersion
from .models import utcnow


def canonical_json(data) -> str:
    """Write plain data as the one text every machine makes of it (sorted keys, no spaces).

    The text is the standard library's (stored answers and content hashes depend on it byte for
    byte). orjson writes the same bytes several times faster, but only for strings, ints, booleans,
    None, lists and dicts: it writes floats otherwise (1e-05 as 0.00001), so data holding anything
    else goes to the standard library, as does what orjson refuses (ints beyond 64 bits, lone
    surrogates, keys that are not strings).
    """
    if _orjson_writes_alike(data, _ORJSON_DEPTH):
        try:
            return orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode()
        except orjson.JSONEncodeError:
            pass
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


_ORJSON_SCALARS = frozenset({str, int, bool, type(None)})  # exact types: a subclass may write itself otherwise
_ORJSON_DEPTH = 64  # deeper data (never answers) is left to the standard library, with its own limits


def _orjson_writes_alike(value, room: int) -> bool:
    """Tell whether value holds only what orjson writes as the standard library does, in `room` levels.

    Written as loops: all() over a generator takes half as long again, and this runs once per record.
    """
    kind = type(value)
    if kind is dict:
        value = value.values()
    elif kind is not list:
        return kind in _ORJSON_SCALARS
    if room == 0:
        return False
    for item in value:  # noqa: SIM110 - see above
        # Scalars are told here, without a call: answers are mostly scalars.
        if type(item) not in _ORJSON_SCALARS and not _orjson_writes_alike(item, room - 1):
            return False
    return True


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_hash(data) -> str:
    """Hash plain data the same way on every machine (sorted keys, no spaces)."""
    return text_hash(canonical_json(data))


@dataclass
class LoadReport:
    """What publishing a set of questionnaires did to each: published, unchanged, or not taken."""

    published: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list = field(default_factory=list)  # DefinitionError, or a message
    not_taken: ClassVar[str] = "NOT LOADED"

    def lines(self) -> list[str]:
        return (
            [f"published {item}" for item in self.published]
            + [f"unchanged {item}" for item in self.unchanged]
            + [f"{self.not_taken} {problem}" for problem in self.errors]
        )


def load_forms_folder(*, session: Session, folder) -> LoadReport:
    """Publish every questionnaire file whose content changed since it was last loaded."""
    report = LoadReport()
    forms, report.errors = load_directory(Path(folder))
    for form in forms:
        data = definition_to_dict(form)
        file_hash = content_hash(data)
        record = session.get(Form, form.form_id)
        if record is not None and record.file_hash == file_hash:
            report.unchanged.append(f"{form.form_id} {record.current_version}")
            continue
        version = publish(session=session, definition=data, file_hash=file_hash)
        report.published.append(f"{form.form_id} {version.version}")
    return report


def publish(*, session: Session, definition: dict, file_hash: str | None = None) -> FormVersion:
    """Make a definition the current version of its form, reusing an identical older version."""
    form_id = definition["form_id"]
    version_id = content_hash(definition)[:12]
    version = session.exec(
        select(FormVersion).where(FormVersion.form_id == form_id, FormVersion.version == version_id)
    ).first()
    record = session.get(Form, form_id) or Form(form_id=form_id, current_version=version_id)
    record.current_version, record.updated_at = version_id, utcnow()
    if file_hash is not None:
        record.file_hash = file_hash
    session.add(record)
    if version is None:
        last = session.exec(
            select(func.max(FormVersion.number)).where(FormVersion.form_id == form_id)
        ).one()
        session.flush()
        version = FormVersion(form_id=form_id, version=version_id, number=(last or 0) + 1,
                              definition=definition)
        session.add(version)
    session.commit()
    return version


def get_version(*, session: Session, form_id: str, version: str | None = None) -> FormVersion | None:
    """Return one version of a form, the current one when no version is given."""
    if version is None:
        record = session.get(Form, form_id)
        if record is None:
            return None
        version = record.current_version
    return session.exec(
        select(FormVersion).where(FormVersion.form_id == form_id, FormVersion.version == version)
    ).first()


def current_versions(*, session: Session) -> list[FormVersion]:
    """Return the current version of every questionnaire, ordered by form id."""
    statement = (
        select(FormVersion)
        .join(Form, (Form.form_id == FormVersion.form_id) & (Form.current_version == FormVersion.version))
        .order_by(FormVersion.form_id)
    )
    return list(session.exec(statement))


def definition_of(version: FormVersion) -> FormDefinition:
    """Return the parsed definition of a stored version.

    The version id is a hash of the content, so (form id, version) names one document
    for ever and its parsed form can be cached.
    """
    key = (version.form_id, version.version)
    if key not in _PARSED:
        if len(_PARSED) > 256:
            _PARSED.clear()
        _PARSED[key] = load_dict(version.definition, source=f"{key[0]} version {key[1]}")
    return _PARSED[key]


def stored_definition(*, session: Session, form_id: str, version: str) -> FormDefinition | None:
    """Return the parsed definition of a stored version, or None when there is no such version.

    Whether the version is stored is asked every time, but its document is read and parsed
    only once per process: every sync request names a version, most often the same one.
    """
    definition = _PARSED.get((form_id, version))
    if definition is None:
        found = get_version(session=session, form_id=form_id, version=version)
        return definition_of(found) if found is not None else None
    stored = session.exec(
        select(FormVersion.id).where(FormVersion.form_id == form_id, FormVersion.version == version)
    ).first()
    return definition if stored is not None else None


_PARSED: dict[tuple[str, str], FormDefinition] = {}
