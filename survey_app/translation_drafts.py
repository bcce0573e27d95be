"""Translation drafts: a questionnaire's working copy, the state of each text, conflicts, publishing.

Plain data functions over a database session, no request objects. A draft is one document
edited text by text and published whole as a new immutable version. Whether a translation
still fits its source is known by hashing the default-language text it was made from: a
text is *missing*, *review* (its source changed since, or its translator was unsure) or *done*.
"""

import copy
import hashlib
from dataclasses import dataclass
from dataclasses import field

from babel import Locale
from babel import UnknownLocaleError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from sqlmodel import select

from .engine.loader import load_dict
from .engine.prompt_media import carry_over
from .engine.texts import normalise_code
from .engine.translatable import iter_texts
from .engine.translatable import with_translation
from .forms_store import content_hash
from .forms_store import current_versions
from .forms_store import get_version
from .forms_store import publish
from .models import AuditEvent
from .models import FormDraft
from .models import FormVersion
from .models import TranslationEntry
from .models import utcnow

MISSING = "missing"
REVIEW = "review"
DONE = "done"
STATES = (MISSING, REVIEW, DONE)
MAX_TEXT_LENGTH = 5000


class TextRefused(ValueError):
    """A text that cannot be stored as sent; `code` says why (too_long, not_text, empty_source)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class Row:
    """One text of the questionnaire as the editor shows it in one language."""

    key: str
    source: str
    text: str
    state: str
    unsure: bool
    revision: int


@dataclass
class Sheet:
    """A questionnaire in one language: its rows and how far its translations are."""

    form_id: str
    title: str
    default: str
    lang: str
    languages: list[str]
    rows: list[Row]
    counts: dict[str, dict[str, int]]
    pending: bool
    stale: bool


@dataclass
class SaveResult:
    """What a save did; on a conflict `text` and `revision` are the stored ones (theirs)."""

    saved: bool
    text: str
    revision: int
    state: str
    unsure: bool
    updated_by: str | None = None


@dataclass
class Overview:
    form_id: str
    title: str
    default: str
    languages: list[str]
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    pending: bool = False


def source_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def default_language(definition: dict) -> str:
    return definition["settings"]["default_language"]


def languages_of(definition: dict) -> list[str]:
    return list(definition["settings"].get("languages") or [default_language(definition)])


def language_code(raw: str) -> str:
    """Return the code of a language Babel knows (fa-af gives fa_AF); raise ValueError otherwise."""
    raw = (raw or "").strip().replace("-", "_")
    try:
        code = str(Locale.parse(raw)) if 0 < len(raw) <= 20 else ""
    except (ValueError, UnknownLocaleError):
        code = ""
    # Codes with a script (uz_Arab_AF) are refused: questionnaire documents cannot name them yet.
    if not code or normalise_code(code) != code:
        raise ValueError(raw)
    return code


def state_of(texts: dict, lang: str, default: str, entry: TranslationEntry | None) -> str:
    """Tell whether a text is missing, needs review or is done in one language."""
    if not texts.get(lang):
        return MISSING
    if entry is not None and entry.unsure:
        return REVIEW
    if lang != default and entry is not None and entry.source_hash != source_hash(texts.get(default, "")):
        return REVIEW
    return DONE


def working_copy(*, session: Session, form_id: str) -> tuple[dict, FormDraft | None]:
    """Return the document being translated: the draft if there is one, else the current version."""
    draft = session.get(FormDraft, form_id)
    if draft is not None:
        return draft.definition, draft
    version = get_version(session=session, form_id=form_id)
    if version is None:
        raise LookupError(form_id)
    return version.definition, None


def sheet(*, session: Session, form_id: str, lang: str) -> Sheet:
    """Return every text of a questionnaire in one language, with its state; LookupError if unknown."""
    definition, draft = working_copy(session=session, form_id=form_id)
    if lang not in languages_of(definition):
        raise LookupError(lang)
    default = default_language(definition)
    entries = _entries(session, form_id)
    rows = []
    for key, texts in iter_texts(definition):
        entry = entries.get((key, lang))
        rows.append(Row(key=key, source=texts.get(default, ""), text=texts.get(lang, ""),
                        state=state_of(texts, lang, default, entry), unsure=bool(entry and entry.unsure),
                        revision=entry.revision if entry else 0))
    current = get_version(session=session, form_id=form_id)
    return Sheet(
        form_id=form_id, title=(definition.get("title") or {}).get(default, form_id), default=default,
        lang=lang, languages=languages_of(definition), rows=rows, counts=_counts(definition, entries),
        pending=draft is not None and current is not None and draft.definition != current.definition,
        stale=draft is not None and current is not None and draft.base_version != current.version,
    )


def overview(*, session: Session) -> list[Overview]:
    """Return each questionnaire with its translation progress per language and whether a draft waits."""
    result = []
    for version in current_versions(session=session):
        draft = session.get(FormDraft, version.form_id)
        definition = draft.definition if draft is not None else version.definition
        default = default_language(definition)
        result.append(Overview(
            form_id=version.form_id, title=(definition.get("title") or {}).get(default, version.form_id),
            default=default, languages=languages_of(definition),
            counts=_counts(definition, _entries(session, version.form_id)),
            pending=draft is not None and draft.definition != version.definition,
        ))
    return result


def _counts(definition: dict, entries: dict) -> dict[str, dict[str, int]]:
    """Count texts per language and state; `translated` counts every text that has one."""
    default = default_language(definition)
    counts = {lang: dict.fromkeys((*STATES, "translated", "total"), 0) for lang in languages_of(definition)}
    for key, texts in iter_texts(definition):
        for lang, count in counts.items():
            state = state_of(texts, lang, default, entries.get((key, lang)))
            count[state] += 1
            count["translated"] += state != MISSING
            count["total"] += 1
    return counts


def _entries(session: Session, form_id: str) -> dict[tuple[str, str], TranslationEntry]:
    statement = select(TranslationEntry).where(TranslationEntry.form_id == form_id)
    return {(entry.key, entry.lang): entry for entry in session.exec(statement)}


def _check_text(text: str) -> None:
    if len(text) > MAX_TEXT_LENGTH:
        raise TextRefused("too_long")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise TextRefused("not_text") from None
    if "\x00" in text:
        raise TextRefused("not_text")


def save_text(*, session: Session, form_id: str, key: str, lang: str, revision: int,
              text: str | None = None, unsure: bool | None = None, actor: str | None = None) -> SaveResult:
    """Store one text (or only its doubt), unless someone else changed it since `revision`.

    Any save counts as a review against the current source. Raises KeyError for an unknown
    key, LookupError for an unknown form or language, TextRefused for a text not storable.
    """
    if text is not None:
        _check_text(text)
    draft = _draft_for_update(session, form_id)
    definition, default = draft.definition, default_language(draft.definition)
    if lang not in languages_of(definition):
        raise LookupError(lang)
    texts = dict(iter_texts(definition)).get(key)
    if texts is None:
        raise KeyError(key)
    entry = _entry(session, form_id, key, lang)
    current, stored_revision = texts.get(lang, ""), entry.revision if entry else 0
    changed = text is not None and text != current
    if changed and revision < stored_revision:
        result = SaveResult(False, current, stored_revision, state_of(texts, lang, default, entry),
                            bool(entry and entry.unsure), entry.updated_by)
        session.rollback()
        return result
    if changed and lang == default and not text.strip():
        session.rollback()
        raise TextRefused("empty_source")
    if changed and lang == default:
        _hold_for_review(session, form_id, key, texts, default)
    if changed:
        draft.definition = with_translation(definition, key, lang, text)
        texts = dict(iter_texts(draft.definition))[key]
    entry = entry or TranslationEntry(form_id=form_id, key=key, lang=lang, revision=0)
    entry.revision = stored_revision + 1 if changed else stored_revision
    entry.source_hash = source_hash(texts.get(default, ""))
    entry.unsure = entry.unsure if unsure is None else unsure
    entry.updated_by, entry.updated_at = actor, utcnow()
    draft.updated_at = utcnow()
    session.add_all([draft, entry])
    session.commit()
    return SaveResult(True, texts.get(lang, ""), entry.revision, state_of(texts, lang, default, entry),
                      entry.unsure, actor)


def _hold_for_review(session: Session, form_id: str, key: str, texts: dict, default: str) -> None:
    """Before a source text changes, pin every translation of it to the old source."""
    old = source_hash(texts.get(default, ""))
    for lang, value in texts.items():
        if lang != default and value and _entry(session, form_id, key, lang) is None:
            session.add(TranslationEntry(form_id=form_id, key=key, lang=lang, source_hash=old))


def _entry(session: Session, form_id: str, key: str, lang: str) -> TranslationEntry | None:
    statement = select(TranslationEntry).where(
        TranslationEntry.form_id == form_id, TranslationEntry.key == key, TranslationEntry.lang == lang)
    return session.exec(statement).first()


def add_language(*, session: Session, form_id: str, lang: str) -> str:
    """Add a language to a questionnaire's draft and return its code; ValueError if Babel does not know it."""
    code = language_code(lang)
    draft = _draft_for_update(session, form_id)
    if code not in languages_of(draft.definition):
        definition = copy.deepcopy(draft.definition)
        definition["settings"]["languages"] = [*languages_of(definition), code]
        draft.definition, draft.updated_at = definition, utcnow()
        session.add(draft)
    session.commit()
    return code


