"""Write a questionnaire with its files as a .zip the importer reads back: workbook, media, CSV files.

A workbook alone cannot carry the pictures, sounds and CSV lists a form was imported with; without
them a re-import drops the media and the pulldata() tables. The zip holds `<form_id>.xlsx`, each
media file as it was uploaded, and each pulldata() table whose file is not among them written
back as a UTF-8 CSV (the same rows read back).
"""

import csv
import io
import zipfile

from .writer import write_xlsform


def write_xlsform_zip(definition: dict, files: dict[str, bytes]) -> bytes:
    """Return a .zip of the form's workbook and its files (`files`: the media files' bytes by name)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{definition['form_id']}.xlsx", write_xlsform(definition))
        for name in definition.get("media_files", {}):
            if name in files:
                archive.writestr(name, files[name])
        for table, rows in definition.get("attachments", {}).items():
            if f"{table}.csv" not in files:
                archive.writestr(f"{table}.csv", _csv(rows))
    return out.getvalue()


def needs_zip(definition: dict) -> bool:
    """Whether a workbook alone would lose files the form came with."""
    return bool(definition.get("media_files") or definition.get("attachments"))


def _csv(rows: list[dict[str, str]]) -> bytes:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")
