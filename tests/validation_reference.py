"""The plain validation walk the compiled questionnaires are checked against (see test_compiled_form).

It is the rule-by-rule reading of a questionnaire that validation did before each questionnaire was
compiled into one Python function: kept here only as an oracle, deliberately simple and slow.
"""

import datetime

from survey_app.engine.definition import FormDefinition
from survey_app.engine.expressions import evaluate
from survey_app.engine.expressions import evaluate_bool
from survey_app.engine.validation import FieldError
from survey_app.engine.validation import InvalidValue
from survey_app.engine.validation import Outcome
from survey_app.engine.validation import typed_reader


def reference_validate(form: FormDefinition, raw: dict, *, today: datetime.date) -> Outcome:
    """Type every answer, then walk the questions in order: relevance, calculation, required, constraint."""
    walked = list(form.walk())
    names = {question.name for question, _ in walked}
    outcome = Outcome(unknown=sorted(raw.keys() - names))
    values, format_errors = {}, {}
    for question, _ in walked:
        if question.is_input:
            try:
                values[question.name] = read(question, [c.name for c in form.choices_for(question)],
                                             raw.get(question.name))
            except InvalidValue as exc:
                values[question.name] = None
                format_errors[question.name] = FieldError(exc.args[0])
    hidden = set()
    for question, parents in walked:
        name = question.name
        if any(parent.name in hidden for parent in parents) or (
                question.relevant and not evaluate_bool(question.relevant, values, today=today)):
            hidden.add(name)
            values.pop(name, None)
        elif question.type == "calculate" and question.calculation:
            values[name] = _calculated(evaluate(question.calculation, values, today=today))
        elif name in format_errors:
            outcome.errors[name] = format_errors[name]
        elif question.is_input and is_empty(values.get(name)):
            if question.required and evaluate_bool(question.required, values, today=today):
                outcome.errors[name] = FieldError("required", question.required_message)
        elif question.is_input and question.constraint and not evaluate_bool(
                question.constraint, values, current=values[name], today=today):
            outcome.errors[name] = FieldError("constraint", question.constraint_message)
    outcome.answers = {k: v for k, v in values.items() if not is_empty(v)}
    outcome.hidden = hidden
    return outcome


def is_empty(value) -> bool:
    return value is None or value == "" or value == []


def read(question, choices, value):
    """One raw answer typed: text stripped, an empty answer None, the question's reader for the rest."""
    if isinstance(value, str):
        value = value.strip()
    if is_empty(value):
        return None
    typed = typed_reader(question, choices)
    return typed(value) if typed else value


def _calculated(result):
    if isinstance(result, float):
        if result != result or result in (float("inf"), float("-inf")):
            return None
        if result.is_integer():
            return int(result)
    return result
