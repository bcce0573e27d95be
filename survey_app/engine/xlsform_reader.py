"""Map the sheets of an XLSForm workbook to a questionnaire definition, row by row.

Cells are read by pyxform's own workbook reader and headers by its own parser, so
`label::Persian (fa)`, `relevance` or `constraint_message` mean here what they mean
there. Whatever the engine cannot represent is reported by sheet and row: an import
that would lose a question or change how one behaves is refused, while harmless
ignored columns are warnings. Texts are kept exactly as typed (pyxform's own row
cleaning would replace typographic quotes, so rows are grouped here).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field

from babel import Locale
from babel import UnknownLocaleError
from pyxform import aliases
from pyxform import constants
from pyxform.errors import PyXFormError
from pyxform.parsing.parameters import parse as parse_parameters
from pyxform.parsing.sheet_headers import process_header
from pyxform.question import MultipleChoiceQuestion
from pyxform.question import Option
from pyxform.survey import Survey
from pyxform.xls2json import RE_SELECT

from . import xlsform_assessment as assessment
from .definition import TRANSLATABLE_FIELDS
from .definition import definition_to_dict
from .loader import DefinitionError
from .loader import load_dict
from .texts import normalise_code
from .xlsform_structure import choice_column
from .xlsform_structure import structure_row
from .xlsform_structure import structure_settings

# Names written in column headers, and codes KoboToolbox users know (it lists Dari as prs).
LANGUAGE_NAMES = {"fa": "Persian", "fa_AF": "Dari", "ps": "Pashto", "en": "English"}
XLSFORM_CODES = {"fa_AF": "prs"}
CODE_ALIASES = {"prs": "fa_AF"}
NAME_CODES = {"english": "en", "persian": "fa", "farsi": "fa", "dari": "fa_AF", "pashto": "ps"}
_LANGUAGE_RE = re.compile(r"\(\s*([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?)\s*\)\s*$")

SIMPLE_TYPES = frozenset({"text", "integer", "decimal", "date", "note", "calculate", "rating"})
METADATA_TYPES = frozenset({
    "start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username",
    "email", "audit", "start-geopoint", "imei", "uri:deviceid", "uri:email", "uri:phonenumber",
    "uri:subscriberid", "uri:simserial", "uri:username",
})
SURVEY_FIELDS = {
    ("type",): "type", ("name",): "name", ("label",): "label", ("hint",): "hint",
    ("bind", "jr:constraintMsg"): "constraint_message", ("bind", "jr:requiredMsg"): "required_message",
    ("bind", "relevant"): "relevant", ("bind", "required"): "required", ("bind", "constraint"): "constraint",
    ("bind", "calculate"): "calculation", ("default",): "default", ("control", "appearance"): "appearance",
    ("parameters",): "parameters", ("choice_filter",): "choice_filter", ("control", "jr:count"): "repeat_count",
    **assessment.SURVEY_FIELDS,
}
# Columns whose loss would change how a question behaves: refused, not ignored.
REFUSED_COLUMNS = {
    ("trigger",): "triggers are not supported",
    ("bind", "readonly"): "read-only questions are not supported",
}
CHOICE_FIELDS = {(constants.LIST_NAME_S,): "list_name", ("name",): "name", ("label",): "label",
                 **assessment.CHOICE_FIELDS}
SETTINGS_FIELDS = {
    ("id_string",): "form_id", ("title",): "title", ("translated_title",): "title",
    ("description",): "description", ("default_language",): "default_language", ("style",): "style",
    **assessment.SETTINGS_FIELDS,
}


_QUESTION_KEYS = ("label", "hint", "required", "required_message", "relevant", "constraint",
                  "constraint_message", "calculation", "default", "appearance", "parameters", "choice_filter",
                  "repeat_count", *assessment.QUESTION_KEYS)


class XLSFormError(ValueError):
    """A spreadsheet that cannot be read at all."""


@dataclass
class ImportReport:
    """The definition read from a spreadsheet, or the reasons it was refused."""

    definition: dict | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.definition is not None and not self.errors

    def lines(self) -> list[str]:
        return [f"error: {e}" for e in self.errors] + [f"warning: {w}" for w in self.warnings]


def language_code(label: str) -> str:
    """Return the code of an XLSForm language such as 'Persian (fa)' or 'Dari (prs)'."""
    match = _LANGUAGE_RE.search(label)
    raw = match.group(1) if match else NAME_CODES.get(label.strip().lower(), label.strip())
    code = normalise_code(raw)
    code = CODE_ALIASES.get(code, code)
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError, TypeError):
        raise ValueError(f"unknown language '{label}': write a name and a code, e.g. 'Persian (fa)'") from None
    return code


def language_label(code: str) -> str:
    """Return the column suffix for a language, e.g. 'Persian (fa)'."""
    name = LANGUAGE_NAMES.get(code) or Locale.parse(code).english_name
    return f"{name} ({XLSFORM_CODES.get(code, code)})"


def import_book(book, *, default_language: str | None = None, fallback_id: str | None = None) -> ImportReport:
    """Map a workbook read by pyxform to a checked definition, reporting problems by row."""
    report = ImportReport()
    _Importer(book, report, default_language, fallback_id).run()
    return report


@dataclass
class _Sheet:
    name: str
    headers: dict[str, tuple[str, ...]]
    rows: list[tuple[int, dict[str, str]]]


def _sheet(book, name: str, header_aliases: dict, columns: Iterable[str]) -> _Sheet:
    """Return a sheet's headers as pyxform splits and de-aliases them, and its numbered rows."""
    header = dict((getattr(book, f"{name}_header") or [{}])[0])
    double = any("::" in h for h in header)
    columns = set(columns)
    headers = {h: process_header(h, double, header_aliases, columns)[1] for h in header}
    rows = [(number, row) for number, row in enumerate(getattr(book, name) or [], start=2)]
    return _Sheet(name, headers, rows)


