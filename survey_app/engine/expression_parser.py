"""Tokenizer and parser for the form expression language (kept apart from evaluation).

Mirrors ``survey_app/static/js/expressions.js`` token for token so that both engines
accept exactly the same expressions and report errors at the same positions
(0-based indices in Unicode code points). See ``expressions.py`` for the language.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from . import expression_regex
from .expression_functions import FUNCTIONS

MAX_DEPTH = 100
"""Limit on nesting and tree depth, so parsing and evaluation can never overflow."""
MAX_LENGTH = 20_000
"""Limit on an expression's length in characters: a chain of `or` is flat, but not endless."""

# name -> (min args, max args or None for unlimited)
FUNCTION_ARITY: dict[str, tuple[int, int | None]] = {name: (f.low, f.high) for name, f in FUNCTIONS.items()}
_OPERATOR_NAMES = ("and", "or", "div", "mod")
_VALUE_ENDS = frozenset({"num", "str", "ref", "cur", "parent"})

# lowest precedence first; unary minus binds tighter than all of these
_BINARY_PRECEDENCE = {
    "or": 1,
    "and": 2,
    "=": 3,
    "!=": 3,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "div": 6,
    "mod": 6,
}
_SYMBOLS = ("!=", "<=", ">=", "=", "<", ">", "+", "-", "*", "(", ")", ",", "/", "[", "]")
PREDICATE_DEPTH = 7
"""Limit on the depth of an instance() predicate (it is written inline, never split, see expression_source)."""
_SPACE = " \t\r\n"
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
_DIGITS = "0123456789"


