"""The front door: a workbook's settings, languages and sheets, up to a checked definition.

Any form pyxform accepts should import. A form without `default_language` or language
codes gets its language from `--default-language` or from its text's script; languages
written as names are mapped to codes; a missing `form_title` is the form id, as pyxform
does. The rows are read by `survey` and `choices`; whatever the engine refuses after that
(an expression it cannot evaluate, say) is taken out of that row only and reported.
"""

import re

from pyxform import aliases
from pyxform.question import MultipleChoiceQuestion
from pyxform.question import Option
from pyxform.survey import Survey

from .. import xlsform_assessment as assessment
from ..definition import TRANSLATABLE_FIELDS
from ..definition import definition_to_dict
from ..loader import NAME_RE
from ..loader import DefinitionError
from ..loader import load_dict
from . import choices as choice_sheets
from .choices import csv_tables
from .columns import CHOICE_FIELDS
from .columns import LIST_NAME
from .columns import SETTINGS_FIELDS
from .columns import SURVEY_FIELDS
from .columns import field_of
from .columns import media_of
from .columns import read_sheet
from .languages import UnknownLanguage
from .languages import guess_language
from .languages import known_code
from .languages import language_code
from .media import MediaFiles
from .report import ImportReport
from .survey import SurveyBuilder
from .workbook import Upload

# What the form does instead when the engine refuses one rule of a row.
DROPPED = {
    "relevant": "the question is always shown",
    "constraint": "any answer is accepted",
    "required": "an answer is not required",
    "calculation": "the value stays empty",
    "choice_filter": "every option is offered",
    "repeat_count": "people add as many as they need",
    "read_only": "the answer can be typed",
}
MAX_RETRIES = 50


def import_upload(upload: Upload, *, default_language: str | None = None,
                  fallback_id: str | None = None) -> ImportReport:
    """Map a workbook (and the files that came with it) to a checked definition, reporting by row."""
    report = ImportReport()
    _Importer(upload, report, default_language, fallback_id).run()
    return report


def import_book(book, *, default_language: str | None = None, fallback_id: str | None = None) -> ImportReport:
    """Map a workbook read by pyxform to a checked definition, reporting problems by row."""
    return import_upload(Upload(book), default_language=default_language, fallback_id=fallback_id)