def _field(tokens: tuple[str, ...], known: dict) -> tuple[str | None, str | None]:
    """Split header tokens into a known field and an optional language label."""
    if tokens in known:
        return known[tokens], None
    if tokens[:-1] in known:
        return known[tokens[:-1]], tokens[-1]
    return None, None


class _Importer:
    """One spreadsheet's way to a definition; problems go into the report as they are found."""

    def __init__(self, book, report: ImportReport, default_language, fallback_id):
        self.report = report
        self.survey = _sheet(book, "survey", aliases.survey_header, MultipleChoiceQuestion.get_slot_names())
        self.choices = _sheet(book, "choices", aliases.list_header,
                              set(Option.get_slot_names()) | {constants.LIST_NAME_S})
        self.settings = _sheet(book, "settings", aliases.settings_header, Survey.get_slot_names())
        self.default = default_language
        self.fallback_id = fallback_id
        self.languages: dict[str, str] = {}
        self.rows_by_name: dict[str, int] = {}

    def error(self, message: str) -> None:
        self.report.errors.append(message)

    def warn(self, message: str) -> None:
        self.report.warnings.append(message)

    def run(self) -> None:
        self._check_columns()
        settings = self._settings()
        if self.report.errors:
            return
        survey = self._survey()
        choices = self._choices()
        if self.report.errors:
            return
        objectives = assessment.lift_objectives(survey, choices)
        document = {"form_id": settings["form_id"], "title": settings["title"],
                    "description": settings["description"],
                    "settings": {"default_language": self.default, "languages": self._language_list(),
                                 **structure_settings(settings.get("style"), self.warn),
                                 **assessment.settings_keys(settings)},
                    "survey": survey, "choices": choices, **({"objectives": objectives} if objectives else {})}
        try:
            form = load_dict(document, source="the spreadsheet")
        except DefinitionError as exc:
            self.report.errors.extend(self._located(problem) for problem in exc.problems)
            return
        self.report.definition = definition_to_dict(form)

    def _check_columns(self) -> None:
        """Learn the languages of every text column and insist on type and name columns."""
        sheets = ((self.survey, SURVEY_FIELDS), (self.choices, CHOICE_FIELDS), (self.settings, SETTINGS_FIELDS))
        for sheet, known in sheets:
            for header, tokens in sheet.headers.items():
                name, lang = _field(tokens, known)
                if lang is None or not (name in TRANSLATABLE_FIELDS or name in ("title", "description")):
                    continue
                try:
                    self.languages.setdefault(header, language_code(lang))
                except ValueError as exc:
                    self.error(f"{sheet.name} column '{header}': {exc}")
        present = {tokens for tokens in self.survey.headers.values()}
        for column in ("type", "name"):
            if (column,) not in present:
                self.error(f"survey sheet: there is no '{column}' column")
        if self.choices.rows and (constants.LIST_NAME_S,) not in set(self.choices.headers.values()):
            self.error("choices sheet: there is no 'list_name' column")

    def _settings(self) -> dict:
        row = next((row for _, row in self.settings.rows if row), {})
        values, texts = {}, {"title": {}, "description": {}}
        for header, value in row.items():
            name, lang = _field(self.settings.headers[header], SETTINGS_FIELDS)
            if name in texts:
                texts[name][self.languages.get(header) if lang else None] = value
            elif name:
                values[name] = value
            elif self.settings.headers[header] == ("version",):
                self.warn("settings column 'version' is ignored: versions here are content hashes")
            else:
                self.warn(f"settings column '{header}' is ignored")
        self._default_language(values.get("default_language"))
        form_id = values.get("form_id") or self.fallback_id or ""
        if not values.get("form_id"):
            self.warn(f"settings: no form_id, so the file name '{form_id}' is used")
        title = self.texts(texts["title"], "settings", 2)
        if not title and not self.report.errors:
            self.error("settings sheet: form_title is missing")
        return {"form_id": form_id, "title": title, "description": self.texts(texts["description"], "settings", 2),
                "style": values.get("style"), "pass_mark": values.get("pass_mark"),
                "show_score": values.get("show_score")}

    def _default_language(self, setting: str | None) -> None:
        if setting:
            try:
                self.default = language_code(setting)
            except ValueError as exc:
                self.error(f"settings column 'default_language': {exc}")
                return
        elif self.default:
            self.default = normalise_code(self.default)
        elif self.languages:
            self.default = next(iter(self.languages.values()))
        else:
            self.error("settings: default_language is missing and no text column names a language; "
                       "add default_language (e.g. 'English (en)') to the settings sheet")

    def _language_list(self) -> list[str]:
        return list(dict.fromkeys([self.default, *self.languages.values()]))

    def texts(self, values: dict, sheet: str, number: int) -> dict[str, str]:
        """Merge texts by language; a column without language is in the default language."""
        merged = {}
        if None in values and self.default:
            merged[self.default] = values[None]
        for code, text in values.items():
            if code is None:
                continue
            if code == self.default and None in values and text != values[None]:
                self.warn(f"{sheet} row {number}: two different texts in the default language; "
                          "the one whose column names the language is used")
            merged[code] = text
        return merged

    def _survey(self) -> list[dict]:
        """Turn survey rows into questions, nesting group rows between begin and end."""
        top: list[dict] = []
        stack = [(0, "survey", top)]  # open groups: (row, kind, children)
        ignored: dict[str, list[int]] = {}
        for number, row in self.survey.rows:
            item = self._row(number, row, ignored)
            if item is None:
                continue
            control = item["type"].replace("_", " ").lower()
            if control.startswith("begin ") and control.split()[1] in ("group", "repeat", "loop"):
                if control.split()[1] == "loop":
                    self.error(f"survey row {number}: '{item['type']}' is not supported (use a repeat)")
                group = self._question(number, {**item, "type": "repeat" if control == "begin repeat" else "group"})
                children: list[dict] = []
                if group is not None:
                    group["children"] = children
                    stack[-1][2].append(group)
                stack.append((number, control.split()[1], children))
            elif control.startswith("end ") and control.split()[1] in ("group", "repeat", "loop"):
                if len(stack) == 1:
                    self.error(f"survey row {number}: '{item['type']}' has no matching begin")
                else:
                    stack.pop()
            else:
                question = self._question(number, item)
                if question is not None:
                    stack[-1][2].append(question)
        for number, kind, _ in stack[1:]:
            self.error(f"survey row {number}: this 'begin {kind}' has no 'end {kind}'")
        for header, numbers in ignored.items():
            self.warn(f"survey column '{header}' is ignored ({_numbers(numbers)})")
        return top

    def _row(self, number: int, row: dict, ignored: dict) -> dict | None:
        """Collect a row's known cells; None for an empty row."""
        item, texts = {}, {}
        for header, value in row.items():
            tokens = self.survey.headers[header]
            name, lang = _field(tokens, SURVEY_FIELDS)
            if name in TRANSLATABLE_FIELDS:
                texts.setdefault(name, {})[self.languages.get(header) if lang else None] = value
            elif name and lang is None:
                item[name] = value
            elif tokens in REFUSED_COLUMNS:
                if aliases.yes_no.get(value) is not False:
                    self.error(f"survey row {number}: column '{header}': {REFUSED_COLUMNS[tokens]}")
            else:
                ignored.setdefault(header, []).append(number)
        if not item and not texts:
            return None
        if not item.get("type"):
            self.error(f"survey row {number}: the type is missing")
            return None
        item["type"] = " ".join(item["type"].split())
        for key, values in texts.items():
            item[key] = self.texts(values, "survey", number)
        return item

    def _question(self, number: int, item: dict) -> dict | None:
        kind = self._type(number, item)
        if kind is None:
            return None
        name = item.get("name", "")
        if not name:
            self.error(f"survey row {number}: the name is missing")
            return None
        if name in self.rows_by_name:
            self.error(f"survey row {number}: the name '{name}' is already used in row {self.rows_by_name[name]}")
            return None
        self.rows_by_name[name] = number
        question = {"type": kind, "name": name}
        question.update((key, item[key]) for key in _QUESTION_KEYS if item.get(key))
        if kind == "date" and question.get("default") == "today()":
            question["default"] = "today"
        return structure_row(question, number, self.warn)

    def _type(self, number: int, item: dict) -> str | None:
        """Return the engine's type for a row, reporting types it cannot represent."""
        kind = item["type"]
        if kind in METADATA_TYPES:
            self.warn(f"survey row {number}: '{kind}' is metadata this app does not collect; the row is ignored")
            return None
        if item.get("parameters"):
            try:
                item["parameters"] = parameters(item["parameters"], number)
            except ValueError as exc:
                self.error(f"survey row {number}: {exc}")
                return None
        if kind in SIMPLE_TYPES or kind in ("group", "repeat"):
            return kind
        if kind == "range":
            return self._range(number, item)
        match = RE_SELECT.match(kind)
        command = aliases.select.get(match["select_command"]) if match else None
        if match and match["select_command"] in aliases.select_from_file:
            self.error(f"survey row {number}: type '{kind}' is not supported (choices from a file)")
        elif command in (constants.SELECT_ONE, constants.SELECT_ALL_THAT_APPLY):
            prefix = "select_one" if command == constants.SELECT_ONE else "select_multiple"
            return f"{prefix} {match['list_name']}" + (" or_other" if match["specify_other"] else "")
        else:
            self.error(f"survey row {number}: type '{kind}' is not supported")
        return None

    def _range(self, number: int, item: dict) -> str | None:
        """Accept a range only as a star rating from 1, which is what the engine's rating is."""
        params = dict(item.get("parameters") or {})
        start, end, step = params.pop("start", 1), params.pop("end", 10), params.pop("step", 1)
        appearance = item.get("appearance", "").split()
        if "rating" not in appearance or start != 1 or step != 1 or not isinstance(end, int):
            self.error(f"survey row {number}: type 'range' is supported only as a star rating "
                       "(appearance 'rating', start=1, step=1, a whole end); a slider would be lost")
            return None
        item["parameters"] = {"max": end, **params}
        item["appearance"] = " ".join(word for word in appearance if word != "rating")
        return "rating"

    def _choices(self) -> dict[str, list[dict]]:
        lists: dict[str, list[dict]] = {}
        seen: dict[tuple[str, str], int] = {}
        ignored: dict[str, list[int]] = {}
        for number, row in self.choices.rows:
            option, labels, data = {}, {}, {}
            for header, value in row.items():
                name, lang = _field(self.choices.headers[header], CHOICE_FIELDS)
                if name == "label":
                    labels[self.languages.get(header) if lang else None] = value
                elif name:
                    option[name] = value
                elif choice_column(self.choices.headers[header]):
                    data[choice_column(self.choices.headers[header])] = value  # read by choice filters
                else:
                    ignored.setdefault(header, []).append(number)
            if not option and not labels:
                continue
            list_name, name = option.get("list_name"), option.get("name")
            if not list_name or not name:
                self.error(f"choices row {number}: the {'list_name' if not list_name else 'name'} is missing")
                continue
            if (list_name, name) in seen:
                self.error(f"choices row {number}: option '{name}' appears twice in list '{list_name}' "
                           f"(first in row {seen[list_name, name]})")
                continue
            seen[list_name, name] = number
            lists.setdefault(list_name, []).append({"name": name, "label": self.texts(labels, "choices", number),
                                                    **({"data": data} if data else {}),
                                                    **assessment.choice_keys(option)})
        for header, numbers in ignored.items():
            self.warn(f"choices column '{header}' is ignored ({_numbers(numbers)})")
        return lists

    def _located(self, problem: str) -> str:
        """Prefix a loader problem about a question with its survey row."""
        match = re.match(r"question '([^']+)'", problem)
        if match and match.group(1) in self.rows_by_name:
            return f"survey row {self.rows_by_name[match.group(1)]}: {problem}"
        return problem


def _numbers(numbers: list[int]) -> str:
    """Write row numbers as 'row 4' or 'rows 4, 9', at most ten of them."""
    shown = ", ".join(str(n) for n in numbers[:10])
    more = f" and {len(numbers) - 10} more" if len(numbers) > 10 else ""
    return f"{'row' if len(numbers) == 1 else 'rows'} {shown}{more}"


def parameters(raw: str, number: int) -> dict:
    """Parse a parameters cell with pyxform's grammar, keeping whole numbers as numbers."""
    try:
        parsed = parse_parameters(raw, number)
    except PyXFormError as exc:
        raise ValueError("parameters must look like 'max=5' or 'start=1 end=5 step=1'") from exc
    return {key: int(value) if value.isdigit() else value for key, value in parsed.items()}
