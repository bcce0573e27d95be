"""Sheet headers as pyxform reads them, and the columns this reader maps.

Cells are read by pyxform's own workbook reader and headers by its own parser, so
`label::Persian (fa)`, `relevance` or `constraint_message` mean here what they mean there.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from pyxform.constants import LIST_NAME_S as LIST_NAME
from pyxform.parsing.sheet_headers import process_header

from .. import xlsform_assessment as assessment

SURVEY_FIELDS = {
    ("type",): "type", ("name",): "name", ("label",): "label", ("hint",): "hint",
    ("bind", "jr:constraintMsg"): "constraint_message", ("bind", "jr:requiredMsg"): "required_message",
    ("bind", "relevant"): "relevant", ("bind", "required"): "required", ("bind", "constraint"): "constraint",
    ("bind", "calculate"): "calculation", ("default",): "default", ("control", "appearance"): "appearance",
    ("parameters",): "parameters", ("bind", "readonly"): "read_only", ("choice_filter",): "choice_filter",
    ("control", "jr:count"): "repeat_count", ("trigger",): "trigger", **assessment.SURVEY_FIELDS,
}
CHOICE_FIELDS = {(LIST_NAME,): "list_name", ("name",): "name", ("label",): "label", **assessment.CHOICE_FIELDS}
SETTINGS_FIELDS = {
    ("id_string",): "form_id", ("title",): "title", ("translated_title",): "title",
    ("description",): "description", ("default_language",): "default_language", ("version",): "version",
    ("instance_name",): "instance_name", ("style",): "style", **assessment.SETTINGS_FIELDS,
}
EXPRESSION_FIELDS = ("relevant", "constraint", "required", "calculation", "choice_filter", "repeat_count",
                     "read_only", "default")
MEDIA_COLUMNS = {"image": "image", "big-image": "image", "audio": "audio", "video": "video"}
SMART_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


@dataclass
class Sheet:
    name: str
    headers: dict[str, tuple[str, ...]]
    rows: list[tuple[int, dict[str, str]]]


def read_sheet(book, name: str, header_aliases: dict, columns: Iterable[str]) -> Sheet:
    """Return a sheet's headers as pyxform splits and de-aliases them, and its numbered rows."""
    header = dict((getattr(book, f"{name}_header", None) or [{}])[0])
    double = any("::" in h for h in header)
    columns = set(columns)
    headers = {h: process_header(h, double, header_aliases, columns)[1] for h in header}
    rows = [(number, row) for number, row in enumerate(getattr(book, name, None) or [], start=2)]
    return Sheet(name, headers, rows)


def field_of(tokens: tuple[str, ...], known: dict) -> tuple[str | None, str | None]:
    """Split header tokens into a known field and an optional language label."""
    if tokens in known:
        return known[tokens], None
    if tokens[:-1] in known:
        return known[tokens[:-1]], tokens[-1]
    return None, None


def media_of(tokens: tuple[str, ...]) -> tuple[str | None, str | None]:
    """Return (image|audio|video, language label or None) for a media column's tokens."""
    if len(tokens) >= 2 and tokens[0] == "media" and tokens[1] in MEDIA_COLUMNS:
        return MEDIA_COLUMNS[tokens[1]], tokens[2] if len(tokens) > 2 else None
    return None, None


def plain_expression(text: str) -> str:
    """Replace typographic quotes in an expression with straight ones, as pyxform does."""
    return text.translate(SMART_QUOTES)
