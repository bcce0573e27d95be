"""Write an expression as Python source, so a questionnaire's rules run as plain Python code.

A closure per tree node costs a call per node on every evaluation; the same tree written
as one Python expression lets CPython do the work in a few bytecodes. Validation writes a
whole questionnaire this way (``compiled_form``) and ``expressions.evaluate`` writes a single
expression, so both run exactly the same code for the same rule.

Nothing from the questionnaire is ever written into the source: names and literals are
handed in as values (``SourceWriter.constant``), the source only holds identifiers this
module makes up, so a definition cannot inject code. Evaluation has no side effects and
never raises, so a deep subexpression may be computed ahead into a temporary (``hoisted``)
without changing the result; that keeps every line far below CPython's nesting limits.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping

from . import expression_values as values
from .expression_parser import Node

HOIST_EVERY = 8  # tree levels kept on one line at most

# What the written source may call, under the names it uses.
HELPERS: dict[str, object] = {
    "_NAN": values.NAN,
    "_truthy": values.truthy,
    "_to_num": values.to_num,
    "_to_str": values.to_str,
    "_equal": values.equal,
    "_compare": values.compare,
    "_items": values.items,
    "_regex": values.regex,
    "_round": values.round_away,
    "_trunc": values.trunc,
    "_div": values.div,
    "_mod": values.mod,
    "_lookup": lambda answers, name: (
        values.normalize(answers.get(name)) if type(answers) is dict or isinstance(answers, Mapping) else None),
    "_coalesce": lambda a, b: b if values.is_empty(a) else a,
    "_concat": lambda *parts: "".join(values.to_str(part) for part in parts),
}

# Functions of the language as source templates; {0}, {1}... are the arguments' source.
_CALLS: dict[str, str] = {
    "not": "(not _truthy({0}))",
    "selected": "(_to_str({1}) in _items({0}))",
    "count-selected": "float(len(_items({0})))",
    "string-length": "float(len(_to_str({0})))",
    "regex": "_regex({0}, {1})",
    "number": "_to_num({0})",
    "int": "_trunc(_to_num({0}))",
    "string": "_to_str({0})",
    "true": "True",
    "false": "False",
    "coalesce": "_coalesce({0}, {1})",
}
_VARIADIC = {"round": "_round", "concat": "_concat"}  # their arguments, comma-separated
FUNCTIONS = frozenset({*_CALLS, *_VARIADIC, "today", "if"})  # every function of the language is written here
_FLOAT_CALLS = frozenset({"count-selected", "string-length", "number", "int", "round"})  # always a float
_ARITHMETIC = {"+": "({0} + {1})", "-": "({0} - {1})", "*": "({0} * {1})", "div": "_div({0}, {1})",
               "mod": "_mod({0}, {1})"}
_PYTHON_COMPARE = {"<": "<", "<=": "<=", ">": ">", ">=": ">="}


class SourceWriter:
    """Writes expressions for one generated function: its constants, temporaries and hoisted lines.

    ``ref(name)`` gives the source that reads an answer, ``current`` the source of ``.`` and
    ``today`` the source of today's date as YYYY-MM-DD: a single expression reads them from its
    arguments, a compiled questionnaire from its own local variables.
    """

    def __init__(self, ref: Callable[[str], str], today: str = "today",
                 numbers: frozenset[str] = frozenset()) -> None:
        self.ref = ref
        self.today = today
        self.numbers = numbers  # sources (locals) always holding an int, a float or None
        self.constants: dict[str, object] = {}
        self._constant_names: dict[tuple[type, object], str] = {}
        self._temporaries = 0

    def constant(self, value: object) -> str:
        """The name under which the generated code reads a value (the same value, the same name)."""
        key = (type(value), value)
        try:
            name = self._constant_names.get(key)
        except TypeError:  # an unhashable value (a message dict): its own name
            key = name = None
        if name is None:
            name = f"k{len(self.constants)}"
            self.constants[name] = value
            if key is not None:
                self._constant_names[key] = name
        return name

    def expression(self, node: Node, current: str, hoisted: list[str]) -> str:
        """Python source computing the node's value; temporaries it needs are appended to `hoisted`."""
        source = self._write(node, current, hoisted)
        if node.args and node.depth % HOIST_EVERY == 0:
            self._temporaries += 1
            name = f"t{self._temporaries}"
            hoisted.append(f"{name} = {source}")
            return name
        return source

    def condition(self, node: Node, current: str, hoisted: list[str]) -> str:
        """Python source of the node's yes/no (``_truthy`` is left out where the value is one already)."""
        source = self.expression(node, current, hoisted)
        return source if _is_boolean(node) else f"_truthy({source})"

    def _write(self, node: Node, current: str, hoisted: list[str]) -> str:
        kind, value = node.kind, node.value
        if kind in ("num", "str"):
            return self.constant(value)
        if kind == "ref":
            return self.ref(str(value))
        if kind == "cur":
            return current
        args = [self.expression(arg, current, hoisted) for arg in node.args]
        if kind == "neg":
            return f"(-{self._number(node.args[0], args[0])})"
        if kind == "op":
            return self._operator(str(value), node.args, args)
        if value == "today":
            return self.today
        if value == "if":  # the condition's yes/no without _truthy where it is one already
            condition = args[0] if _is_boolean(node.args[0]) else f"_truthy({args[0]})"
            return f"({args[1]} if {condition} else {args[2]})"
        if value in _VARIADIC:
            return f"{_VARIADIC[value]}({', '.join(args)})"
        return _CALLS[str(value)].format(*args)

    def _operator(self, op: str, nodes: tuple[Node, ...], args: list[str]) -> str:
        left, right = args
        if op == "or":
            return f"(_truthy({left}) or _truthy({right}))"
        if op == "and":
            return f"(_truthy({left}) and _truthy({right}))"
        if op == "=":
            return f"_equal({left}, {right})"
        if op == "!=":
            return f"(not _equal({left}, {right}))"
        if op in _PYTHON_COMPARE:
            # Against a literal that is not a date, compare as numbers straight away (${age} >= 15).
            left_node, right_node = nodes
            if right_node.kind in ("num", "str") and not values.is_date(right_node.value):
                return f"({self._number(left_node, left)} {op} {self.constant(values.to_num(right_node.value))})"
            if left_node.kind in ("num", "str") and not values.is_date(left_node.value):
                return f"({self.constant(values.to_num(left_node.value))} {op} {self._number(right_node, right)})"
            return f"_compare({self.constant(op)}, {left}, {right})"
        return _ARITHMETIC[op].format(self._number(nodes[0], left), self._number(nodes[1], right))

    def _number(self, node: Node, source: str) -> str:
        """Source of a value as a float (``_to_num``), cheaper where the value is known to be a number."""
        if node.kind in ("ref", "cur") and source in self.numbers:
            return f"(_NAN if {source} is None else float({source}))"
        if node.kind == "neg" or (node.kind == "op" and node.value in _ARITHMETIC) or (
                node.kind == "call" and node.value in _FLOAT_CALLS):
            return source  # already a float
        return f"_to_num({source})"


