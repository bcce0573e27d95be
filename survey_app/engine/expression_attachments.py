"""Files attached to a questionnaire (CSV rows by file name), as pulldata() reads them.

A form version carries its attachments in its own document (``attachments: {file name: [rows]}``,
each row a mapping of column to text), so the server and the phone read the same rows. The
XLSForm import fills them from the CSV files that come with the form; a YAML questionnaire may
list them itself. ``pulldata('file.csv', column, key column, key)`` gives '' for a file the
questionnaire does not have; the loader refuses such a questionnaire, naming the question.
"""

from __future__ import annotations

from .definition import FormDefinition
from .expression_parser import ExpressionError
from .expression_parser import Node
from .expression_parser import parse

MAX_ROWS = 20_000  # per file: the rows travel to every phone with the form
_FIELDS = ("relevant", "constraint", "required", "calculation", "choice_filter", "repeat_count")


def read_attachments(raw, problems: list[str]) -> dict[str, tuple[dict[str, str], ...]]:
    """The attachments of a questionnaire document, noting what is wrong with them."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append("attachments must be a mapping of file name to a list of rows")
        return {}
    files = {}
    for name, rows in raw.items():
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            problems.append(f"attachment '{name}' must be a list of rows (mappings of column to text)")
            continue
        if len(rows) > MAX_ROWS:
            problems.append(f"attachment '{name}' has {len(rows)} rows, more than {MAX_ROWS}")
            continue
        files[str(name)] = tuple({str(k): "" if v is None else str(v) for k, v in row.items()} for row in rows)
    return files


def attachment_problems(form: FormDefinition) -> list[str]:
    """Every pulldata() naming, as a literal, a file the questionnaire has not got."""
    problems = []
    for question in form.questions():
        for field in _FIELDS:
            text = getattr(question, field, None)
            for file in _pulled_files(text) if isinstance(text, str) and text else ():
                if file not in form.attachments:
                    problems.append(f"question '{question.name}': {field} reads pulldata('{file}'), "
                                    "but the questionnaire has no attached file of that name")
    return problems


def _pulled_files(text: str) -> list[str]:
    try:
        stack: list[Node] = [parse(text)]
    except ExpressionError:
        return []  # the loader reports the expression itself
    files = []
    while stack:
        node = stack.pop()
        if node.kind == "call" and node.value == "pulldata" and node.args[0].kind == "str":
            files.append(str(node.args[0].value))
        stack.extend(node.args)
    return files


def choice_labels(form: FormDefinition) -> dict[str, dict[str, str]]:
    """Each choice question's options with their label in the default language, for jr:choice-name()."""
    labels = {}
    for question in form.questions():
        if question.list_name:
            labels[question.name] = {
                choice.name: choice.label.get(form.default_language) or next(iter(choice.label.values()), "")
                for choice in form.choices.get(question.list_name, ())
            }
    return labels
