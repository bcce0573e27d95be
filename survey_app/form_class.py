"""Build a Flask-WTF form class, and what a template needs, from a questionnaire.

The engine decides what is valid; the form class gives CSRF protection, keeps what was
typed when the page comes back with errors, and holds each question's error messages.
"""

import datetime
from dataclasses import dataclass
from dataclasses import field
from functools import cached_property

from flask import current_app
from flask import url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import Field
from wtforms import HiddenField
from wtforms import RadioField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField

from .engine.definition import META_TYPES
from .engine.definition import WIDGET_TYPES
from .engine.definition import FormDefinition
from .engine.definition import Question
from .engine.expressions import iso_day
from .engine.long_lists import is_long
from .engine.odk_markdown import references
from .engine.odk_markdown import render
from .engine.scopes import Scope
from .engine.texts import SOLAR_HIJRI_LANGUAGES
from .engine.texts import Resolved
from .engine.texts import base_language
from .engine.texts import resolve
from .engine.validation import FieldError
from .form_files import list_url
from .form_structure import NEW
from .form_structure import Instance
from .form_structure import InstanceField
from .form_structure import answer_scope
from .form_structure import filtered_options
from .form_structure import long_options
from .form_structure import raw_repeats
from .i18n import solar_hijri_input
from .i18n import typed_date

META_FIELDS = ("submission_uuid", "form_version", "started_at")


WIDGET_CODES = ("geopoint", "range", "rank", "time", "datetime")
FILE_CODES = ("file_name", "file_missing", "file_type", "file_size", "file_data")


def error_messages(form: FormDefinition | None = None) -> dict[str, str]:
    """Return the interface's words for each engine error code, in the current language.

    Given a questionnaire, the words of widgets it does not have are left out: every page carries
    its messages, and a plain questionnaire's page stays as light as it was.
    """
    words = _all_error_messages()
    if form is not None and not any(q.type in WIDGET_CODES for q, _parents in form.walk()):
        words = {code: text for code, text in words.items() if code not in WIDGET_CODES}
    if form is not None and not form.file_questions:
        words = {code: text for code, text in words.items() if code not in FILE_CODES}
    return words


