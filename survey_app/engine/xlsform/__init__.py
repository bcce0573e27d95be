"""XLSForm in and out: the spreadsheet format KoboToolbox and ODK users already edit.

The package keeps the front door (`workbook`: files, zips; `reader`: settings, languages,
sheets) apart from each family of features (`survey` rows, `types`, `choices`,
`appearances`, media in `reader.media`), all writing to one `report`. `writer` produces a
workbook pyxform accepts; reading a written workbook gives the same definition back.
"""

from pathlib import Path

from .languages import language_code
from .languages import language_label
from .package import needs_zip
from .package import write_xlsform_zip
from .reader import import_book
from .reader import import_upload
from .report import ImportReport
from .workbook import XLSFormError
from .workbook import open_upload
from .writer import write_xlsform

__all__ = ["ImportReport", "XLSFormError", "import_book", "language_code", "language_label", "needs_zip",
           "read_xlsform", "write_xlsform", "write_xlsform_zip"]

MAX_UPLOAD_BYTES = 128 * 1024 * 1024


def read_xlsform(source: Path | str | bytes, *, default_language: str | None = None,
                 name: str | None = None) -> ImportReport:
    """Read an XLSForm (.xlsx, .xls, or a .zip with its media and CSV files) into a checked definition.

    `source` is a path or the bytes of an upload; `name` is the uploaded file's name, whose stem
    is the form id when the settings sheet has none (as pyxform does).
    """
    where = name or ("the upload" if isinstance(source, bytes) else Path(source).name)
    try:
        data = source if isinstance(source, bytes) else _read(Path(source))
        upload = open_upload(data, where)
    except XLSFormError as exc:
        return ImportReport(errors=[str(exc)])
    stem = Path(name).stem if name else None if isinstance(source, bytes) else Path(source).stem
    return import_upload(upload, default_language=default_language, fallback_id=stem)


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_UPLOAD_BYTES:
            raise XLSFormError(f"{path.name} is larger than {MAX_UPLOAD_BYTES // 2**20} MB")
        return path.read_bytes()
    except OSError as exc:
        raise XLSFormError(f"{path.name} cannot be read: {exc.strerror}") from exc
