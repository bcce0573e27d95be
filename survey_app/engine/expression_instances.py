"""``instance('list')/root/item[predicate]/column``: reading a questionnaire's lists in expressions.

Real XLSForms look up a choice list or an attached CSV from a calculation, as in
``instance('districts')/root/item[name=${district}]/label`` or
``count(instance('villages')/root/item[district=${district}])``. An instance is a choice list (each
item: ``name``, ``label`` in the default language and the list's other columns) or a CSV file
(by its name without ``.csv``, each row an item). The value is a ``Nodeset`` of the column's values
of the items the predicate keeps (their names when no column is given), so ``count``, ``sum`` and
the first value (XPath 1.0) follow. Bounded: a list holds at most ``MAX_ITEMS`` items and the
parser bounds a predicate's depth, so one lookup costs at most that many short evaluations.
The phone does the same (``static/js/expressions.js``), held to ``tests/data/expression_vectors.json``.
"""

from __future__ import annotations

from .expression_parser import ExpressionError
from .expression_parser import parse
from .expression_values import Nodeset
from .expression_values import truthy

MAX_ITEMS = 20_000


def instance_items(ctx, name: str, column: str | None, predicate) -> Nodeset:
    """The values of a column (or the names) of an instance's items the predicate keeps."""
    items = ctx.instances.get(name, ())
    key = column or "name"
    kept = []
    for item in items[:MAX_ITEMS]:
        if predicate is None or truthy(predicate(item)):
            value = item.get(key)
            kept.append("" if value is None else value)
    return Nodeset(kept)


def form_instances(form) -> dict[str, list[dict[str, str]]]:
    """Every instance a questionnaire's expressions may read: its choice lists, then its CSV files."""
    instances = {}
    for list_name, choices in form.choices.items():
        instances[list_name] = [
            {"name": choice.name, "label": choice.label.get(form.default_language)
             or next(iter(choice.label.values()), ""), **choice.data} for choice in choices]
    for file_name, rows in form.attachments.items():
        instances.setdefault(file_name.removesuffix(".csv"), [dict(row) for row in rows])
    return instances


_FIELDS = ("relevant", "constraint", "required", "calculation", "choice_filter", "repeat_count")


def used_instances(form) -> set[str]:
    """The names of the instances a questionnaire's expressions read (the phone gets only those)."""
    texts = [getattr(question, field, None) for question, _ in form.walk_all() for field in _FIELDS]
    names: set[str] = set()
    for text in [*texts, getattr(form, "instance_name", None)]:
        if not (isinstance(text, str) and "instance" in text):
            continue
        try:
            stack = [parse(text)]
        except ExpressionError:
            continue
        while stack:
            node = stack.pop()
            if node.kind == "instance":
                names.add(node.value[0])
            stack.extend(node.args)
    return names


def uses_instances(form) -> bool:
    return bool(used_instances(form))


def instances_for(form) -> dict[str, list[dict[str, str]]]:
    """The instances a questionnaire reads, for the server's context and the phone's tables."""
    used = used_instances(form)
    return {name: items for name, items in form_instances(form).items() if name in used} if used else {}
