"""Choice lists: the choices sheet, the external_choices sheet and CSV files shipped in a zip.

Every list becomes options with a name, a label per language, optional media and, where
the engine reads them (choice filters), the other columns as `data`.
"""

import csv
import dataclasses
import io
import re

from .. import xlsform_assessment as assessment
from ..definition import Choice
from .columns import CHOICE_FIELDS
from .columns import Sheet
from .columns import field_of
from .columns import media_of
from .report import numbers

COLUMN_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
MAX_CSV_ROWS = 5000  # every phone carries the list in the form version
MAX_PULLDATA_ROWS = 20_000  # the loader's limit for an attached file (engine/expression_attachments.py)
CHOICE_DATA = any(f.name == "data" for f in dataclasses.fields(Choice))  # choice filters read other columns


def sheet_lists(sheet: Sheet, importer, *, reported: str = "choices") -> dict[str, list[dict]]:
    """Read a choices-like sheet into lists of options, reporting bad rows by number."""
    lists: dict[str, list[dict]] = {}
    seen: dict[tuple[str, str], int] = {}
    for number, row in sheet.rows:
        option, labels, media, data = {}, {}, {}, {}
        for header, value in row.items():
            tokens = sheet.headers[header]
            name, lang = field_of(tokens, CHOICE_FIELDS)
            kind, media_lang = media_of(tokens)
            if name == "label":
                labels[importer.languages.get(header) if lang else None] = value
            elif name:
                option[name] = value
            elif kind:
                media.setdefault(kind, {})[importer.languages.get(header) if media_lang else None] = value
            elif column := data_column(tokens):
                data[column] = value
        if not option and not labels:
            continue
        list_name, name = option.get("list_name"), option.get("name")
        if not list_name:  # pyxform passes over such a row too
            importer.report.warn_row(f"{reported}: a row without a list_name belongs to no list; it is left out",
                                     number)
            continue
        if not name:
            importer.report.error(f"{reported} row {number}: the name is missing")
            continue
        if (list_name, name) in seen:
            importer.report.warn_row(f"{reported}: an option name appears twice in list '{list_name}'; "
                                     "only its first row is kept", number)
            continue
        seen[list_name, name] = number
        lists.setdefault(list_name, []).append(
            {**importer.option(name, labels, media, data, f"{reported} row {number}"),
             **assessment.choice_keys(option)})
    return lists


def data_column(tokens: tuple[str, ...]) -> str | None:
    """The name a plain extra column (`province`, `county`) is kept under in an option's `data`, else None."""
    if len(tokens) != 1 or not COLUMN_RE.match(tokens[0]) or tokens[0] in ("media", "image", "audio", "video"):
        return None
    return tokens[0]


def ignored_columns(sheet: Sheet, importer) -> None:
    """Name the extra columns of the choices sheet that nothing here reads."""
    if CHOICE_DATA:
        return
    ignored: dict[str, list[int]] = {}
    for number, row in sheet.rows:
        for header in row:
            tokens = sheet.headers[header]
            if field_of(tokens, CHOICE_FIELDS)[0] is None and media_of(tokens)[0] is None:
                ignored.setdefault(header, []).append(number)
    for header, rows in ignored.items():
        importer.report.warn(f"choices column '{header}' is not used here ({numbers(rows)})")


def csv_list(content: bytes, file_name: str, importer) -> list[dict] | None:
    """Read a CSV of options (`name`, `label` or `label::Language`, other columns as data)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        importer.report.warn(f"file '{file_name}' is not UTF-8 text; its options cannot be read")
        return None
    reader = csv.DictReader(io.StringIO(text))
    fields = reader.fieldnames or []
    if "name" not in fields:
        importer.report.warn(f"file '{file_name}' has no 'name' column; its options cannot be read")
        return None
    options, names = [], set()
    for number, row in enumerate(reader, start=2):
        if number - 1 > MAX_CSV_ROWS:
            importer.report.warn(f"file '{file_name}': only its first {MAX_CSV_ROWS} options are kept")
            break
        name = (row.get("name") or "").strip()
        if not name or name in names:
            continue
        names.add(name)
        labels = {}
        for column in fields:
            if column == "label":
                labels[None] = row[column] or ""
            elif column.startswith("label::"):
                code = importer.language_of(column.split("::", 1)[1], f"file '{file_name}' column '{column}'")
                importer.languages.setdefault(f"{file_name}::{column}", code)
                labels[code] = row[column] or ""
        data = {column: row[column] for column in fields if column != "name" and not column.startswith("label")
                and row.get(column) not in (None, "")}
        options.append(importer.option(name, labels, {}, data, f"file '{file_name}' row {number}"))
    return options


def list_from_file(builder, number: int, kind) -> str:
    """Give a select its list from a CSV file in the upload, or from external_choices; else make it text."""
    name = kind.kind.split()[0]
    if kind.from_file == "":
        if kind.list_name in builder.external:
            builder.lists.setdefault(kind.list_name, builder.external[kind.list_name])
            return f"{name} {kind.list_name}"
        builder.warn(number, f"there is no external_choices list '{kind.list_name}'; the answer is typed as text")
        return "text"
    file_name, files = kind.from_file, builder.importer.files
    is_csv = file_name.lower().endswith(".csv")
    if is_csv and file_name in files:
        if file_name not in builder.importer.media_files.kept:
            options = csv_list(files[file_name], file_name, builder.importer)
            if not options:
                builder.warn(number, f"no options could be read from '{file_name}'; the answer is typed as text")
                return "text"
            builder.lists[file_name] = options  # the file's options, over a copy in the choices sheet
            builder.importer.media_files.attach(file_name)
        return f"{name} {file_name}"
    if is_csv and file_name in builder.lists:  # a workbook exported here also lists the file's options
        builder.warn(number, f"the choices file '{file_name}' is not in the upload; the options listed "
                             "under that name in the choices sheet are used")
        return f"{name} {file_name}"
    reason = "is not in the upload" if is_csv else "is not a CSV file"
    builder.warn(number, f"the choices file '{file_name}' {reason}; the answer is typed as text")
    return "text"


def csv_tables(files: dict[str, bytes], report) -> dict[str, list[dict[str, str]]]:
    """Every CSV file of the upload as rows, by its name without `.csv` (as pulldata('name', ...) names it)."""
    tables = {}
    for file_name, content in files.items():
        if not file_name.lower().endswith(".csv"):
            continue
        try:
            rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
        except (UnicodeDecodeError, csv.Error):
            report.warn(f"file '{file_name}' is not a readable UTF-8 CSV; pulldata() finds nothing in it")
            continue
        if len(rows) > MAX_PULLDATA_ROWS:
            report.warn(f"file '{file_name}': only its first {MAX_PULLDATA_ROWS} rows are kept for pulldata()")
        tables[file_name[:-4]] = [{str(k): v or "" for k, v in row.items() if k is not None}
                                  for row in rows[:MAX_PULLDATA_ROWS]]
    return tables
