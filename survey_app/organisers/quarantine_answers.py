"""One field per answer when fixing a quarantined record, instead of a box of raw JSON.

The fields are the questionnaire's own questions, typed (a list of options for a choice, a
number keyboard for a number). An answer the questionnaire has no question for, or a value
that is not a plain one (a phone bug may send an object), stays in the JSON box below the
fields, so nothing the phone sent is dropped from the corrected copy. A value that does not
fit its question (the text "سی" for an age) is shown as it came, to be corrected.
"""

from dataclasses import dataclass
from dataclasses import field

from werkzeug.datastructures import MultiDict

from ..engine.definition import FormDefinition
from ..engine.texts import Resolved
from ..engine.texts import resolve

SINGLE = "a-"  # one value: a text box or a list of options
MULTIPLE = "m-"  # several values: checkboxes
NUMBERS = {"integer": "numeric", "decimal": "decimal"}


@dataclass
class AnswerField:
    """A question of the questionnaire with the answer to correct."""

    name: str
    type: str
    label: Resolved
    value: str = ""
    values: list[str] = field(default_factory=list)
    options: list[tuple[str, Resolved]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def input_name(self) -> str:
        return (MULTIPLE if self.type == "select_multiple" else SINGLE) + self.name

    @property
    def inputmode(self) -> str | None:
        return NUMBERS.get(self.type)

    @property
    def unknown_values(self) -> list[str]:
        """Values sent that are not among the options, offered so that they are not lost silently."""
        known = {name for name, _label in self.options}
        sent = self.values if self.type == "select_multiple" else [self.value] if self.value else []
        return [value for value in sent if value not in known]


def _fits(value, question_type: str) -> bool:
    if question_type == "select_multiple":
        return isinstance(value, list) and all(isinstance(v, str | int) for v in value) or isinstance(value, str)
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def answer_fields(definition: FormDefinition, answers: dict, lang: str) -> list[AnswerField]:
    """A field for every question that takes an answer, filled with what was sent where it fits."""
    fields = []
    default = definition.default_language
    for question in definition.questions():
        if not question.is_input:
            continue
        item = AnswerField(question.name, question.type, resolve(question.label, lang, default))
        if question.is_choice:
            item.options = [(c.name, resolve(c.label, lang, default) if c.label else Resolved(c.name, lang))
                            for c in definition.choices_for(question)]
        sent = answers.get(question.name)
        if sent is not None and _fits(sent, question.type):
            if question.type == "select_multiple":
                item.values = sent.split() if isinstance(sent, str) else [str(v) for v in sent]
            else:
                item.value = str(sent)
        fields.append(item)
    return fields


def left_over(definition: FormDefinition | None, answers: dict) -> dict:
    """The answers that have no field of their own: shown and corrected as JSON."""
    if definition is None:
        return dict(answers)
    types = {q.name: q.type for q in definition.questions() if q.is_input}
    return {key: value for key, value in answers.items() if key not in types or not _fits(value, types[key])}


def typed_answers(form: MultiDict) -> dict:
    """Read the answer fields of a submitted page: empty ones are left unanswered."""
    answers = {}
    for key in form:
        if key.startswith(SINGLE) and form.get(key, "").strip():
            answers[key[len(SINGLE):]] = form.get(key).strip()
        elif key.startswith(MULTIPLE):
            picked = [value for value in form.getlist(key) if value]
            if picked:
                answers[key[len(MULTIPLE):]] = picked
    return answers


def shown_questions(form: MultiDict) -> set[str]:
    """The questions that had a field on the submitted page."""
    return {key[2:] for key in form if key.startswith((SINGLE, MULTIPLE))}


def with_typed(fields: list[AnswerField], typed: dict) -> list[AnswerField]:
    """Fill fields with what the organiser typed, so a refused page keeps their corrections."""
    for item in fields:
        item.value, item.values = "", []
        sent = typed.get(item.name)
        if isinstance(sent, list):
            item.values = sent
        elif sent is not None:
            item.value = sent
    return fields
