"""XLSForm in and out: the spreadsheet format KoboToolbox and ODK users already edit.

Reading goes through pyxform's workbook reader (see `xlsform_reader` for the mapping);
writing produces a workbook pyxform accepts, with every language of the form side by
side as `label::Persian (fa)` columns. Reading a written workbook gives the same
definition back.

Three choices keep round trips exact and the output valid for pyxform: a rating is
written as a `range` with appearance `rating` (`start=1 end=N step=1`); a date default
`today` is written as `today()`; titles in languages other than the default go in
`translated_title::<language>` columns of the settings sheet (pyxform cannot translate
`form_title`), and descriptions in `description::<language>` columns.
"""

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.styles import Font
from pyxform.xls2json_backends import get_xlsform

from . import xlsform_assessment as assessment
from .definition import TRANSLATABLE_FIELDS
from .definition import definition_to_dict
from .loader import load_dict
from .texts import is_rtl
from .xlsform_reader import ImportReport
from .xlsform_reader import XLSFormError
from .xlsform_reader import import_book
from .xlsform_reader import language_code
from .xlsform_reader import language_label

__all__ = ["ImportReport", "XLSFormError", "language_code", "language_label", "read_xlsform", "write_xlsform"]

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
SURVEY_COLUMNS = ("label", "hint", "required", "required_message", "relevant", "constraint",
                  "constraint_message", "calculation", "default", "appearance", "parameters", "choice_filter",
                  "repeat_count", *assessment.QUESTION_KEYS)
PLAIN_COLUMNS = ("relevant", "required", "constraint", "calculation", "default", "appearance", "choice_filter",
                 "repeat_count", *assessment.QUESTION_KEYS)


def read_xlsform(source: Path | str | bytes, *, default_language: str | None = None) -> ImportReport:
    """Read an XLSForm file (or the bytes of an .xlsx) into a checked definition, with a report by row."""
    try:
        book = _workbook(source)
    except XLSFormError as exc:
        return ImportReport(errors=[str(exc)])
    fallback_id = None if isinstance(source, bytes) else Path(source).stem
    return import_book(book, default_language=default_language, fallback_id=fallback_id)


def _workbook(source):
    if isinstance(source, bytes):
        data, suffix, where = source, ".xlsx", "the upload"
    else:
        path = Path(source)
        suffix, where = path.suffix.lower(), path.name
        if suffix not in EXCEL_SUFFIXES:
            raise XLSFormError(f"{where} is not an Excel workbook (.xlsx or .xls)")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise XLSFormError(f"{where} cannot be read: {exc.strerror}") from exc
    try:
        book = get_xlsform(io.BytesIO(data), file_type=suffix)
    except Exception as exc:  # noqa: BLE001 - a damaged file may fail anywhere inside the readers
        reason = "it is not a valid spreadsheet" if "not recognized" in str(exc) else str(exc)
        raise XLSFormError(f"{where} cannot be read as an XLSForm: {reason}") from exc
    if book.survey is None and book.survey_header is None:
        raise XLSFormError(f"{where} has no sheet named 'survey'")
    return book


def write_xlsform(definition: dict) -> bytes:
    """Return an .xlsx XLSForm with survey, choices and settings sheets for a definition."""
    data = definition_to_dict(load_dict(definition, source=str(definition.get("form_id"))))
    languages = data["settings"]["languages"]
    book = Workbook()
    book.remove(book.active)
    survey_rows = list(_survey_rows(data["survey"], languages))
    _add_sheet(book, "survey", _survey_columns(survey_rows, languages), survey_rows)
    choice_rows = [
        {"list_name": list_name, "name": option["name"], **_texts("label", option.get("label"), languages),
         **option.get("data", {}), **assessment.choice_cells(option)}
        for list_name, options in data["choices"].items() for option in options
    ]
    choice_rows += [{"list_name": assessment.OBJECTIVES_LIST, "name": name, **_texts("label", label, languages)}
                    for name, label in assessment.objective_rows(data)]
    scoring = [column for column in ("correct", "score") if any(column in row for row in choice_rows)]
    data_columns = list(dict.fromkeys(key for options in data["choices"].values() for option in options
                                      for key in option.get("data", {})))
    _add_sheet(book, "choices", ["list_name", "name", *_text_columns("label", languages), *data_columns,
                                 *scoring], choice_rows)
    settings = _settings_row(data)
    _add_sheet(book, "settings", list(settings), [settings])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _survey_rows(items, languages):
    for item in items:
        yield _survey_row(item, languages)
        if item["type"] in ("group", "repeat"):
            yield from _survey_rows(item.get("children", []), languages)
            yield {"type": f"end {item['type']}"}


