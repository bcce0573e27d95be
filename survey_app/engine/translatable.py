"""Every human-readable text of a questionnaire, each under a stable key.

Keys map one-to-one to XLSForm columns and gettext message contexts:
`form:title`, `form:description`, `<question>:<field>` (label, hint, constraint_message,
required_message), `choices/<list>/<option>:label` and a knowledge check's
`objectives/<id>:label`. They work on the plain definition document (the stored JSON), so
drafts and published versions are handled alike.
"""

import copy
from collections.abc import Iterator

from .definition import TRANSLATABLE_FIELDS


def iter_texts(definition: dict) -> Iterator[tuple[str, dict]]:
    """Yield (key, text mapping) in document order; the mappings are the document's own."""
    for field in ("title", "description"):
        if definition.get(field):
            yield f"form:{field}", definition[field]
    yield from _question_texts(definition.get("survey") or [])
    for list_name, options in (definition.get("choices") or {}).items():
        for option in options:
            if option.get("label"):
                yield f"choices/{list_name}/{option['name']}:label", option["label"]
    for key, label in (definition.get("objectives") or {}).items():  # a knowledge check's learning objectives
        if label:
            yield f"objectives/{key}:label", label


def _question_texts(items) -> Iterator[tuple[str, dict]]:
    for item in items:
        for field in TRANSLATABLE_FIELDS:
            if item.get(field):
                yield f"{item['name']}:{field}", item[field]
        yield from _question_texts(item.get("children") or [])


def texts(definition: dict) -> dict[str, dict]:
    """Return every text by key."""
    return dict(iter_texts(definition))


def with_translation(definition: dict, key: str, lang: str, text: str) -> dict:
    """Return a copy of the document with one text set (or removed when empty) in one language."""
    updated = copy.deepcopy(definition)
    target = dict(iter_texts(updated)).get(key)
    if target is None:
        raise KeyError(key)
    if text:
        target[lang] = text
    else:
        target.pop(lang, None)
    return updated


def progress(definition: dict) -> dict[str, dict]:
    """Count, per language of the form, how many texts have a translation."""
    entries = list(iter_texts(definition))
    languages = (definition.get("settings") or {}).get("languages") or []
    return {
        lang: {"translated": sum(1 for _, text in entries if text.get(lang)), "total": len(entries)}
        for lang in languages
    }
