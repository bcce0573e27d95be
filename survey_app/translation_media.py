"""Recordings and pictures in a questionnaire's draft: checked, stored by content, published with the texts.

Plain data functions over a database session, like translation_drafts: a prompt saved here is
in the draft only; participants get it with the next published version. The bytes are kept
once per content (form_media), so publishing needs no copy.
"""

import hashlib

from flask import url_for
from sqlmodel import Session

from . import form_media
from .engine.prompt_media import EXTENSIONS
from .engine.prompt_media import LIMITS
from .engine.prompt_media import MediaRefused
from .engine.prompt_media import check
from .engine.prompt_media import prompts
from .engine.prompt_media import sniff
from .engine.prompt_media import with_prompt
from .engine.xlsform.workbook import media_type
from .models import utcnow
from .translation_drafts import _draft_for_update
from .translation_drafts import languages_of
from .translation_drafts import working_copy

KINDS = ("audio", "image")
# A body larger than the largest allowed file is refused before it is all read.
READ_LIMIT = max(LIMITS.values()) + 1


def read_bounded(stream) -> bytes:
    """Read an uploaded file, at most one byte past the largest allowed size."""
    content = stream.read(READ_LIMIT)
    if len(content) >= READ_LIMIT:
        raise MediaRefused("too_big", EXTENSIONS.get(sniff(content) or "", "audio"))
    return content


def save_prompt(*, session: Session, form_id: str, key: str, lang: str, content: bytes) -> dict:
    """Check a file and set it as the key's prompt in one language; return its kind, name and URL.

    Raises MediaRefused for a file that is not a prompt, KeyError for a key that is not the
    label of a question or choice, LookupError for an unknown questionnaire or language.
    """
    kind, name = check(content)
    meta = {"sha256": hashlib.sha256(content).hexdigest(), "size": len(content), "type": media_type(name)}
    draft = _draft_for_update(session, form_id)
    if lang not in languages_of(draft.definition):
        session.rollback()
        raise LookupError(lang)
    try:
        definition = with_prompt(draft.definition, key, lang, kind, name, meta)
    except KeyError:
        session.rollback()
        raise
    form_media.store({name: content}, {name: meta})
    draft.definition, draft.updated_at = definition, utcnow()
    session.add(draft)
    session.commit()
    return {"kind": kind, "name": name, "size": len(content), "url": _url(name, meta)}


def remove_prompt(*, session: Session, form_id: str, key: str, lang: str, kind: str) -> None:
    """Take a recording or picture off a question or choice in one language (KeyError, LookupError)."""
    if kind not in KINDS:
        raise KeyError(kind)
    draft = _draft_for_update(session, form_id)
    if lang not in languages_of(draft.definition):
        session.rollback()
        raise LookupError(lang)
    try:
        definition = with_prompt(draft.definition, key, lang, kind, None)
    except KeyError:
        session.rollback()
        raise
    draft.definition, draft.updated_at = definition, utcnow()
    session.add(draft)
    session.commit()


def editor_prompts(*, session: Session, form_id: str, lang: str) -> dict[str, dict[str, dict]]:
    """Per label key, the prompts the editor shows in one language: {kind: {"name", "url"}}."""
    definition, _draft = working_copy(session=session, form_id=form_id)
    files = definition.get("media_files") or {}
    return {key: {kind: {"name": name, "url": _url(name, files.get(name))}
                  for kind, name in found.items() if files.get(name) and kind in KINDS}
            for key, found in prompts(definition, lang).items()}


def _url(name: str, meta: dict | None) -> str:
    return url_for("participants.form_media", sha256=meta["sha256"], filename=name) if meta else ""
