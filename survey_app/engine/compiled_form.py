"""A questionnaire compiled into one Python function that checks a record's answers.

Validation is the server's main cost when a thousand records arrive in one batch, and a
questionnaire never changes once published: so each version is written once as straight-line
Python (every question a local variable, every rule an inline expression) and the function is
reused for every record. The order of the work is the order ``validation`` documents:

1. every input question's raw answer is typed by its reader (format errors noted);
2. the questions in document order: hidden (its group hidden, or its relevance false) drops
   the answer; a calculation computes its value; an input answered wrongly gets its format
   error, an empty one its required rule, a filled one its constraint;
3. the answers shown and not empty are kept: inputs in order, then calculations.

The generated source holds only identifiers made here (see ``expression_source``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from .definition import FormDefinition
from .definition import Question
from .expression_attachments import choice_labels
from .expression_functions import Context
from .expression_instances import instances_for
from .expression_parser import parse
from .expression_source import SourceWriter
from .expression_source import build
from .expression_source import factory_header
from .expression_values import Nodeset
from .expression_values import to_str

MEMO_TYPES = frozenset({"rating", "select_one", "integer", "decimal", "date"})  # typed values: int, float, str
MEMO_SIZE = 512
NUMBER_TYPES = frozenset({"rating", "integer", "decimal", "range"})  # typed as int or float (or None when empty)
_MISSING = object()


def compile_form(form: FormDefinition, *, readers: dict[str, Callable], field_error: type,
                 invalid_value: type, outcome: type) -> Callable:
    """Return check(raw answers, today as YYYY-MM-DD) -> outcome for this questionnaire.

    readers maps each input question's name to the reader of its non-empty answers (raw value ->
    typed value, or raise invalid_value(code)), or to None where the value is kept as sent;
    field_error and outcome are the result types of ``validation``.
    """
    return _FormWriter(form, readers, field_error).function(invalid_value=invalid_value, outcome=outcome)


class _FormWriter:
    def __init__(self, form: FormDefinition, readers: dict[str, Callable], field_error: type) -> None:
        self.field_error = field_error
        self.form = form
        self.walked = list(form.walk())
        self.local = {question.name: f"a{n}" for n, (question, _) in enumerate(self.walked)}
        numbers = frozenset(self.local[question.name] for question, _ in self.walked if question.type in NUMBER_TYPES)
        self.writer = SourceWriter(ref=lambda name: self.local.get(name, "None"), numbers=numbers)
        self.readers = readers
        self.lines: list[str] = []

    def constant(self, value) -> str:
        return self.writer.constant(value)

    def emit(self, indent: int, *lines: str) -> None:
        self.lines.extend("    " * indent + line for line in lines)

    def condition(self, indent: int, text: str, current: str = "None") -> str:
        """Emit what an expression needs beforehand; return the source of its yes/no."""
        hoisted: list[str] = []
        source = self.writer.condition(parse(text), current, hoisted)
        self.emit(indent, *hoisted)
        return source

    def function(self, *, invalid_value, outcome) -> Callable:
        form_attachments, labels = self.form.attachments, choice_labels(self.form)
        inputs = [question for question, _ in self.walked if question.is_input]
        calculations = [question for question, _ in self.walked if question.type == "calculate"]
        names = frozenset(self.local)
        tables = (f"attachments={self.constant(form_attachments)}, choice_labels={self.constant(labels)}, "
                  f"instances={self.constant(instances_for(self.form))}")
        self.emit(2, f"ctx = _Context(today, {tables})", "errors = {}", "hidden = set()", "format_errors = {}",
                  f"unknown = sorted(unknown) if (unknown := raw.keys() - {self.constant(names)}) else []")
        for question, _ in self.walked:
            if not question.is_input:
                self.emit(2, f"{self.local[question.name]} = None")
        for question in inputs:
            self.read(question)
        for question, parents in self.walked:
            self.step(question, parents)
        self.emit(2, "answers = {}")
        for question in [*inputs, *calculations]:
            local = self.local[question.name]
            self.emit(2, f"if {local} is not None and {local} != '' and {local} != []:",
                      f"    answers[{self.constant(question.name)}] = {local}")
        self.emit(2, "return _Outcome(answers, errors, unknown, hidden)")
        special = {"_MISSING": _MISSING, "_FieldError": self.field_error, "_InvalidValue": invalid_value,
                   "_Outcome": outcome, "_calculated": calculated, "_Context": Context}
        constants = {**self.writer.constants, **special}
        source = "\n".join([factory_header(constants), "    def check(raw, today):", *self.lines,
                            "    return check"])
        return build(source, constants, "<questionnaire>")

    def read(self, question: Question) -> None:
        """Type one raw answer: text is stripped, empty means None, the reader does the rest.

        A code, number or date typed as text has few distinct values in a batch (ratings 1-5, a few
        options, ages), so the typed value of each text read without error is remembered (MEMO_SIZE
        per question at most; only values that cannot be changed in place).
        """
        local, name = self.local[question.name], self.constant(question.name)
        reader = self.readers[question.name]
        memo = self.constant({}) if question.type in MEMO_TYPES and reader is not None else None
        self.emit(2, f"sent = raw.get({name})")
        indent = 2
        if memo:
            self.emit(2, f"{local} = {memo}.get(sent, _MISSING) if type(sent) is str else _MISSING",
                      f"if {local} is _MISSING:")
            indent = 3
        self.emit(indent, "value = sent.strip() if isinstance(sent, str) else sent",
                  "if value is None or value == '' or value == []:", f"    {local} = None")
        if reader is None:
            self.emit(indent, "else:", f"    {local} = value")
            return
        self.emit(indent, "else:", "    try:", f"        {local} = {self.constant(reader)}(value)",
                  "    except _InvalidValue as exc:", f"        {local} = None",
                  f"        format_errors[{name}] = _FieldError(exc.args[0])")
        if memo:
            self.emit(indent, "    else:", f"        if type(sent) is str and len({memo}) < {MEMO_SIZE}:",
                      f"            {memo}[sent] = {local}")

    def step(self, question: Question, parents: tuple[Question, ...]) -> None:
        local, name = self.local[question.name], self.constant(question.name)
        hidden_by = [f"{self.local[parent.name]}_hidden" for parent in parents]
        flag = f"{local}_hidden"
        self.emit(2, f"{flag} = {' or '.join(hidden_by) if hidden_by else 'False'}")
        if question.relevant:
            self.emit(2, f"if not {flag}:")
            self.emit(3, f"{flag} = not {self.condition(3, question.relevant)}")
        self.emit(2, f"if {flag}:", f"    hidden.add({name})", f"    {local} = None")
        if question.type == "calculate" and question.calculation:
            self.emit(2, "else:")
            hoisted: list[str] = []
            current = f"_normalize(raw.get({name}))"  # what was sent, for once() and `.`
            source = self.writer.expression(parse(question.calculation), current, hoisted)
            self.emit(3, *hoisted, f"{local} = _calculated({source})")
        elif question.is_input:
            self.emit(2, f"elif format_errors and {name} in format_errors:",
                      f"    errors[{name}] = format_errors[{name}]")
            empty = f"{local} is None or {local} == '' or {local} == []"
            if question.required:
                self.emit(2, f"elif {empty}:")
                self.emit(3, f"if {self.condition(3, question.required)}:",
                          f"    errors[{name}] = {self.constant_error('required', question.required_message)}")
            if question.constraint:
                self.emit(2, "else:" if question.required else f"elif not ({empty}):")
                self.emit(3, f"if not {self.condition(3, question.constraint, current=local)}:",
                          f"    errors[{name}] = "
                          f"{self.constant_error('constraint', question.constraint_message)}")

    def constant_error(self, code: str, message: dict) -> str:
        """A rule's error: made once (it is immutable) and handed to every record that breaks the rule."""
        return self.constant(self.field_error(code, message))


def calculated(result):
    """A calculation's value as stored: whole floats become integers, NaN and infinities nothing.

    A lookup (instance(...)/root/item[...]/label) is a nodeset: its first value is kept, as text.
    """
    if isinstance(result, Nodeset):
        return to_str(result)
    if isinstance(result, float):
        if not math.isfinite(result):
            return None
        if result.is_integer():
            return int(result)
    return result