def _is_boolean(node: Node) -> bool:
    """Whether a node's value is always True or False (comparisons, and/or, not, selected...)."""
    if node.kind == "op":
        return node.value not in _ARITHMETIC
    return node.kind == "call" and node.value in ("not", "selected", "regex", "true", "false")


def build(source: str, constants: dict[str, object], filename: str) -> Callable:
    """Run generated source defining ``make(<constants>)`` and return what make returns.

    Constants and helpers reach the generated code as closure variables (as fast as locals).
    """
    namespace: dict[str, object] = {}
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - source holds generated identifiers only
    return namespace["make"](**HELPERS, **constants)


def factory_header(constants: dict[str, object]) -> str:
    """The first line of generated source: ``def make(...)`` taking the helpers and the constants."""
    return f"def make({', '.join([*HELPERS, *constants])}):"


def function(node: Node) -> Callable:
    """One expression as a Python function of (answers, current, today as YYYY-MM-DD)."""
    writer = SourceWriter(ref=lambda name: f"_lookup(answers, {writer.constant(name)})")
    hoisted: list[str] = []
    result = writer.expression(node, "current", hoisted)
    lines = [factory_header(writer.constants), "    def run(answers, current, today):",
             *(f"        {line}" for line in hoisted), f"        return {result}", "    return run"]
    return build("\n".join(lines), writer.constants, "<expression>")
