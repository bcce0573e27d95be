"""Check the answers of a questionnaire with repeats or choice filters, one rule at a time.

A flat questionnaire is compiled into one function (``compiled_form``); one with repeats is read
rule by rule here, in the same order and to the same outcome (``tests/test_structured_check.py``
holds both to it on flat questionnaires):

1. every raw answer is typed, instances of repeats too (a repeat's answer is a list of instances,
   each a mapping of its questions' answers);
2. the items in document order, each in its own scope (``scopes``): hidden drops the answer (a
   hidden repeat drops every instance), a calculation computes, a repeat fixes its number of instances
   (``repeat_count``) and checks each instance in turn, an input gets its format error, required rule,
   choice filter and constraint;
3. the answers shown and not empty are kept, instances as lists of mappings.

Errors and hidden items inside an instance are named by their path: ``repeat/0/question``, the
index counted from 0, the way the server-rendered page names its fields.
"""

from collections.abc import Callable

from .choice_filter import allowed
from .compiled_form import calculated
from .definition import FormDefinition
from .definition import Question
from .expression_values import to_num
from .expression_values import truthy
from .scopes import RepeatIndex
from .scopes import Scope
from .scopes import evaluate_in

MAX_INSTANCES = 200


def compile_structured(form: FormDefinition, *, readers: dict[str, Callable], field_error: type,
                       invalid_value: type, outcome: type) -> Callable:
    """Return check(raw answers, today as YYYY-MM-DD) -> outcome, as ``compile_form`` does."""
    index = RepeatIndex(form)
    options = {question.name: {choice.name: choice for choice in form.choices_for(question)}
               for question, _ in form.walk_all() if question.choice_filter}

    def check(raw, today):
        run = _Run(options, readers, field_error, invalid_value, today)
        values = run.typed(form.survey, raw if isinstance(raw, dict) else {}, "")
        run.rules(form.survey, Scope(index, values), "")
        return outcome(_kept(form.survey, values), run.errors, sorted(run.unknown), run.hidden)

    return check


def _level(items, parents=()):
    """The items of one level (a repeat's instance or the top) with their groups; repeats not entered."""
    for item in items:
        yield item, parents
        if item.type == "group":
            yield from _level(item.children, (*parents, item))


def _empty(value) -> bool:
    return value is None or value == "" or value == []


class _Run:
    def __init__(self, options, readers, field_error, invalid_value, today) -> None:
        self.options, self.readers, self.today = options, readers, today  # options: of filtered questions
        self.field_error, self.invalid_value = field_error, invalid_value
        self.errors: dict = {}
        self.format_errors: dict = {}
        self.hidden: set[str] = set()
        self.unknown: list[str] = []

    def typed(self, items, raw: dict, path: str) -> dict:
        """Type one level's raw answers (instances of repeats too), noting format errors by path."""
        values, names = {}, set()
        for question, _ in _level(items):
            names.add(question.name)
            if question.is_input:
                values[question.name] = self.read(question, raw.get(question.name), path)
            elif question.type == "repeat":
                values[question.name] = self.instances(question, raw.get(question.name), path)
        self.unknown += [path + key for key in raw.keys() - names]
        return values

    def read(self, question: Question, value, path: str):
        if isinstance(value, str):
            value = value.strip()
        if _empty(value):
            return None
        reader = self.readers.get(question.name)
        if reader is None:
            return value
        try:
            return reader(value)
        except self.invalid_value as exc:
            self.format_errors[path + question.name] = self.field_error(exc.args[0])
            return None

    def instances(self, repeat: Question, rows, path: str) -> list[dict]:
        key = path + repeat.name
        if _empty(rows):
            return []
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            self.format_errors[key] = self.field_error("text")
            return []
        if len(rows) > MAX_INSTANCES:
            self.format_errors[key] = self.field_error("too_long")
            rows = rows[:MAX_INSTANCES]
        return [self.typed(repeat.children, row, f"{key}/{number}/") for number, row in enumerate(rows)]

    def rules(self, items, scope: Scope, path: str) -> None:
        """Apply relevance, calculations, repeat counts and checks in document order."""
        hidden_here: set[str] = set()
        values = scope.values
        for question, parents in _level(items):
            name, key = question.name, path + question.name
            if any(parent.name in hidden_here for parent in parents) or (
                    question.relevant and not truthy(evaluate_in(question.relevant, scope, today=self.today))):
                hidden_here.add(name)
                self.hidden.add(key)
                values.pop(name, None)
            elif question.type == "calculate" and question.calculation:
                values[name] = calculated(evaluate_in(question.calculation, scope, today=self.today))
            elif question.type == "repeat":
                self.repeat(question, scope, key)
            elif key in self.format_errors:
                self.errors[key] = self.format_errors[key]
            elif question.is_input:
                self.check_input(question, scope, key)

    def repeat(self, question: Question, scope: Scope, key: str) -> None:
        instances = scope.values.get(question.name) or []
        if question.repeat_count:
            wanted = to_num(evaluate_in(question.repeat_count, scope, today=self.today))
            wanted = int(max(0, min(MAX_INSTANCES, wanted))) if wanted == wanted else 0
            instances = instances[:wanted] + [{} for _ in range(wanted - len(instances))]
        elif key in self.format_errors:
            self.errors[key] = self.format_errors[key]
        scope.values[question.name] = instances
        for number, instance in enumerate(instances):
            self.rules(question.children, scope.inside(question.name, instance, number + 1), f"{key}/{number}/")

    def check_input(self, question: Question, scope: Scope, key: str) -> None:
        value = scope.values.get(question.name)
        if _empty(value):
            if question.required and truthy(evaluate_in(question.required, scope, today=self.today)):
                self.errors[key] = self.field_error("required", question.required_message)
        elif question.choice_filter and not self.offered(question, scope, value):
            self.errors[key] = self.field_error("choice")
        elif question.constraint and not truthy(evaluate_in(question.constraint, scope, current=value,
                                                            today=self.today)):
            self.errors[key] = self.field_error("constraint", question.constraint_message)

    def offered(self, question: Question, scope: Scope, value) -> bool:
        """Whether the filter allows every option picked (only those are evaluated: lists can be long)."""
        by_name = self.options[question.name]
        picked = [by_name[item] for item in (value if isinstance(value, list) else [value]) if item in by_name]
        return len(allowed(question.choice_filter, picked, scope, today=self.today)) == len(picked)


def _kept(items, values: dict) -> dict:
    """The answers shown and not empty: inputs and repeats in document order, then calculations."""
    answers, calculations = {}, {}
    for question, _ in _level(items):
        value = values.get(question.name)
        if question.type == "repeat" and value:
            answers[question.name] = [_kept(question.children, instance) for instance in value]
        elif question.is_input and not _empty(value):
            answers[question.name] = value
        elif question.type == "calculate" and not _empty(value):
            calculations[question.name] = value
    return {**answers, **calculations}