def _survey_row(item: dict, languages) -> dict:
    kind = item["type"]
    row = {"type": f"begin {kind}" if kind in ("group", "repeat") else kind, "name": item["name"]}
    for field in TRANSLATABLE_FIELDS:
        row.update(_texts(field, item.get(field), languages))
    row.update((key, item[key]) for key in PLAIN_COLUMNS if item.get(key))
    if item.get("required") == "true()":
        row["required"] = "yes"
    if kind == "date" and item.get("default") == "today":
        row["default"] = "today()"
    params = dict(item.get("parameters") or {})
    if kind == "rating":
        row["type"] = "range"
        row["appearance"] = " ".join(["rating", *item.get("appearance", "").split()])
        params = {"start": 1, "end": params.pop("max", 5), "step": 1, **params}
    if params:
        row["parameters"] = " ".join(f"{key}={value}" for key, value in params.items())
    return row


def _texts(field: str, text: dict | None, languages) -> dict:
    return {f"{field}::{language_label(code)}": (text or {}).get(code) for code in languages
            if (text or {}).get(code)}


def _text_columns(field: str, languages) -> list[str]:
    return [f"{field}::{language_label(code)}" for code in languages]


def _survey_columns(rows: list[dict], languages) -> list[str]:
    """Order columns as people expect them; a text field used anywhere gets every language."""
    used = {key for row in rows for key in row}
    columns = ["type", "name"]
    for key in SURVEY_COLUMNS:
        if key in TRANSLATABLE_FIELDS:
            text_columns = _text_columns(key, languages)
            if key == "label" or used.intersection(text_columns):
                columns += text_columns
        elif key in used:
            columns.append(key)
    return columns


def _settings_row(data: dict) -> dict:
    default = data["settings"]["default_language"]
    row = {"form_id": data["form_id"], "form_title": data["title"][default],
           "default_language": language_label(default)}
    for code in data["settings"]["languages"]:
        if code != default and data["title"].get(code):
            row[f"translated_title::{language_label(code)}"] = data["title"][code]
    row.update(_texts("description", data.get("description"), data["settings"]["languages"]))
    if data["settings"].get("style"):
        row["style"] = data["settings"]["style"]
    row.update(assessment.settings_cells(data))
    return row


def _add_sheet(book: Workbook, title: str, columns: list[str], rows: list[dict]) -> None:
    sheet = book.create_sheet(title)
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for number, row in enumerate(rows, start=2):
        for index, column in enumerate(columns, start=1):
            value = row.get(column)
            if value in (None, ""):
                continue
            cell = sheet.cell(row=number, column=index, value=str(value))
            cell.data_type = "s"  # text that starts with "=" is still text, not a formula
            if "::" in column and _is_rtl_column(column):
                cell.alignment = Alignment(readingOrder=2, wrap_text=True)
    for index, column in enumerate(columns, start=1):
        width = 40 if "::" in column else max(12, len(column) + 2)
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width


def _is_rtl_column(column: str) -> bool:
    try:
        return is_rtl(language_code(column.rsplit("::", 1)[1]))
    except ValueError:
        return False
