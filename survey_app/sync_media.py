"""The files of a pulled form version (pictures, sounds, CSV lists): fetched with it, checked, kept by hash.

A form version names its files in ``media_files`` ({name: {sha256, size, type}}); the other server
serves each at ``/media/<sha256>/<name>``. Before a pulled version is published here, every file
this server lacks is fetched, read no further than the size the version declares (itself bounded
as an imported zip's files are), and kept only when its sha256 is the one declared. A version
whose files cannot all be had is not published, so the next pull tries again.
"""

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from pathlib import PurePosixPath

from .engine.xlsform.workbook import MAX_MEMBER_BYTES
from .engine.xlsform.workbook import MAX_TOTAL_BYTES
from .form_media import SHA256_RE


class MediaError(Exception):
    """A file of a pulled version is missing, too large, or not what the version says."""


def declared_files(definition: dict) -> dict[str, dict]:
    """The files a version names, checked for shape and size before anything is fetched."""
    files = definition.get("media_files") or {}
    if not isinstance(files, dict):
        raise MediaError("media_files is not a mapping of file name to its hash and size")
    total = 0
    for name, meta in files.items():
        if not isinstance(meta, dict) or not SHA256_RE.match(str(meta.get("sha256", ""))):
            raise MediaError(f"file '{name}' has no valid sha256")
        size = meta.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= MAX_MEMBER_BYTES:
            raise MediaError(f"file '{name}' declares a size outside 0..{MAX_MEMBER_BYTES // 2**20} MB")
        total += size
    if total > MAX_TOTAL_BYTES:
        raise MediaError(f"the files add up to more than {MAX_TOTAL_BYTES // 2**20} MB")
    return files


def fetch(url: str, meta: dict, *, token: str | None, timeout: float) -> bytes:
    """GET one file, reading at most its declared size (and one byte more, to tell a longer one)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - the base went through normalise_url
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            content = response.read(meta["size"] + 1)
    except urllib.error.HTTPError as exc:
        raise MediaError(f"{url} answered {exc.code}") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise MediaError(f"{url}: {type(exc).__name__}: {exc}") from exc
    if len(content) != meta["size"]:
        raise MediaError(f"{url} is not {meta['size']} bytes long")
    if hashlib.sha256(content).hexdigest() != meta["sha256"]:
        raise MediaError(f"{url} does not have the sha256 its version declares")
    return content


def pull_files(base: str, definition: dict, folder: Path, *, token: str | None = None,
               timeout: float = 30.0) -> int:
    """Fetch into the media folder each file of a version it lacks; return how many were fetched."""
    files = declared_files(definition)
    folder.mkdir(parents=True, exist_ok=True)
    fetched = 0
    for name, meta in files.items():
        target = folder / meta["sha256"]
        if target.is_file():
            continue
        # The name only gives the file's type: its last part, as a path segment the route takes.
        url = f"{base}/media/{meta['sha256']}/{urllib.parse.quote(PurePosixPath(str(name)).name or 'file', safe='')}"
        content = fetch(url, meta, token=token, timeout=timeout)
        with tempfile.NamedTemporaryFile(dir=folder, delete=False) as temporary:
            temporary.write(content)
        os.replace(temporary.name, target)
        fetched += 1
    return fetched
