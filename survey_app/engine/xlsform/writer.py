"""Write a definition as an XLSForm workbook that pyxform accepts and this reader reads back.

Every language of the form goes side by side as `label::Persian (fa)` columns. Three
choices keep round trips exact and the output valid for pyxform: a rating is written as a
`range` with appearance `rating` (`start=1 end=N step=1`); a date default `today` is
written as `today()`; titles in languages other than the default go in
`translated_title::<language>` columns of the settings sheet (pyxform cannot translate
`form_title`), and descriptions in `description::<language>` columns. A list read from a CSV
file of the form is written as `select_one_from_file` (so a zip with the file attaches it
again) and its options are also listed in the choices sheet (so the workbook alone keeps them).
"""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.styles import Font

from .. import xlsform_assessment as assessment
from ..definition import TRANSLATABLE_FIELDS
from ..definition import definition_to_dict
from ..loader import load_dict
from ..texts import is_rtl
from .languages import language_code
from .languages import language_label

SURVEY_COLUMNS = ("label", "hint", "required", "required_message", "relevant", "constraint",
                  "constraint_message", "calculation", "default", "appearance", "parameters", "read_only",
                  "choice_filter", "repeat_count", *assessment.QUESTION_KEYS)
PLAIN_COLUMNS = ("relevant", "required", "constraint", "calculation", "default", "appearance", "read_only",
                 "choice_filter", "repeat_count", *assessment.QUESTION_KEYS)
CONTAINERS = ("group", "repeat")


def write_xlsform(definition: dict) -> bytes:
    """Return an .xlsx XLSForm with survey, choices and settings sheets for a definition."""
    data = definition_to_dict(load_dict(definition, source=str(definition.get("form_id"))))
    languages = data["settings"]["languages"]
    book = Workbook()
    book.remove(book.active)
    survey_rows = list(_survey_rows(data["survey"], languages, set(data.get("media_files", {}))))
    _add_sheet(book, "survey", _survey_columns(survey_rows, languages), survey_rows)
    choice_rows = [
        {"list_name": list_name, "name": option["name"], **_texts("label", option.get("label"), languages),
         **_media(option.get("media")), **option.get("data", {}), **assessment.choice_cells(option)}
        for list_name, options in data["choices"].items() for option in options
    ]
    choice_rows += [{"list_name": assessment.OBJECTIVES_LIST, "name": name, **_texts("label", label, languages)}
                    for name, label in assessment.objective_rows(data)]
    extra = list(dict.fromkeys(key for row in choice_rows for key in row if not key.startswith("label")
                               and key not in ("list_name", "name")))
    _add_sheet(book, "choices", ["list_name", "name", *_text_columns("label", languages), *extra], choice_rows)
    settings = _settings_row(data)
    _add_sheet(book, "settings", list(settings), [settings])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _survey_rows(items, languages, files: set[str]):
    for item in items:
        yield _survey_row(item, languages, files)
        if item["type"] in CONTAINERS:
            yield from _survey_rows(item.get("children", []), languages, files)
            yield {"type": f"end {item['type']}"}


def _survey_row(item: dict, languages, files: set[str]) -> dict:
    kind = item["type"]
    row = {"type": f"begin {kind}" if kind in CONTAINERS else _from_file(kind, files), "name": item["name"]}
    for field in TRANSLATABLE_FIELDS:
        row.update(_texts(field, item.get(field), languages))
    row.update((key, item[key]) for key in PLAIN_COLUMNS if item.get(key))
    row.update(_media(item.get("media")))
    for key in ("required", "read_only"):
        if item.get(key) == "true()":
            row[key] = "yes"
    if kind == "date" and item.get("default") == "today":
        row["default"] = "today()"
    params = dict(item.get("parameters") or {})
    if kind == "note" and params.get("unavailable"):
        row["type"] = params.pop("unavailable")  # a photo or file question, kept as a note here
    if kind == "rating":
        row["type"] = "range"
        row["appearance"] = " ".join(["rating", *item.get("appearance", "").split()])
        params = {"start": 1, "end": params.pop("max", 5), "step": 1, **params}
    if params:
        row["parameters"] = " ".join(f"{key}={value}" for key, value in params.items())
    return row


def _from_file(kind: str, files: set[str]) -> str:
    """`select_one_from_file x.csv` for a select whose list is one of the form's CSV files, else the type."""
    select, _, list_name = kind.partition(" ")
    if select in ("select_one", "select_multiple") and list_name in files and list_name.lower().endswith(".csv"):
        return f"{select}_from_file {list_name}"
    return kind


def _texts(field: str, text: dict | None, languages) -> dict:
    return {f"{field}::{language_label(code)}": (text or {}).get(code) for code in languages
            if (text or {}).get(code)}


def _media(media: dict | None) -> dict:
    """Media columns as `media::image::English (en)`, one per kind and language."""
    return {f"media::{kind}::{language_label(code)}": name
            for kind, names in (media or {}).items() for code, name in names.items()}


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
    return columns + sorted(key for key in used if key.startswith("media::"))


def _settings_row(data: dict) -> dict:
    default = data["settings"]["default_language"]
    row = {"form_id": data["form_id"], "form_title": data["title"][default],
           "default_language": language_label(default)}
    for code in data["settings"]["languages"]:
        if code != default and data["title"].get(code):
            row[f"translated_title::{language_label(code)}"] = data["title"][code]
    row.update(_texts("description", data.get("description"), data["settings"]["languages"]))
    row.update((key, data["settings"][key]) for key in ("version", "instance_name", "style")
               if data["settings"].get(key))
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