def publish_draft(*, session: Session, form_id: str, actor: str | None) -> FormVersion | None:
    """Publish the draft as the current version, log it and clear the draft; None if there is none.

    Raises DefinitionError (nothing changed) when the draft is not a loadable questionnaire.
    Translation entries stay, so the states stay right against the published texts.
    """
    draft = _locked_draft(session, form_id)
    if draft is None:
        return None
    try:
        load_dict(draft.definition, source=form_id)
    except ValueError:
        session.rollback()
        raise
    definition = draft.definition
    # The same id forms_store.publish gives the version, so the event commits with it.
    detail = {"form_id": form_id, "version": content_hash(definition)[:12]}
    session.add(AuditEvent(actor=actor, action="form_published", detail=detail))
    session.delete(draft)
    return publish(session=session, definition=definition)


def _locked_draft(session: Session, form_id: str) -> FormDraft | None:
    """Return the draft locked for this transaction (edits queue behind it), rebased if needed."""
    statement = (select(FormDraft).where(FormDraft.form_id == form_id)
                 .with_for_update().execution_options(populate_existing=True))
    draft = session.exec(statement).first()
    if draft is not None:
        current = get_version(session=session, form_id=form_id)
        if current is not None and draft.base_version != current.version:
            _rebase(session, draft, current)
    return draft


