"""Question types: every type and alias pyxform accepts, mapped to what this engine asks.

A type is looked up in pyxform's own table of types and aliases (`string`, `int`,
`select one`, `photo`, `get today`...), so the same spelling works here as there. What
cannot be answered in a phone browser here becomes a note saying so, and the report
names the row. Photos (`image`, `photo`) and files (`file`) are answers like any other; sound
and video are not kept.
"""

from dataclasses import dataclass

from pyxform import aliases
from pyxform.question_type_dictionary import QUESTION_TYPE_DICT
from pyxform.xls2json import RE_SELECT

# Metadata filled from ODK's preloads, by the name the definition keeps.
PRELOADS = {"start": "start", "end": "end", "today": "today", "deviceid": "deviceid",
            "uri:deviceid": "deviceid", "subscriberid": "subscriberid", "uri:subscriberid": "subscriberid",
            "simserial": "simserial", "uri:simserial": "simserial", "phonenumber": "phonenumber",
            "uri:phonenumber": "phonenumber", "username": "username", "uri:username": "username",
            "email": "email", "uri:email": "email"}
BIND_TYPES = {"int": "integer", "decimal": "decimal", "date": "date", "time": "time", "dateTime": "datetime",
              "geopoint": "geopoint", "odk:rank": "rank"}
# Rows kept as a note: (what the note says, what the report says the row does instead).
NOT_HERE = {
    "image": "taking or attaching a photo is not possible in this questionnaire",
    "audio": "recording or attaching sound is not possible in this questionnaire",
    "video": "recording or attaching a video is not possible in this questionnaire",
    "application": "attaching a file is not possible in this questionnaire",
    "osm": "drawing on a map is not possible in this questionnaire",
}


@dataclass
class RowType:
    """The engine's type for one row, the choice list it uses, and what the report should say."""

    kind: str
    list_name: str | None = None
    from_file: str | None = None  # select_*_from_file FILE.csv, or "" for select_one_external
    note: str = ""  # for the report: what this row does here instead
    not_here: str = ""  # for the person answering: why the row cannot be answered


def row_type(written: str) -> RowType | None:
    """Map an XLSForm type cell to the engine's type; None when the type is unknown."""
    text = " ".join(written.split())
    match = RE_SELECT.match(text)
    if match:
        return _select(match)
    key = text if text in QUESTION_TYPE_DICT else text.lower()
    if key in ("note", "calculate", "range", "rating", "acknowledge", "trigger", "hidden", "audit", "start-geopoint",
               "background-geopoint", "text"):
        return _special(key)
    entry = QUESTION_TYPE_DICT.get(key)
    if entry is None:
        return None
    bind = entry.get("bind", {})
    control = entry.get("control", {})
    if bind.get("jr:preload"):
        return RowType(PRELOADS.get(bind.get("jr:preloadParams"), "hidden"))
    if bind.get("type") == "binary" or control.get("tag") == "upload":
        medium = control.get("mediatype", "application/*").split("/")[0]
        if medium == "image" and control.get("tag") == "upload":
            return RowType("image")
        if medium == "application" and control.get("tag") == "upload":
            return RowType("file", note="a file answer takes a PDF or a picture (JPEG, PNG, WebP) here, up to 5 MB")
        return RowType("note", not_here=NOT_HERE.get(medium, NOT_HERE["application"]),
                       note=f"'{written}' answers cannot be kept offline here; the row is shown as a note")
    if bind.get("type") == "barcode":
        return RowType("text", note="a barcode is typed as text here")
    if bind.get("type") in ("geotrace", "geoshape"):
        return RowType("text", note=f"a {bind['type']} is typed as text here ('lat lon; lat lon; ...')")
    if bind.get("type") in BIND_TYPES:
        return RowType(BIND_TYPES[bind["type"]])
    if bind.get("type") == "string" and control.get("tag") == "input":
        return RowType("text")
    return None


DRAWN = ("signature", "draw", "annotate")  # a photo to draw on: ODK Collect's own widgets


def file_answer(kind: RowType | None, appearance: str, in_repeat: bool, written: str) -> RowType | None:
    """A photo or file question where it cannot be answered here (drawn on, inside a repeat) stays a note."""
    if kind is None or kind.kind not in ("image", "file"):
        return kind
    if in_repeat:
        return RowType("note", not_here=NOT_HERE["image" if kind.kind == "image" else "application"],
                       note=f"'{written}' answers inside a repeat cannot be kept here; the row is shown as a note")
    if kind.kind == "image" and any(word in DRAWN for word in appearance.lower().split()):
        return RowType("note", not_here=NOT_HERE["image"],
                       note=f"'{written}' to draw on cannot be kept here; the row is shown as a note")
    return kind


def _special(key: str) -> RowType:
    if key in ("acknowledge", "trigger"):
        return RowType("acknowledge")
    if key in ("hidden", "audit"):
        note = "an audit log is not kept here; the row stays empty" if key == "audit" else ""
        return RowType(key, note=note)
    if key in ("start-geopoint", "background-geopoint"):
        return RowType("start-geopoint", note="the location is asked of the phone once, when the page opens")
    return RowType(key)


def _select(match) -> RowType:
    command = match["select_command"]
    prefix = "select_one" if aliases.select.get(command) == "select one" else "select_multiple"
    if command in aliases.select_from_file:
        prefix = "select_one" if aliases.select_from_file[command] == "select one" else "select_multiple"
        return RowType(prefix, list_name=match["list_name"], from_file=match["list_name"])
    if command in ("select_one_external", "select one external"):
        return RowType("select_one", list_name=match["list_name"], from_file="")
    if command == "rank":
        return RowType("rank", list_name=match["list_name"])
    or_other = " or_other" if match["specify_other"] else ""
    return RowType(prefix + or_other, list_name=match["list_name"])
