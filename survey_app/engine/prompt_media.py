"""Sound and picture prompts a translator adds to a question or a choice, per language.

For people who read little, a question or a choice can carry a recording (`media.audio`) and
a picture (`media.image`) in each language, as imported XLSForms do. The bytes are checked by
their content (never by the name or the type the browser claims) and named after their hash,
so a file's name tells its kind and two equal files are one.
"""

import copy
import hashlib

AUDIO_LIMIT = 1024 * 1024  # 1 MB: about a minute of speech in Opus, several in a phone's MP3
PICTURE_LIMIT = 500 * 1024  # 500 KB: a clear photo at phone size
LIMITS = {"audio": AUDIO_LIMIT, "image": PICTURE_LIMIT}
# What a file is, from its first bytes: (kind, file extension, media type served).
EXTENSIONS = {"webm": "audio", "ogg": "audio", "m4a": "audio", "mp3": "audio", "wav": "audio",
              "png": "image", "jpg": "image", "webp": "image"}


class MediaRefused(ValueError):
    """A file that cannot be a prompt; `code` says why (empty, not_media, too_big)."""

    def __init__(self, code: str, kind: str = ""):
        super().__init__(code)
        self.code = code
        self.kind = kind


def sniff(content: bytes) -> str | None:
    """Return the file extension its first bytes prove (webm, ogg, m4a, mp3, wav, png, jpg, webp), or None."""
    head = content[:64]
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head:
        return "webm"
    if head.startswith(b"OggS"):
        return "ogg"
    if head[4:8] == b"ftyp":
        return "m4a"
    # An MP3 starts with its tags (ID3) or with the sync bits of a layer III frame.
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE6 == 0xE2):
        return "mp3"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    return None


def check(content: bytes) -> tuple[str, str]:
    """Return (kind, file name) for an acceptable file; raise MediaRefused otherwise."""
    if not content:
        raise MediaRefused("empty")
    extension = sniff(content)
    if extension is None:
        raise MediaRefused("not_media")
    kind = EXTENSIONS[extension]
    if len(content) > LIMITS[kind]:
        raise MediaRefused("too_big", kind)
    return kind, f"{kind}-{hashlib.sha256(content).hexdigest()[:16]}.{extension}"


def holders(definition: dict) -> dict[str, dict]:
    """Map the label key of each question and choice (as the editor names it) to its item, which holds `media`."""
    found = {f"{item['name']}:label": item for item in _items(definition.get("survey") or []) if item.get("label")}
    for list_name, options in (definition.get("choices") or {}).items():
        found.update((f"choices/{list_name}/{option['name']}:label", option)
                     for option in options if option.get("label"))
    return found


def _items(items):
    for item in items:
        yield item
        yield from _items(item.get("children") or [])


def prompts(definition: dict, lang: str) -> dict[str, dict[str, str]]:
    """Return, per label key, the file name of each prompt kind in one language (no fallback)."""
    result = {}
    for key, item in holders(definition).items():
        default = definition["settings"]["default_language"]
        result[key] = {kind: _by_language(names, default).get(lang) for kind, names in (item.get("media") or {}).items()
                       if _by_language(names, default).get(lang)}
    return result


def _by_language(names, default: str) -> dict:
    return names if isinstance(names, dict) else {default: names}


def with_prompt(definition: dict, key: str, lang: str, kind: str, name: str | None, meta: dict | None = None) -> dict:
    """Return a copy with one prompt set (or removed when `name` is None); KeyError if `key` holds none.

    A file no longer used by any question or choice leaves `media_files`, so it is neither
    published nor precached by phones.
    """
    updated = copy.deepcopy(definition)
    item = holders(updated).get(key)
    if item is None:
        raise KeyError(key)
    media = item.setdefault("media", {})
    names = _by_language(media.get(kind) or {}, updated["settings"]["default_language"])
    old = names.get(lang)
    if name is None:
        names.pop(lang, None)
    else:
        names[lang] = name
        updated.setdefault("media_files", {})[name] = meta
    media[kind] = names
    if not names:
        media.pop(kind)
    if not media:
        item.pop("media")
    if old and old != name and old not in used_names(updated):
        updated.get("media_files", {}).pop(old, None)
    return updated


def used_names(definition: dict) -> set[str]:
    """Every file name a question or a choice shows, in any language."""
    used = set()
    for item in [*_items(definition.get("survey") or []),
                 *(option for options in (definition.get("choices") or {}).values() for option in options)]:
        for names in (item.get("media") or {}).values():
            used.update(names.values() if isinstance(names, dict) else [names])
    return used


def carry_over(base: dict, draft: dict, merged: dict) -> None:
    """Carry the prompts a draft changed since `base` into `merged` (a newer version), with their files."""
    before, targets = holders(base), holders(merged)
    for key, item in holders(draft).items():
        old = (before.get(key) or {}).get("media") or {}
        if key not in targets or (item.get("media") or {}) == old:
            continue
        if item.get("media"):
            targets[key]["media"] = copy.deepcopy(item["media"])
        else:
            targets[key].pop("media", None)
    files = {**(draft.get("media_files") or {}), **(merged.get("media_files") or {})}
    used = used_names(merged)
    kept = {name: meta for name, meta in files.items() if name in used or name in (merged.get("media_files") or {})}
    if kept:
        merged["media_files"] = kept
