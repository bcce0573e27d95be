"""Build a Flask-WTF form class, and what a template needs, from a questionnaire.

The engine decides what is valid; the form class gives CSRF protection, keeps what was
typed when the page comes back with errors, and holds each question's error messages.
"""

import datetime
from dataclasses import dataclass
from dataclasses import field

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import Field
from wtforms import HiddenField
from wtforms import RadioField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField

from .engine.definition import FormDefinition
from .engine.definition import Question
from .engine.texts import SOLAR_HIJRI_LANGUAGES
from .engine.texts import Resolved
from .engine.texts import resolve
from .engine.validation import FieldError
from .i18n import solar_hijri_input

META_FIELDS = ("submission_uuid", "form_version", "started_at")


def error_messages() -> dict[str, str]:
    """Return the interface's words for each engine error code, in the current language."""
    return {
        "required": _("This question needs an answer."),
        "constraint": _("This answer is not allowed here."),
        "integer": _("Please write a whole number, for example 12."),
        "decimal": _("Please write a number, for example 2.5."),
        "date": _("Please write a date as year/month/day."),
        "choice": _("Please pick one of the options."),
        "too_long": _("This answer is too long."),
        "text": _("This answer could not be read."),
        "characters": _("This answer holds an invisible control character that cannot be saved. "
                        "Please delete it, or type the answer again instead of pasting it."),
        "summary": _("Some answers need checking. They are marked below."),
    }


def build_form_class(form: FormDefinition) -> type[FlaskForm]:
    """Return a FlaskForm subclass with one field per question that takes an answer."""
    attributes = {name: HiddenField() for name in META_FIELDS}
    for question, _parents in form.walk():
        if question.is_input:
            attributes[question.name] = _field_for(form, question)
    return type(f"{form.form_id}_form", (FlaskForm,), attributes)


def _field_for(form: FormDefinition, question: Question) -> Field:
    options = [choice.name for choice in form.choices_for(question)]
    if question.type in ("select_one", "rating"):
        return RadioField(choices=options, validate_choice=False)
    if question.type == "select_multiple":
        return SelectMultipleField(choices=options, validate_choice=False)
    if question.type == "text" and "multiline" in question.appearance:
        return TextAreaField()
    return StringField()


def default_values(form: FormDefinition, lang: str, today: datetime.date) -> dict:
    """Return the starting value of each question that has a default, as its field shows it."""
    values = {}
    for question in form.questions():
        if not question.is_input or question.default is None:
            continue
        value = question.default
        if question.type == "date" and value in ("today", "today()"):
            value = today.isoformat()
        if question.type == "date" and lang in SOLAR_HIJRI_LANGUAGES:
            value = solar_hijri_input(value)
        values[question.name] = value.split() if question.type == "select_multiple" else value
    return values


def raw_answers(form: FormDefinition, formdata) -> dict:
    """Collect the posted answers as the engine expects them (lists for multiple choice)."""
    answers = {}
    for question in form.questions():
        if question.type == "select_multiple":
            answers[question.name] = formdata.getlist(question.name)
        elif question.is_input:
            answers[question.name] = formdata.get(question.name, "")
    return answers


def attach_errors(wtform: FlaskForm, form: FormDefinition, errors: dict[str, FieldError], lang: str) -> None:
    """Put each engine error next to its question, in the participant's language."""
    words = error_messages()
    for name, error in errors.items():
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

    @property
    def name(self) -> str:
        return self.question.name

    @property
    def kind(self) -> str:
        return self.question.type


def question_views(form: FormDefinition, wtform: FlaskForm, lang: str,
                   hidden: frozenset[str] | set[str] = frozenset()) -> list[QuestionView]:
    """Describe the questionnaire's items for the template, texts resolved with fallbacks.

    `hidden` names the items that are not relevant with the answers the page starts with: the
    page draws them hidden, so a slow phone does not show them until its scripts arrive (and a
    browser without scripts shows them all, through the page's <noscript> style sheet).
    """
    return [_view(form, wtform, question, lang, hidden) for question in form.survey]


def _view(form, wtform, question, lang, hidden=frozenset()) -> QuestionView:
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
    if question.is_choice:
        view.options = [
            (choice.name, resolve(choice.label, lang, default) if choice.label else Resolved(choice.name, lang))
            for choice in form.choices_for(question)
        ]
    view.children = [_view(form, wtform, child, lang, hidden) for child in question.children]
    return view
