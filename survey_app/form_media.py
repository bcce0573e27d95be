"""Files that come with an imported questionnaire (pictures, sounds, videos, CSV lists).

A form version names its media files (`media_files`) with their sha256; the bytes live once per content
in the instance folder (`instance/media/<sha256>`), so two versions sharing a picture
share the file, and a URL that carries the hash can be cached by phones for a year.
"""

import os
import re
import tempfile
from pathlib import Path

from flask import current_app

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
# Shown in the page; anything else (an SVG with scripts, say) is only ever downloaded.
INLINE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "audio/", "video/")


def folder() -> Path:
    return Path(current_app.instance_path) / "media"


def store(files: dict[str, bytes], media_files: dict) -> None:
    """Write each media file's bytes under its hash, once (an existing file is left alone)."""
    target = folder()
    target.mkdir(parents=True, exist_ok=True)
    for name, meta in media_files.items():
        path = target / meta["sha256"]
        if path.exists() or name not in files:
            continue
        with tempfile.NamedTemporaryFile(dir=target, delete=False) as temporary:
            temporary.write(files[name])
        os.replace(temporary.name, path)


def path_of(sha256: str) -> Path | None:
    """Return the stored file for a hash, or None."""
    if not SHA256_RE.match(sha256):
        return None
    path = folder() / sha256
    return path if path.is_file() else None


def shown_inline(media_type: str) -> bool:
    return media_type.startswith(INLINE_TYPES)


def precache_list(definitions, budget: int) -> list[tuple[str, str]]:
    """The (sha256, file name) of the media current forms show, smallest first, within a byte budget."""
    wanted = {}
    for definition in definitions:
        for name, meta in definition.media_files.items():
            if shown_inline(meta.get("type", "")):
                wanted.setdefault(meta["sha256"], (meta["size"], name))
    chosen, total = [], 0
    for sha256, (size, name) in sorted(wanted.items(), key=lambda item: item[1][0]):
        if total + size > budget:
            break
        chosen.append((sha256, name))
        total += size
    return chosen
