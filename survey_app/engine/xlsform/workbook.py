"""Open what an organiser uploads: an .xlsx, an .xls, or a .zip of a form with its media and CSV files.

The file's content decides how it is read, not its name (a workbook saved as `.bin` or
downloaded without a suffix still opens). A zip is read within fixed bounds, because its
author controls how much it unpacks to.
"""

import io
import mimetypes
import zipfile
from dataclasses import dataclass
from dataclasses import field
from pathlib import PurePosixPath

from pyxform.xls2json_backends import get_xlsform

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls
MAX_MEMBERS = 500
MAX_MEMBER_BYTES = 16 * 1024 * 1024
MAX_TOTAL_BYTES = 64 * 1024 * 1024
MEDIA_TYPES = ("image/", "audio/", "video/")


class XLSFormError(ValueError):
    """A spreadsheet that cannot be read at all."""


@dataclass
class Upload:
    """A workbook read by pyxform and the files that came with it (name -> bytes)."""

    book: object
    files: dict[str, bytes] = field(default_factory=dict)


def kind_of(data: bytes) -> str | None:
    """Tell an .xlsx, an .xls and a zip package apart by their first bytes."""
    if data.startswith(OLE_MAGIC):
        return ".xls"
    if data.startswith(ZIP_MAGIC):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return None
        return ".xlsx" if "xl/workbook.xml" in names else ".zip"
    return None


def open_upload(data: bytes, where: str) -> Upload:
    """Read an uploaded file of any accepted kind; raise XLSFormError saying why not."""
    kind = kind_of(data)
    if kind is None:
        raise XLSFormError(f"{where} is not an Excel workbook (.xlsx or .xls) or a .zip of one with its media")
    if kind == ".zip":
        workbook_name, files = _unpack(data, where)
        return Upload(_book(files.pop(workbook_name), f"{where}: {workbook_name}"), files)
    return Upload(_book(data, where))


def _book(data: bytes, where: str):
    try:
        book = get_xlsform(io.BytesIO(data), file_type=kind_of(data))
    except Exception as exc:  # noqa: BLE001 - a damaged file may fail anywhere inside the readers
        reason = "it is not a valid spreadsheet" if "not recognized" in str(exc) else str(exc)
        raise XLSFormError(f"{where} cannot be read as an XLSForm: {reason}") from exc
    if book.survey is None and book.survey_header is None:
        raise XLSFormError(f"{where} has no sheet named 'survey'")
    return book


def _unpack(data: bytes, where: str) -> tuple[str, dict[str, bytes]]:
    """Return the form's name in the zip and every file by its base name, within the bounds."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    members = [info for info in archive.infolist() if not info.is_dir() and not _hidden(info.filename)]
    if len(members) > MAX_MEMBERS:
        raise XLSFormError(f"{where} holds more than {MAX_MEMBERS} files")
    files: dict[str, bytes] = {}
    total = 0
    for info in members:
        if info.file_size > MAX_MEMBER_BYTES:
            raise XLSFormError(f"{where}: '{info.filename}' is larger than {MAX_MEMBER_BYTES // 2**20} MB")
        with archive.open(info) as stream:
            content = stream.read(MAX_MEMBER_BYTES + 1)  # the declared size may lie
        total += len(content)
        if len(content) > MAX_MEMBER_BYTES or total > MAX_TOTAL_BYTES:
            raise XLSFormError(f"{where} unpacks to more than {MAX_TOTAL_BYTES // 2**20} MB")
        files.setdefault(PurePosixPath(info.filename).name, content)
    books = [name for name, content in files.items() if kind_of(content) in (".xlsx", ".xls")]
    if len(books) != 1:
        found = "no workbook" if not books else f"{len(books)} workbooks ({', '.join(sorted(books))})"
        raise XLSFormError(f"{where} must hold exactly one XLSForm workbook; it holds {found}")
    return books[0], files


def _hidden(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return any(part.startswith(".") or part == "__MACOSX" for part in parts)


def media_type(name: str) -> str:
    """Return a file's media type from its name (what the phone is told when it fetches it)."""
    return mimetypes.guess_type(name)[0] or "application/octet-stream"
