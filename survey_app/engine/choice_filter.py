"""Cascading selects: which options of a list a question offers, given the answers so far.

An XLSForm ``choice_filter`` such as ``district=${region}`` is an expression evaluated once per
option, where a bare name (``district``, ``name``) is a column of that option's row. The expression
language knows only ``${answers}``, so a bare name is written as a reference in a namespace no
question may use (``${__choice.district}``) and each option's columns are put in front of the
answers. The phone evaluates the same written form (``static/js/choice-filter.js``), and both are
held to ``tests/data/choice_filter_vectors.json``.
"""

from collections import ChainMap
from collections.abc import Mapping
from functools import lru_cache

from .definition import Choice
from .expression_parser import _BINARY_PRECEDENCE
from .expression_parser import _tokenize
from .expressions import evaluate_bool

PREFIX = "__choice."  # question names may not start with "__" (see loader)


@lru_cache(maxsize=1024)
def written(choice_filter: str) -> str:
    """The filter with each bare column name written as a ${__choice.column} reference."""
    tokens = _tokenize(choice_filter)
    parts, last = [], 0
    for token, following in _pairs(tokens):
        if not _is_column(token, following):
            continue
        parts += [choice_filter[last:token.pos], "${", PREFIX, str(token.value), "}"]
        last = token.pos + len(str(token.value))
    parts.append(choice_filter[last:])
    return "".join(parts)


def columns(choice: Choice) -> dict:
    """An option's columns as the filter reads them: name, label in no language, then the extra columns."""
    return {f"{PREFIX}{key}": value for key, value in {"name": choice.name, **choice.data}.items()}


def allowed(choice_filter: str | None, choices, answers: Mapping, *, today=None) -> list[Choice]:
    """The options a filtered question offers with these answers (all of them without a filter)."""
    if not choice_filter:
        return list(choices)
    expression = written(choice_filter)
    return [choice for choice in choices
            if evaluate_bool(expression, ChainMap(columns(choice), answers), today=today)]


def column_names(choice_filter: str) -> set[str]:
    """The bare names a filter reads from the option rows (to check them against the list's columns)."""
    return {str(token.value) for token, following in _pairs(_tokenize(choice_filter)) if _is_column(token, following)}


def _is_column(token, following) -> bool:
    """A word that is neither an operator (and, div...) nor a function (followed by a parenthesis)."""
    if token.kind != "word" or token.value in _BINARY_PRECEDENCE:
        return False
    return not (following.kind == "sym" and following.value == "(")


def _pairs(tokens):
    return zip(tokens, tokens[1:], strict=False)