class _Importer:
    """One spreadsheet's way to a definition; problems go into the report as they are found."""

    def __init__(self, upload: Upload, report: ImportReport, default_language, fallback_id):
        book = upload.book
        self.report = report
        self.files = upload.files
        self.media_files = MediaFiles(upload.files, report)
        self.survey = read_sheet(book, "survey", aliases.survey_header, MultipleChoiceQuestion.get_slot_names())
        option_columns = set(Option.get_slot_names()) | {LIST_NAME}
        self.choices = read_sheet(book, "choices", aliases.list_header, option_columns)
        self.external = read_sheet(book, "external_choices", aliases.list_header, option_columns)
        self.settings = read_sheet(book, "settings", aliases.settings_header, Survey.get_slot_names())
        self.default = default_language
        self.fallback_id = fallback_id
        self.languages: dict[str, str] = {}  # column header -> language code

    def run(self) -> None:
        self._check_columns()
        settings = self._settings()
        if self.report.errors:
            return
        lists = choice_sheets.sheet_lists(self.choices, self)
        choice_sheets.ignored_columns(self.choices, self)
        external = choice_sheets.sheet_lists(self.external, self, reported="external_choices")
        builder = SurveyBuilder(self, lists, external)
        survey = builder.build(self.survey)
        if self.report.errors:
            return
        objectives = assessment.lift_objectives(survey, builder.lists)
        document = {"form_id": settings["form_id"], "title": settings["title"],
                    "description": settings["description"],
                    "settings": {"default_language": self.default, "languages": self._language_list(),
                                 **settings["extra"]},
                    "survey": survey, "choices": builder.lists, **({"objectives": objectives} if objectives else {})}
        if self.media_files.kept:
            document["media_files"] = self.media_files.kept
        if tables := csv_tables(self.files, self.report):
            document["attachments"] = tables  # read by pulldata()
        self._load(document, builder)
        self.report.flush()

    # -- languages -------------------------------------------------------------------------

    def language_of(self, written: str, where: str) -> str | None:
        """Return the code of a language written in a column, reporting an unknown one."""
        try:
            return language_code(written)
        except UnknownLanguage as exc:
            self.report.error(f"{where}: {exc}")
            return None

    def _check_columns(self) -> None:
        """Learn the languages of every text column and insist on type and name columns."""
        sheets = ((self.survey, SURVEY_FIELDS), (self.choices, CHOICE_FIELDS), (self.external, CHOICE_FIELDS),
                  (self.settings, SETTINGS_FIELDS))
        for sheet, known in sheets:
            for header, tokens in sheet.headers.items():
                name, lang = field_of(tokens, known)
                kind, media_lang = media_of(tokens)
                textual = name in TRANSLATABLE_FIELDS or name in ("title", "description")
                written = lang if textual else media_lang if kind else None
                if written is not None and header not in self.languages:
                    code = self.language_of(written, f"{sheet.name} column '{header}'")
                    if code:
                        self.languages[header] = code
        present = set(self.survey.headers.values())
        for column in ("type", "name"):
            if (column,) not in present:
                self.report.error(f"survey sheet: there is no '{column}' column")
        if self.choices.rows and (LIST_NAME,) not in set(self.choices.headers.values()):
            self.report.error("choices sheet: there is no 'list_name' column")

    def _default_language(self, setting: str | None) -> None:
        if setting and setting.strip().lower() != "default":
            self.default = self.language_of(setting, "settings column 'default_language'")
        elif self.default:
            code = known_code(self.default)
            if code is None:
                self.report.error(f"--default-language '{self.default}' is not a language code Babel knows")
            self.default = code
        elif plain := self._plain_texts():
            self.default, how = guess_language(plain)
            named = "no column names a language" if not self.languages else "some columns name no language"
            self.report.warn(f"settings: {named}, so their texts are taken as '{self.default}' ({how}); "
                             "import with --default-language CODE to choose another")
        elif self.languages:
            self.default = next(iter(self.languages.values()))
        else:
            self.default = "en"
            self.report.warn("settings: the form has no texts, so its language is taken as 'en'")

    def _plain_texts(self) -> list[str]:
        """Labels and hints of the survey sheet written in columns that name no language."""
        return [value for _, row in self.survey.rows for header, value in row.items()
                if field_of(self.survey.headers[header], SURVEY_FIELDS) in (("label", None), ("hint", None))]

    def _language_list(self) -> list[str]:
        return list(dict.fromkeys([self.default, *self.languages.values()]))

    def texts(self, values: dict, where: str) -> dict[str, str]:
        """Merge texts by language; a column without language is in the default language."""
        merged = {}
        if None in values and self.default:
            merged[self.default] = values[None]
        for code, text in values.items():
            if code is None:
                continue
            if code == self.default and None in values and text != values[None]:
                sheet, _, number = where.rpartition(" row ")
                self.report.warn_row(f"{sheet or where}: a column without language and the '{code}' column differ; "
                                     f"the '{code}' column is used", int(number) if number.isdigit() else 0)
            merged[code] = text
        return {code: text for code, text in merged.items() if text}

    # -- settings --------------------------------------------------------------------------

    def _settings(self) -> dict:
        row = next((row for _, row in self.settings.rows if row), {})
        values, texts = {}, {"title": {}, "description": {}}
        for header, value in row.items():
            name, lang = field_of(self.settings.headers[header], SETTINGS_FIELDS)
            if name in texts:
                texts[name][self.languages.get(header) if lang else None] = value
            elif name:
                values[name] = value.strip()
            else:
                self.report.warn(f"settings column '{header}' is not used here")
        self._default_language(values.get("default_language"))
        form_id = self._form_id(values.get("form_id"))
        title = self.texts(texts["title"], "settings row 2")
        if not title:
            title = {self.default: form_id}
            self.report.warn(f"settings: no form_title, so the form id '{form_id}' is the title (as pyxform does)")
        extra = {key: values[key] for key in ("version", "instance_name") if values.get(key)}
        if values.get("style"):
            self._style(values["style"], extra)
        extra.update(assessment.settings_keys(values))
        return {"form_id": form_id, "title": title, "description": self.texts(texts["description"], "settings"),
                "extra": extra}

    def _form_id(self, written: str | None) -> str:
        form_id = written or self.fallback_id or "form"
        if not written:
            self.report.warn(f"settings: no form_id, so the file name '{form_id}' is used")
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", form_id)
        safe = safe if NAME_RE.match(safe) else f"_{safe}"
        if safe != form_id:
            self.report.warn(f"settings: the form id '{form_id}' is written '{safe}' here")
        return safe

    def _style(self, style: str, extra: dict) -> None:
        words = style.split()
        if "pages" in words and _loader_knows_style():
            extra["style"] = "pages"
        elif "pages" in words:
            self.report.warn("settings: style 'pages' is not available here; the whole form is one page")
        for word in words:
            if word != "pages":
                self.report.warn(f"settings: style '{word}' is not used here; the usual layout is shown")

    # -- options and media -----------------------------------------------------------------

    def option(self, name: str, labels: dict, media: dict, data: dict, where: str) -> dict:
        """Shape one option of a choice list, its files checked against the upload."""
        option = {"name": name, "label": self.texts(labels, where)}
        if found := self.media(media, where):
            option["media"] = found
        if data and choice_sheets.CHOICE_DATA:
            option["data"] = data
        return option

    def media(self, columns: dict, where: str) -> dict:
        """Keep media files that came with the form; report the others."""
        return self.media_files.keep(columns, where, self.texts)

    # -- loading ---------------------------------------------------------------------------

    def _load(self, document: dict, builder: SurveyBuilder) -> None:
        """Load the document; a rule the engine refuses is taken out of its row and reported."""
        for _ in range(MAX_RETRIES):
            try:
                form = load_dict(document, source="the spreadsheet")
            except DefinitionError as exc:
                hard = [problem for problem in exc.problems if not builder.give_up_rule(problem, DROPPED)]
                if hard:
                    self.report.errors.extend(builder.located(problem) for problem in hard)
                    return
                continue
            self.report.definition = definition_to_dict(form)
            return
        self.report.error("the spreadsheet has too many rules the engine cannot read")


def _loader_knows_style() -> bool:
    from .. import loader

    return hasattr(loader, "STYLES")