def _all_error_messages() -> dict[str, str]:
    return {
        "required": _("This question needs an answer."),
        "constraint": _("This answer is not allowed here."),
        "integer": _("Please write a whole number, for example 12."),
        "decimal": _("Please write a number, for example 2.5."),
        "date": _("Please write a date as year/month/day, for example %(example)s.",
                  example=typed_date(datetime.date.today())),
        "choice": _("Please pick one of the options."),
        "too_long": _("This answer is too long."),
        "geopoint": _("Please give a location as latitude and longitude, for example 35.69 51.39."),
        "range": _("Please pick a value on the scale."),
        "rank": _("Please put every option in a place of its own."),
        "time": _("Please write a time as hours:minutes, for example 14:30."),
        "datetime": _("Please give a date and a time."),
        "text": _("This answer could not be read."),
        "file_name": _("The file could not be read. Please choose it again."),
        "file_missing": _("The file could not be read. Please choose it again."),
        "file_data": _("The file could not be read. Please choose it again."),
        "file_type": _("Please choose a picture (JPEG, PNG or WebP), or a PDF where a document is asked."),
        "file_size": _("This file is too large (at most %(megabytes)s MB). Please choose a smaller one.",
                       megabytes=current_app.config.get("SURVEY_ANSWER_FILE_MAX_BYTES", 5 * 2**20) // 2**20),
        "characters": _("This answer holds an invisible control character that cannot be saved. "
                        "Please delete it, or type the answer again instead of pasting it."),
        "summary": _("Some answers need checking. They are marked below."),
    }


class AnswersForm(FlaskForm):
    """A form whose fields are found by question name, whatever the name.

    Each question's field is kept under an attribute of its own (`answer_3`) and posted under
    the question's name: WTForms drops attributes that start with '_' (`_1`, a name XLSForm
    allows) and a question called `data`, `errors` or `meta` would hide the form's own.
    """

    _attribute_of: dict[str, str] = {}

    def __init__(self, *args, data: dict | None = None, **kwargs):
        if data:
            data = {self._attribute_of.get(name, name): value for name, value in data.items()}
        super().__init__(*args, data=data, **kwargs)

    def __getitem__(self, name: str) -> Field:
        return self._fields[self._attribute_of.get(name, name)]

    def __contains__(self, name: str) -> bool:
        return self._attribute_of.get(name, name) in self._fields


def build_form_class(form: FormDefinition) -> type[FlaskForm]:
    """Return a FlaskForm subclass with one field per question that takes an answer."""
    attributes: dict = {name: HiddenField() for name in META_FIELDS}
    attribute_of = {}
    for question, _parents in form.walk():
        if question.is_input and question.name not in META_FIELDS:
            attribute_of[question.name] = f"answer_{len(attribute_of)}"
            attributes[attribute_of[question.name]] = _field_for(form, question, question.name)
    return type(f"{form.form_id}_form", (AnswersForm,), {**attributes, "_attribute_of": attribute_of})


def _field_for(form: FormDefinition, question: Question, name: str) -> Field:
    options = [choice.name for choice in form.choices_for(question)]
    if question.type in ("select_one", "rating"):
        return RadioField(name=name, choices=options, validate_choice=False)
    if question.type in ("select_multiple", "rank"):
        return SelectMultipleField(name=name, choices=options, validate_choice=False)
    if question.type == "text" and "multiline" in question.appearance:
        return TextAreaField(name=name)
    return StringField(name=name)


def default_values(form: FormDefinition, lang: str, today: datetime.date) -> dict:
    """Return the starting value of each question that has a default, as its field shows it.

    Metadata the server knows is filled here too: `start` and `today` (the phone's scripts put
    its own clock there, and the device id, when they run).
    """
    clock = _server_metadata(form, today)
    values = {q.name: clock[q.name] for q in form.questions() if q.type in ("start", "today")}
    for question in form.questions():
        if not question.is_input or question.default is None:
            continue
        value = question.default
        if question.type == "date" and value in ("today", "today()"):
            value = today.isoformat()
        if question.type == "date" and lang in SOLAR_HIJRI_LANGUAGES:
            value = solar_hijri_input(value)
        if question.type == "rank":
            value = value.split()
        values[question.name] = value.split() if question.type == "select_multiple" else value
    # A repeat without a count starts with one instance, as on ODK's and Enketo's phones.
    values.update((q.name, [{}]) for q, _ in form.walk() if q.type == "repeat" and not q.repeat_count)
    return values


def raw_answers(form: FormDefinition, formdata, *, today: datetime.date | None = None) -> dict:
    """Collect the posted answers as the engine expects them (lists for multiple choice).

    A read-only question's answer is its default, whatever was posted; `end` and `today` left
    empty (no scripts on the phone) are the server's clock.
    """
    answers = {}
    filled = _server_metadata(form, today or datetime.date.today())
    for question in form.questions():
        if question.read_only and question.is_input:
            answers[question.name] = question.default or ""
        elif question.type in ("select_multiple", "rank"):
            answers[question.name] = [value for value in formdata.getlist(question.name) if value]
        elif question.is_input:
            answers[question.name] = formdata.get(question.name, "") or filled.get(question.name, "")
    return {**answers, **raw_repeats(form.survey, formdata)}


def _server_metadata(form: FormDefinition, today: datetime.date) -> dict:
    """The metadata answers the server can fill: start, end and today from its own clock."""
    now = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    clock = {"start": now, "end": now, "today": today.isoformat()}
    return {question.name: clock[question.type] for question in form.questions() if question.type in clock}


def attach_errors(wtform: FlaskForm, form: FormDefinition, errors: dict[str, FieldError], lang: str) -> None:
    """Put each engine error next to its question, in the participant's language."""
    words = error_messages()
    for name, error in errors.items():
        if name not in wtform:
            continue  # inside an instance of a repeat: drawn with the instance (repeat_view)
        own = resolve(error.message, lang, form.default_language)
        wtform[name].errors = [own.text if own else words.get(error.code, words["constraint"])]


@dataclass
class QuestionView:
    """Everything a template needs to draw one question (or a group of them)."""

    question: Question
    label: Resolved
    hint: Resolved
    wtfield: Field | None = None
    options: list[tuple[str, Resolved]] = field(default_factory=list)
    children: list["QuestionView"] = field(default_factory=list)
    constraint_message: str = ""
    date_style: str = "iso"
    hidden_at_start: bool = False  # not relevant with the answers the page starts with
    path: str = ""  # inside an instance of a repeat: the field's name, repeat/0/question
    choice_filter: str = ""  # the filter as the phone evaluates it (see engine.choice_filter)
    choice_columns: dict = field(default_factory=dict)  # option -> its columns, for the filter
    filtered_out: set = field(default_factory=set)  # options the answers so far do not allow
    instances: list = field(default_factory=list)  # a repeat's instances (form_structure.Instance)
    template: object = None  # a repeat's empty instance, which the phone copies to add one
    answers: dict = field(default_factory=dict)  # what labels saying ${name} show
    media: dict = field(default_factory=dict)  # image/audio/video -> URL in the page's language
    option_media: dict = field(default_factory=dict)  # option name -> {image/audio/video -> URL}
    assets: list[str] = field(default_factory=list)  # scripts and styles the first item brings
    form_version: str = ""  # the author's version label, shown above the first item
    long_list: object = None  # a long list's search (form_structure.LongList), its options not all drawn

    @property
    def name(self) -> str:
        return self.path or self.question.name

    @property
    def kind(self) -> str:
        return self.question.type

    @property
    def is_meta(self) -> bool:
        return self.question.type in META_TYPES

    @property
    def label_html(self) -> Markup:
        """The label after Markdown, ${name} showing the answer (see engine/odk_markdown.py)."""
        return rich(self.label.text, self.answers)

    @property
    def hint_html(self) -> Markup:
        return rich(self.hint.text, self.answers)

    @cached_property
    def option_html(self) -> dict[str, Markup]:
        """Each option's label after Markdown (made once: the template reads it once per option)."""
        return {name: rich(label.text, self.answers) for name, label in self.options}


def question_views(form: FormDefinition, wtform: FlaskForm, lang: str,
                   hidden: frozenset[str] | set[str] = frozenset(), structure: "StructureState | None" = None,
                   ) -> list[QuestionView]:
    """Describe the questionnaire's items for the template, texts resolved with fallbacks.

    `hidden` names the items that are not relevant with the answers the page starts with: the
    page draws them hidden, so a slow phone does not show them until its scripts arrive (and a
    browser without scripts shows them all, through the page's <noscript> style sheet).
    `structure` carries what repeats and filtered choices need (the answers so far, errors by path).
    """
    if structure is None:
        structure = StructureState({}, answer_scope(form, {}), {}, set(), iso_day(datetime.date.today()))
    views = [_view(form, wtform, question, lang, hidden, structure) for question in form.survey]
    if views:
        views[0].assets = page_assets(form) + (["js/audio-prompts.js"] if _plays_audio(views) else [])
        views[0].form_version = form.version
    return views


def page_assets(form: FormDefinition) -> list[str]:
    """The scripts and style sheet a questionnaire needs beyond the plain form's, if any."""
    walked = [question for question, _ in form.walk()]
    # Every widget type's answer is read by xlsform-widgets.js: without it a time or an OK box is not sent.
    scripted = any(q.type in META_TYPES or q.type in WIDGET_TYPES or _shows_answers(q) for q in walked)
    # Pictures and recordings need the style sheet only (the play buttons are their own module).
    media = any(q.media for q in walked) or any(choice.media for options in form.choices.values() for choice in options)
    return ["css/xlsform.css"] * (scripted or media) + ["js/xlsform-page.js"] * scripted


def _plays_audio(views: list["QuestionView"]) -> bool:
    """Whether any item of the page has a recording in its language (then the play buttons load)."""
    return any(view.media.get("audio") or any(urls.get("audio") for urls in view.option_media.values())
               or _plays_audio(view.children) for view in views)


def _shows_answers(question: Question) -> bool:
    texts = [*question.label.values(), *question.hint.values()]
    return any(references(text) for text in texts)


def rich(text: str, values: dict) -> Markup:
    """A label or hint as HTML: `render` escapes every character of the text before converting."""
    return Markup(render(text, values))  # noqa: S704 - built from escaped text and fixed tags only


def _answer_values(form: FormDefinition, wtform: FlaskForm) -> dict:
    return {q.name: wtform[q.name].data for q in form.questions() if q.is_input and q.name in wtform}


def _media_urls(form: FormDefinition, media: dict, lang: str) -> dict:
    urls = {}
    for kind, names in media.items():
        found = resolve(names, lang, form.default_language)
        # A recording in another language than the page's (or the questionnaire's own) is not played.
        if kind == "audio" and found.lang not in (lang, base_language(lang), form.default_language):
            continue
        name = found.text
        attachment = form.media_files.get(name)
        if attachment:
            urls[kind] = url_for("participants.form_media", sha256=attachment["sha256"], filename=name)
    return urls


def _view(form, wtform, question, lang, hidden=frozenset(), structure=None, *, values=None) -> QuestionView:
    if question.type == "repeat" and structure is not None:
        return repeat_view(form, question, lang, structure, "", structure.raw.get(question.name),
                           structure.scope)
    default = form.default_language
    view = QuestionView(
        question=question,
        label=resolve(question.label, lang, default),
        hint=resolve(question.hint, lang, default),
        wtfield=wtform[question.name] if question.is_input else None,
        constraint_message=resolve(question.constraint_message, lang, default).text,
        date_style="solar" if lang in SOLAR_HIJRI_LANGUAGES else "iso",
        hidden_at_start=question.name in hidden and question.type != "calculate",
    )
    view.answers = _answer_values(form, wtform) if values is None else values
    view.media = _media_urls(form, question.media, lang)
    if question.is_choice or question.type == "rank":
        view.options = [
            (choice.name, resolve(choice.label, lang, default) if choice.label else Resolved(choice.name, lang))
            for choice in form.choices_for(question)
        ]
        view.option_media = {choice.name: urls for choice in form.choices_for(question)
                             if (urls := _media_urls(form, choice.media, lang))}
    if structure is not None:
        _choices_on_page(view, form, structure, structure.scope, lang)
    view.children = [_view(form, wtform, child, lang, hidden, structure, values=view.answers)
                     for child in question.children]
    return view


@dataclass
class StructureState:
    """What the page knows of repeats and filters: raw answers, checked answers' scope, errors by path."""

    raw: dict
    scope: Scope
    errors: dict[str, FieldError]  # the errors the page shows
    hidden: set[str]
    today: str
    version: object = None  # the FormVersion drawn, whose long lists have files of their own
    searches: dict = field(default_factory=dict)  # what was typed in long lists' search boxes, by field


def structure_state(form: FormDefinition, raw: dict, outcome, today: datetime.date, shown: dict, *,
                    version=None, searches=None) -> StructureState:
    return StructureState(raw, answer_scope(form, outcome.answers), shown, outcome.hidden, iso_day(today),
                          version, searches or {})


def repeat_view(form, question, lang, state: StructureState, prefix: str, rows, scope) -> QuestionView:
    """A repeat with its instances drawn from the raw answers (as many as repeat_count asks, if set)."""
    default = form.default_language
    path = prefix + question.name
    rows = rows if isinstance(rows, list) else []
    checked = scope.values.get(question.name) if isinstance(scope.values.get(question.name), list) else []
    if question.repeat_count:
        rows = (rows + [{}] * len(checked))[:len(checked)]
    view = QuestionView(question=question, label=resolve(question.label, lang, default),
                        hint=resolve(question.hint, lang, default), path=path if prefix else "",
                        hidden_at_start=path in state.hidden)
    for number, row in enumerate(rows):
        inner = scope.inside(question.name, checked[number] if number < len(checked) else {}, number + 1)
        view.instances.append(Instance(number, f"{path}/{number}/",
                                       _instance_items(form, question.children, lang, state, f"{path}/{number}/",
                                                       row if isinstance(row, dict) else {}, inner)))
    empty = scope.inside(question.name, {}, len(rows) + 1)
    blank = StructureState({}, empty, {}, set(), state.today, state.version)
    view.template = Instance(-1, f"{path}/{NEW}/",
                             _instance_items(form, question.children, lang, blank, f"{path}/{NEW}/", {}, empty))
    return view


def _instance_items(form, items, lang, state: StructureState, prefix: str, row: dict, scope) -> list[QuestionView]:
    views = []
    for question in items:
        if question.type == "repeat":
            views.append(repeat_view(form, question, lang, state, prefix, row.get(question.name), scope))
            continue
        view = _instance_view(form, question, lang, state, prefix, row, scope)
        view.children = _instance_items(form, question.children, lang, state, prefix, row, scope)
        views.append(view)
    return views


def _instance_view(form, question, lang, state: StructureState, prefix: str, row: dict, scope) -> QuestionView:
    default, path = form.default_language, prefix + question.name
    error = state.errors.get(path)
    value = row.get(question.name, _default_of(question))
    view = QuestionView(
        question=question, label=resolve(question.label, lang, default), hint=resolve(question.hint, lang, default),
        wtfield=InstanceField(value, [error_text(form, error, lang)] if error else []) if question.is_input else None,
        constraint_message=resolve(question.constraint_message, lang, default).text,
        date_style="solar" if lang in SOLAR_HIJRI_LANGUAGES else "iso",
        hidden_at_start=path in state.hidden and question.type != "calculate", path=path)
    if question.is_choice:
        view.options = _options(form, question, lang)
    _choices_on_page(view, form, state, scope, lang)
    return view


def _choices_on_page(view, form, state: "StructureState", scope, lang: str) -> None:
    """Mark the options a filter takes away, or keep only those a long list's search and filter pick."""
    if not is_long(form, view.question):
        filtered_options(view, form, scope, state.today)
        return
    url = list_url(state.version, view.question.list_name, lang) if state.version is not None else None
    long_options(view, form, scope, state.today, state.searches.get(view.name, ""), url)


def _default_of(question: Question):
    if question.default is None or not question.is_input:
        return None
    return question.default.split() if question.type == "select_multiple" else question.default


def _options(form, question, lang) -> list:
    default = form.default_language
    return [(choice.name, resolve(choice.label, lang, default) if choice.label else Resolved(choice.name, lang))
            for choice in form.choices_for(question)]


def error_text(form: FormDefinition, error: FieldError, lang: str) -> str:
    """An engine error in the participant's language: the form's own message, else the interface's words."""
    own = resolve(error.message, lang, form.default_language)
    words = error_messages()
    return own.text if own else words.get(error.code, words["constraint"])
