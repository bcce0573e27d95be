"""Photos and files participants gave as answers, for organisers only.

    GET  /organise/answer-files/<sha256>/<filename>   answer_file

Pictures (JPEG, PNG, WebP, as their content shows) open in the browser; anything else is
downloaded. Each file is served by its content hash, never by a path from the request.
"""

from flask import abort
from flask import send_file

from .. import answer_files
from ..accounts import role_required
from . import bp


@bp.get("/answer-files/<sha256>/<filename>")
@role_required("organiser")
def answer_file(sha256, filename):
    """Serve one photo or file a participant sent, to staff only (never cached by shared caches)."""
    path = answer_files.path_of(sha256) or abort(404)
    with path.open("rb") as stream:
        kind = answer_files.sniff(stream.read(16))
    inline = kind in answer_files.IMAGE_TYPES
    response = send_file(path, mimetype=kind if inline else "application/octet-stream", as_attachment=not inline,
                         download_name=filename, conditional=True, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