def _draft_for_update(session: Session, form_id: str) -> FormDraft:
    """Return the locked draft, making it from the current version on the first edit."""
    draft = _locked_draft(session, form_id)
    if draft is not None:
        return draft
    current = get_version(session=session, form_id=form_id)
    if current is None:
        raise LookupError(form_id)
    draft = FormDraft(form_id=form_id, definition=copy.deepcopy(current.definition), base_version=current.version)
    session.add(draft)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()  # another editor made the draft at the same moment: use theirs
        return _locked_draft(session, form_id)
    return draft


def _rebase(session: Session, draft: FormDraft, current: FormVersion) -> None:
    """Carry the draft's own text changes over to a version published since the draft began."""
    base = get_version(session=session, form_id=draft.form_id, version=draft.base_version)
    before = dict(iter_texts(base.definition)) if base is not None else {}
    merged = copy.deepcopy(current.definition)
    targets = dict(iter_texts(merged))
    for key, texts in iter_texts(draft.definition):
        target, old = targets.get(key), before.get(key, {})
        if target is None:
            continue  # the question is gone from the new version
        for lang in {*texts, *old}:
            if texts.get(lang, "") == old.get(lang, ""):
                continue
            if texts.get(lang):
                target[lang] = texts[lang]
            else:
                target.pop(lang, None)
    carry_over(base.definition if base is not None else current.definition, draft.definition, merged)
    added = [lang for lang in languages_of(draft.definition) if lang not in languages_of(merged)]
    merged["settings"]["languages"] = languages_of(merged) + added
    draft.definition, draft.base_version = merged, current.version
    session.add(draft)
