"""Static files under a content-hashed path, so phones may cache them for a year.

Every file is served below `/assets/<version>/`, where the version is a hash of the whole
static folder. Relative imports between JavaScript modules therefore stay within one
version: a page can never load a new module next to an old one.

Scripts and style sheets are sent without their comments and spaces (rJSmin, rCSSmin), once,
when first asked for: the files in the repository stay readable and there is no build step,
while a phone downloads about a quarter less.

The participant pages' style sheet is small and blocks the first paint, so every page carries
it inline (allowed by its hash in the Content-Security-Policy) instead of waiting one more
round trip for it.

A page names its entry module; `module_preloads` lists every module that entry imports,
read from the files themselves, so the page can ask for all of them at once instead of
discovering them one import level (one round trip on a slow link) after another.
"""

import base64
import functools
import gzip
import hashlib
import mimetypes
import posixpath
import re
from pathlib import Path

import brotli
import rcssmin
import rjsmin
from flask import Flask
from flask import abort
from flask import current_app
from flask import request
from flask import url_for
from markupsafe import Markup
from werkzeug.security import safe_join

from .engine.expressions import browser_modules

ONE_YEAR = 365 * 24 * 3600
INLINE_STYLE = "css/app.css"


def folder_hash(folder: Path) -> str:
    """Hash every file's path and content under a folder."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def init_app(app: Flask) -> None:
    static = Path(app.static_folder)
    app.config["SURVEY_ASSET_VERSION"] = folder_hash(static)
    app.add_url_rule("/assets/<version>/<path:filename>", "asset", _serve_asset)
    app.jinja_env.globals["asset_url"] = asset_url
    app.jinja_env.globals["module_preloads"] = module_preloads
    app.jinja_env.globals["expression_modules"] = lambda form: [asset_url(name) for name in browser_modules(form)]
    css = minified(INLINE_STYLE, (static / INLINE_STYLE).read_text(encoding="utf-8"))
    if "</" in css:
        raise ValueError(f"{INLINE_STYLE} must not contain '</': it is inlined in a <style> element")
    app.jinja_env.globals["inline_style"] = Markup(css)  # noqa: S704 - our own file, checked above
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode()
    app.config["SURVEY_INLINE_STYLE_HASH"] = f"'sha256-{digest}'"
    app.extensions["survey_module_graph"] = {}


def asset_url(filename: str) -> str:
    return url_for("asset", version=current_app.config["SURVEY_ASSET_VERSION"], filename=filename)


def module_preloads(entry: str) -> list[str]:
    """Asset URLs of an entry module and everything it imports statically (not `import()`)."""
    graphs = current_app.extensions["survey_module_graph"]
    if entry not in graphs:
        graphs[entry] = module_graph(Path(current_app.static_folder), entry)
    return [asset_url(name) for name in graphs[entry]]


# `import ... from './x.js'` or `import './x.js'` at the start of a line; a dynamic
# `import('./x.js')` is left out on purpose: it is loaded later, when it is needed.
STATIC_IMPORT = re.compile(r"""^[ \t]*import\s+(?:[^'";]*?\bfrom\s*)?['"](\.{1,2}/[^'"]+)['"]""", re.MULTILINE)


def module_graph(static: Path, entry: str) -> list[str]:
    """Static-folder paths of a module and its static imports, each imported module before its importer."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        path = static / name
        if not path.is_file():
            raise FileNotFoundError(f"module {name} is imported but missing from {static}")
        for specifier in STATIC_IMPORT.findall(path.read_text(encoding="utf-8")):
            visit(posixpath.normpath(posixpath.join(posixpath.dirname(name), specifier)))
        order.append(name)

    visit(entry)
    return order


def static_files(app: Flask) -> list[str]:
    """List every static file's path relative to the static folder."""
    static = Path(app.static_folder)
    return sorted(p.relative_to(static).as_posix() for p in static.rglob("*") if p.is_file())


def _serve_asset(version: str, filename: str):
    """Serve a static file compressed once, as tightly as the format allows, and kept in memory."""
    path = safe_join(current_app.static_folder, filename)
    if path is None or not Path(path).is_file():
        abort(404)
    mimetype = mimetypes.guess_type(path)[0] or "application/octet-stream"
    if mimetype == "application/javascript":
        mimetype = "text/javascript"
    encoding = None
    if mimetype in current_app.config["COMPRESS_MIMETYPES"]:
        encoding = next((e for e in ("br", "gzip") if request.accept_encodings[e]), None)
    body = _encoded(path, Path(path).stat().st_mtime_ns, encoding)
    response = current_app.response_class(body, mimetype=mimetype)
    response.vary.add("Accept-Encoding")
    if encoding:
        response.headers["Content-Encoding"] = encoding
    if version == current_app.config["SURVEY_ASSET_VERSION"]:
        # Never asked for again, so no validator: the name changes with the content.
        response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
        return response
    # An old page asking for an old version: never cache a newer file under that name.
    response.headers["Cache-Control"] = "no-cache"
    response.add_etag()
    return response.make_conditional(request)


def minified(name: str, text: str) -> str:
    """A script or style sheet without comments and needless spaces; other files as they are."""
    if name.endswith((".js", ".mjs")):
        return rjsmin.jsmin(text)
    if name.endswith(".css"):
        return rcssmin.cssmin(text)
    return text


@functools.lru_cache(maxsize=512)
def _encoded(path: str, mtime_ns: int, encoding: str | None) -> bytes:
    """A file's bytes as sent: minified, then brotli at its best quality (about a fifth smaller than fast settings)."""
    data = Path(path).read_bytes()
    if path.endswith((".js", ".mjs", ".css")):
        data = minified(path, data.decode("utf-8")).encode("utf-8")
    if encoding == "br":
        return brotli.compress(data, quality=11)
    if encoding == "gzip":
        return gzip.compress(data, compresslevel=9, mtime=0)
    return data