class ExpressionError(ValueError):
    """Syntax error; tells the form author what is wrong and where."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} at character {position + 1}")
        self.reason = message
        self.position = position  # 0-based index in code points


class Node(NamedTuple):
    """Immutable AST node, so cached trees can be shared safely."""

    # num, str, ref, cur (.), parent (..), neg, op (2 or more args, folded left), call,
    # instance (value: (list, column); args: the predicate, if any), col (a column of an instance's item)
    kind: str
    value: object = None
    args: tuple[Node, ...] = ()
    depth: int = 1


class _Token(NamedTuple):
    kind: str  # num, str, ref, cur, parent, word, sym, end
    value: object
    pos: int


def _scan_number(text: str, i: int) -> int:
    n = len(text)
    while i < n and text[i] in _DIGITS:
        i += 1
    if i < n and text[i] == "." and not text.startswith("..", i):  # 123. is a number, as in ODK
        i += 1
        while i < n and text[i] in _DIGITS:
            i += 1
    return i


def _valid_name(name: str) -> bool:
    tail = _LETTERS + _DIGITS + "-."
    return bool(name) and name[0] in _LETTERS and all(c in tail for c in name)


def _scan_reference(text: str, i: int) -> tuple[str, int]:
    end = text.find("}", i + 2)
    if end < 0:
        raise ExpressionError("unterminated reference", i)
    name = text[i + 2 : end]
    if not name:
        raise ExpressionError("empty reference", i)
    if not _valid_name(name):
        raise ExpressionError(f"invalid name '{name}'", i)
    return name, end + 1


def _operator_name(text: str, i: int, tokens: list[_Token]) -> str | None:
    """After a value, `and`, `or`, `div` and `mod` are operators even when a name follows at once (1and1)."""
    last = tokens[-1] if tokens else None
    if last is None or not (last.kind in _VALUE_ENDS or (last.kind == "sym" and last.value == ")")):
        return None
    return next((name for name in _OPERATOR_NAMES if text.startswith(name, i)), None)


def _scan_word(text: str, i: int, prefix: bool = True) -> int:
    """A function name: letters, digits, - and _, with one namespace prefix such as jr:."""
    n = len(text)
    while i < n and (text[i] in _LETTERS or text[i] in _DIGITS or text[i] == "-"):
        i += 1
    if prefix and i + 1 < n and text[i] == ":" and text[i + 1] in _LETTERS:
        return _scan_word(text, i + 1, prefix=False)
    return i


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    if n > MAX_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_LENGTH} characters", MAX_LENGTH)
    while i < n:
        ch = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if ch in _SPACE:
            i += 1
            continue
        start = i
        if ch in _DIGITS or (ch == "." and nxt != "" and nxt in _DIGITS):
            i = _scan_number(text, i)
            tokens.append(_Token("num", float(text[start:i]), start))
        elif ch in "'\"":
            i = text.find(ch, i + 1) + 1
            if i == 0:
                raise ExpressionError("unterminated string", start)
            tokens.append(_Token("str", text[start + 1 : i - 1], start))
        elif ch == "$" and nxt == "{":
            name, i = _scan_reference(text, i)
            tokens.append(_Token("ref", name, start))
        elif ch == "." and nxt == ".":
            i += 2
            tokens.append(_Token("parent", None, start))
        elif ch == ".":
            i += 1
            tokens.append(_Token("cur", None, start))
        elif ch in _LETTERS:
            operator = _operator_name(text, i, tokens)
            i = i + len(operator) if operator else _scan_word(text, i)
            tokens.append(_Token("word", text[start:i], start))
        else:
            sym = next((s for s in _SYMBOLS if text.startswith(s, i)), None)
            if sym is None:
                raise ExpressionError(f"unexpected character '{ch}'", i)
            i += len(sym)
            tokens.append(_Token("sym", sym, start))
    tokens.append(_Token("end", None, n))
    return tokens


def _describe(tok: _Token) -> str:
    if tok.kind == "end":
        return "end of expression"
    labels = {"num": "number", "str": "string", "ref": "reference", "cur": "'.'"}
    return labels.get(tok.kind) or f"'{tok.value}'"


def _arity_text(low: int, high: int | None) -> str:
    if high is None:
        return f"at least {low} argument(s)"
    return f"{low} argument(s)" if low == high else f"{low} to {high} arguments"


class _Parser:
    """Precedence-climbing parser; one instance per parse."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.i = 0
        self.nesting = 0
        self.in_predicate = False  # bare words are the columns of an instance's item

    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        tok = self.tokens[self.i]
        self.i += tok.kind != "end"  # never move past the end token
        return tok

    def fail(self, tok: _Token) -> ExpressionError:
        return ExpressionError(f"unexpected {_describe(tok)}", tok.pos)

    def expect(self, sym: str) -> None:
        tok = self.take()
        if tok.kind != "sym" or tok.value != sym:
            raise self.fail(tok)

    def node(self, kind: str, value: object, args: tuple[Node, ...], pos: int) -> Node:
        depth = 1 + max((a.depth for a in args), default=0)
        if depth > MAX_DEPTH:
            raise ExpressionError("expression too deeply nested", pos)
        return Node(kind, value, args, depth)

    def binary_precedence(self) -> int:
        tok = self.peek()
        if tok.kind in ("sym", "word"):
            return _BINARY_PRECEDENCE.get(str(tok.value), 0)
        return 0

    def expression(self, min_precedence: int = 1) -> Node:
        left = self.unary()
        while (prec := self.binary_precedence()) >= min_precedence:
            tok = self.take()
            right = self.expression(prec + 1)
            if left.kind == "op" and left.value == tok.value:
                # a chain of one operator (a or b or c...) is one node, folded left: no deeper per link
                left = self.node("op", tok.value, (*left.args, right), tok.pos)
            else:
                left = self.node("op", tok.value, (left, right), tok.pos)
        return left

    def unary(self) -> Node:
        tok = self.peek()
        self.nesting += 1
        if self.nesting > MAX_DEPTH:
            raise ExpressionError("expression too deeply nested", tok.pos)
        if tok.kind == "sym" and tok.value == "-":
            self.take()
            result = self.node("neg", None, (self.unary(),), tok.pos)
        else:
            result = self.primary()
        self.nesting -= 1
        return result

    def primary(self) -> Node:
        tok = self.take()
        if tok.kind in ("num", "str", "ref"):
            return Node(tok.kind, tok.value)
        if tok.kind in ("cur", "parent"):
            return Node(tok.kind)
        if tok.kind == "sym" and tok.value == "(":
            inner = self.expression()
            self.expect(")")
            return inner
        nxt = self.peek()
        if tok.kind == "word" and tok.value == "instance" and nxt.kind == "sym" and nxt.value == "(":
            return self.instance(tok)
        if tok.kind == "word" and nxt.kind == "sym" and nxt.value == "(":
            return self.call(tok)
        if tok.kind == "word" and self.in_predicate and tok.value not in _BINARY_PRECEDENCE:
            return Node("col", str(tok.value))
        raise self.fail(tok)

    def expect_word(self, word: str) -> None:
        tok = self.take()
        if tok.kind != "word" or tok.value != word:
            raise self.fail(tok)

    def instance(self, name_tok: _Token) -> Node:
        """instance('list')/root/item[predicate]/column: a list's items (or a column of them) as a nodeset."""
        if self.in_predicate:
            raise ExpressionError("instance() inside an instance() predicate", name_tok.pos)
        self.take()  # "("
        name = self.take()
        if name.kind != "str":
            raise self.fail(name)
        self.expect(")")
        for part in ("root", "item"):
            self.expect("/")
            self.expect_word(part)
        args: tuple[Node, ...] = ()
        if self.peek().kind == "sym" and self.peek().value == "[":
            start = self.take()
            self.in_predicate = True
            predicate = self.expression()
            self.in_predicate = False
            self.expect("]")
            if predicate.depth > PREDICATE_DEPTH:
                raise ExpressionError("instance() predicate too deeply nested", start.pos)
            args = (predicate,)
        column = None
        if self.peek().kind == "sym" and self.peek().value == "/":
            self.take()
            tok = self.take()
            if tok.kind != "word":
                raise self.fail(tok)
            column = str(tok.value)
        return self.node("instance", (str(name.value), column), args, name_tok.pos)

    def call(self, name_tok: _Token) -> Node:
        name = str(name_tok.value)
        if name not in FUNCTION_ARITY:
            raise ExpressionError(f"unknown function '{name}'", name_tok.pos)
        self.take()  # "("
        args: list[Node] = []
        if not (self.peek().kind == "sym" and self.peek().value == ")"):
            args.append(self.expression())
            while self.peek().kind == "sym" and self.peek().value == ",":
                self.take()
                args.append(self.expression())
        self.expect(")")
        low, high = FUNCTION_ARITY[name]
        if len(args) < low or (high is not None and len(args) > high):
            message = f"function '{name}' takes {_arity_text(low, high)}"
            raise ExpressionError(f"{message}, got {len(args)}", name_tok.pos)
        if name == "regex" and args[1].kind == "str" and (reason := expression_regex.check(str(args[1].value))):
            raise ExpressionError(f"regex pattern refused: {reason}", name_tok.pos)
        if FUNCTIONS[name].reference_first and args[0].kind != "ref":
            raise ExpressionError(f"function '{name}' needs a ${{question}} as its first argument", name_tok.pos)
        return self.node("call", name, tuple(args), name_tok.pos)

    def parse(self) -> Node:
        if self.peek().kind == "end":
            raise ExpressionError("empty expression", 0)
        tree = self.expression()
        if self.peek().kind != "end":
            raise self.fail(self.peek())
        return tree


@lru_cache(maxsize=2048)
def _parse_cached(text: str) -> Node:
    try:
        return _Parser(text).parse()
    except RecursionError:  # pragma: no cover - MAX_DEPTH should prevent this
        raise ExpressionError("expression too deeply nested", 0) from None


def parse(text: str) -> Node:
    """Parse once and reuse: forms evaluate the same expressions on every change."""
    if not isinstance(text, str):
        raise ExpressionError("expression must be a string", 0)
    return _parse_cached(text)
