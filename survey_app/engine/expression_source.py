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
from functools import reduce

from . import expression_values as values
from .expression_functions import FUNCTIONS
from .expression_instances import instance_items
from .expression_parser import Node

HOIST_EVERY = 8  # tree levels kept on one line at most


def _lookup(answers, name):
    if type(answers) is dict or isinstance(answers, Mapping):
        return values.normalize(answers.get(name))
    return None


_BINARY = {
    "=": values.equal, "!=": lambda x, y: not values.equal(x, y),
    "<": lambda x, y: values.to_num(x) < values.to_num(y), "<=": lambda x, y: values.to_num(x) <= values.to_num(y),
    ">": lambda x, y: values.to_num(x) > values.to_num(y), ">=": lambda x, y: values.to_num(x) >= values.to_num(y),
    "div": lambda x, y: values.div(values.to_num(x), values.to_num(y)),
    "mod": lambda x, y: values.mod(values.to_num(x), values.to_num(y)),
}

# What the written source may call, under the names it uses.
HELPERS: dict[str, object] = {
    "_NAN": values.NAN,
    "_truthy": values.truthy,
    "_to_num": values.to_num,
    "_to_str": values.to_str,
    "_equal": values.equal,
    "_items": values.items,
    "_div": values.div,
    "_mod": values.mod,
    "_normalize": values.normalize,
    "_lookup": _lookup,
    "_chain": lambda op, *args: reduce(_BINARY[op], args),
    "_column": lambda item, name: item.get(name),
    "_instance": instance_items,
}

# The commonest functions written inline, {0}, {1}... being the arguments' source; the others
# call their implementation in the table of ``expression_functions`` with the context first.
_INLINE: dict[str, str] = {
    "not": "(not _truthy({0}))",
    "count-selected": "float(len(_items({0})))",
    "number": "_to_num({0})",
    "string": "_to_str({0})",
    "true": "True",
    "false": "False",
    "today": "ctx.today",
    "position": "float(ctx.position)",
}
_CURRENT_BY_DEFAULT = frozenset({"string-length", "normalize-space"})  # without an argument they read `.`
_INFIX = {"+": " + ", "-": " - ", "*": " * "}
_PYTHON_COMPARE = {"<": " < ", "<=": " <= ", ">": " > ", ">=": " >= "}
_ARITHMETIC = frozenset({"+", "-", "*", "div", "mod"})


class SourceWriter:
    """Writes expressions for one generated function: its constants, temporaries and hoisted lines.

    ``ref(name)`` gives the source that reads an answer and ``current`` the source of ``.``: a single
    expression reads them from its arguments, a compiled questionnaire from its own local variables.
    Either way the function has a local ``ctx``, the ``expression_functions.Context``.
    """

    def __init__(self, ref: Callable[[str], str], numbers: frozenset[str] = frozenset()) -> None:
        self.ref = ref
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
        if kind == "parent":
            return self.constant("")
        if kind == "col":  # only inside an instance() predicate, where _item is the item read
            return f"_column(_item, {self.constant(value)})"
        if kind == "instance":
            return self._instance(node, current)
        args = [self.expression(arg, current, hoisted) for arg in node.args]
        if kind == "neg":
            return f"(-{self._number(node.args[0], args[0])})"
        if kind == "op":
            return self._operator(str(value), node.args, args)
        if value == "if":  # only the branch chosen is computed; no _truthy where the condition is a yes/no
            condition = args[0] if _is_boolean(node.args[0]) else f"_truthy({args[0]})"
            return f"({args[1]} if {condition} else {args[2]})"
        if value in _CURRENT_BY_DEFAULT and not args:
            args = [current]
        if value in _INLINE:
            return _INLINE[str(value)].format(*args)
        run = self.constant(FUNCTIONS[str(value)].run)
        if value == "once":
            args = [current, *args]
        elif value == "indexed-repeat":
            args = [self.constant(node.args[0].value), *args]
        return f"{run}(ctx, {', '.join(args)})"

    def _instance(self, node: Node, current: str) -> str:
        """An instance's items as a nodeset, the predicate written inline as a function of the item."""
        name, column = node.value
        predicate = "None"
        if node.args:
            inner: list[str] = []  # the parser bounds a predicate's depth, so nothing is hoisted out of it
            predicate = f"(lambda _item: {self.condition(node.args[0], current, inner)})"
        return f"_instance(ctx, {self.constant(name)}, {self.constant(column)}, {predicate})"

    def _operator(self, op: str, nodes: tuple[Node, ...], args: list[str]) -> str:
        if op in ("or", "and"):
            parts = (a if _is_boolean(n) else f"_truthy({a})" for n, a in zip(nodes, args, strict=True))
            return "(" + f" {op} ".join(parts) + ")"
        if op in _INFIX:
            return "(" + _INFIX[op].join(self._number(n, a) for n, a in zip(nodes, args, strict=True)) + ")"
        if len(args) > 2:
            return f"_chain({self.constant(op)}, {', '.join(args)})"
        left, right = args
        if op == "=":
            return f"_equal({left}, {right})"
        if op == "!=":
            return f"(not _equal({left}, {right}))"
        if op in _PYTHON_COMPARE:  # as numbers (dates as days): NaN makes every comparison false
            return f"({self._number(nodes[0], left)}{_PYTHON_COMPARE[op]}{self._number(nodes[1], right)})"
        return f"_{op}({self._number(nodes[0], left)}, {self._number(nodes[1], right)})"

    def _number(self, node: Node, source: str) -> str:
        """Source of a value as a float (``_to_num``), cheaper where the value is known to be a number."""
        if node.kind in ("num", "str"):
            return self.constant(values.to_num(node.value))
        if node.kind in ("ref", "cur") and source in self.numbers:
            return f"(_NAN if {source} is None else float({source}))"
        if node.kind == "neg" or (node.kind == "op" and node.value in _ARITHMETIC) or (
                node.kind == "call" and FUNCTIONS[str(node.value)].returns == "number"):
            return source  # already a float
        return f"_to_num({source})"


def _is_boolean(node: Node) -> bool:
    """Whether a node's value is always True or False (comparisons, and/or, not, selected...)."""
    if node.kind == "op":
        return node.value not in _ARITHMETIC
    return node.kind == "call" and FUNCTIONS[str(node.value)].returns == "boolean"


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
    """One expression as a Python function of (answers, current, context)."""
    writer = SourceWriter(ref=lambda name: f"_lookup(answers, {writer.constant(name)})")
    hoisted: list[str] = []
    result = writer.expression(node, "current", hoisted)
    lines = [factory_header(writer.constants), "    def run(answers, current, ctx):",
             *(f"        {line}" for line in hoisted), f"        return {result}", "    return run"]
    return build("\n".join(lines), writer.constants, "<expression>")
