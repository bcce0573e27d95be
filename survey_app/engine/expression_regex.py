"""regex(): one reading of a pattern for the server and the phone, run in linear time on both.

ODK Collect (JavaRosa) asks whether the *whole* answer matches the pattern, so this does too:
``regex(., '[0-9]{4}')`` is true for ``1234`` and false for ``12345`` (write ``.*`` around a pattern
to look for it inside the answer). A pattern is read here into a small tree; the server hands the
tree, written in RE2's syntax, to RE2 (linear time, no backtracking), and the phone
(``static/js/expression_regex.js``) runs the same tree on a state machine of its own, also linear.
Neither side ever gives the pattern to a backtracking engine, so no pattern can hold either one.

The syntax is the common core of Java, JavaScript and Python: literals, ``.``, classes ``[a-z]``
``[^0-9]``, ``\\d \\w \\s`` and their negations (ASCII only, as in Java), ``\\b \\B``, ``^ $``,
groups ``( )`` ``(?: )`` (named groups read as plain ones), ``|``, and ``* + ? {n} {n,} {n,m}``
(lazy forms allowed). A backslash before any character that is not a letter or digit means that
character (``\\@ \\- \\_ \\ ``), inside a class or outside. Refused, with the reason, at load
time: back-references, lookaround, inline flags, possessive quantifiers, ``\\p``-classes, a lone
``{``, ``[]``/``[^]``, nested classes and patterns that grow too large once counted repetitions
are written out.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

MAX_PATTERN = 1000  # characters
MAX_SIZE = 500  # items once counted repetitions are written out; bounds the phone's work per character
MAX_COUNT = 1000  # the largest {n,m} RE2 accepts
LAST = 0x10FFFF
DIGITS = ((48, 57),)
WORD = ((48, 57), (65, 90), (95, 95), (97, 122))
SPACE = ((9, 13), (32, 32))
LINE_ENDS = ((10, 10), (13, 13), (0x85, 0x85), (0x2028, 0x2029))  # what `.` does not match, as in Java
_SHORTHANDS = {"d": (DIGITS, False), "D": (DIGITS, True), "w": (WORD, False), "W": (WORD, True),
               "s": (SPACE, False), "S": (SPACE, True)}
_COUNTS = re.compile(r"([0-9]{1,7})(,([0-9]{1,7})?)?")
_CONTROLS = {"n": 10, "r": 13, "t": 9, "f": 12, "v": 11}


class PatternError(ValueError):
    """A pattern this language does not accept; the message says why."""


class Item(NamedTuple):
    kind: str  # set, bol, eol, word, notword, cat, alt, rep
    ranges: tuple[tuple[int, int], ...] = ()  # set: sorted, merged code point ranges
    parts: tuple[Item, ...] = ()  # cat, alt: the parts; rep: the one repeated
    low: int = 0
    high: int | None = None  # rep: None for no upper bound


def complement(ranges) -> tuple[tuple[int, int], ...]:
    out, start = [], 0
    for low, high in ranges:
        if low > start:
            out.append((start, low - 1))
        start = high + 1
    if start <= LAST:
        out.append((start, LAST))
    return tuple(out)


def merge(ranges) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if out and low <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], high))
        else:
            out.append((low, high))
    return tuple(out)


class _Reader:
    """Recursive descent over the pattern's code points; depth is bounded by MAX_PATTERN."""

    def __init__(self, pattern: str) -> None:
        self.text = pattern
        self.i = 0

    def fail(self, reason: str) -> PatternError:
        return PatternError(f"{reason} (character {self.i + 1} of the pattern)")

    def peek(self, ahead: int = 0) -> str:
        j = self.i + ahead
        return self.text[j] if j < len(self.text) else ""

    def alternation(self) -> Item:
        choices = [self.sequence()]
        while self.peek() == "|":
            self.i += 1
            choices.append(self.sequence())
        return choices[0] if len(choices) == 1 else Item("alt", parts=tuple(choices))

    def sequence(self) -> Item:
        parts: list[Item] = []
        while self.peek() not in ("", "|", ")"):
            parts.append(self.quantified(self.atom()))
        return parts[0] if len(parts) == 1 else Item("cat", parts=tuple(parts))

    def atom(self) -> Item:
        ch = self.peek()
        self.i += 1
        if ch == "(":
            return self.group()
        if ch == "[":
            return self.char_class()
        if ch == "\\":
            return self.escape(in_class=False)
        if ch == ".":
            return Item("set", complement(LINE_ENDS))
        if ch == "^":
            return Item("bol")
        if ch == "$":
            return Item("eol")
        if ch in "*+?":
            self.i -= 1
            raise self.fail(f"nothing to repeat before '{ch}'")
        if ch == "{":
            self.i -= 1
            raise self.fail("a '{' that starts no repetition: write \\{ for a brace")
        return Item("set", ((ord(ch), ord(ch)),))

    def group(self) -> Item:
        if self.peek() == "?":
            if self.peek(1) == ":":
                self.i += 2
            elif self.text.startswith("P<", self.i + 1) or (self.peek(1) == "<" and self.peek(2) not in "=!"):
                end = self.text.find(">", self.i)
                if end < 0:
                    raise self.fail("an unfinished group name")
                self.i = end + 1  # a named group is read as a plain one
            elif self.peek(1) in ("=", "!", "<"):
                raise self.fail("lookahead and lookbehind are not supported")
            else:
                raise self.fail("flags such as (?i) are not supported")
        inner = self.alternation()
        if self.peek() != ")":
            raise self.fail("a '(' without its ')'")
        self.i += 1
        return inner

    def quantified(self, item: Item) -> Item:
        repeated = False
        while True:
            ch = self.peek()
            if ch in ("*", "+", "?"):
                self.i += 1
                low, high = {"*": (0, None), "+": (1, None), "?": (0, 1)}[ch]
            elif ch == "{":
                low, high = self.counts()
            else:
                return item
            if self.peek() == "?":
                self.i += 1  # lazy: the same yes/no for a whole-answer match
            elif self.peek() == "+":
                raise self.fail("possessive quantifiers such as a*+ are not supported")
            if repeated or item.kind in ("bol", "eol", "word", "notword"):
                raise self.fail("nothing to repeat")
            item, repeated = Item("rep", parts=(item,), low=low, high=high), True

    def counts(self) -> tuple[int, int | None]:
        end = self.text.find("}", self.i)
        found = _COUNTS.fullmatch(self.text[self.i + 1:end]) if end > 0 else None
        if found is None:
            raise self.fail("a '{' that starts no repetition: write \\{ for a brace")
        low = int(found[1])
        high = low if found[2] is None else (int(found[3]) if found[3] else None)
        if low > MAX_COUNT or (high is not None and high > MAX_COUNT):
            raise self.fail(f"a repetition larger than {MAX_COUNT}")
        if high is not None and high < low:
            raise self.fail("a repetition {n,m} with m smaller than n")
        self.i = end + 1
        return low, high

    def escape(self, *, in_class: bool) -> Item:
        ch = self.peek()
        if ch == "":
            raise self.fail("a pattern cannot end with a backslash")
        self.i += 1
        if ch in _SHORTHANDS:
            ranges, negated = _SHORTHANDS[ch]
            return Item("set", complement(ranges) if negated else ranges)
        if ch in _CONTROLS:
            return Item("set", ((_CONTROLS[ch], _CONTROLS[ch]),))
        if ch in "bB" and not in_class:
            return Item("word" if ch == "b" else "notword")
        if ch in "ux":
            return self.hex_escape(4 if ch == "u" else 2)
        if ch.isascii() and ch.isalnum():
            self.i -= 1
            if ch.isdigit():
                raise self.fail("back-references such as \\1 are not supported")
            raise self.fail(f"the escape \\{ch} is not supported")
        return Item("set", ((ord(ch), ord(ch)),))

    def hex_escape(self, digits: int) -> Item:
        text = self.text[self.i:self.i + digits]
        if len(text) != digits or any(c not in "0123456789abcdefABCDEF" for c in text):
            raise self.fail(f"\\{'u' if digits == 4 else 'x'} needs {digits} hexadecimal digits")
        self.i += digits
        code = int(text, 16)
        return Item("set", ((code, code),))

    def char_class(self) -> Item:
        negated = self.peek() == "^"
        self.i += negated
        if self.peek() == "]":
            raise self.fail("an empty class [] or [^]: write \\] for a bracket")
        ranges: list[tuple[int, int]] = []
        while self.peek() != "]":
            low = self.class_member()
            if self.peek() == "-" and self.peek(1) not in ("]", ""):
                self.i += 1
                high = self.class_member()
                if len(low) != 1 or len(high) != 1 or low[0][0] != low[0][1] or high[0][0] != high[0][1]:
                    raise self.fail("a range in a class must join two single characters")
                if high[0][0] < low[0][0]:
                    raise self.fail("a range in a class goes backwards")
                ranges.append((low[0][0], high[0][0]))
            else:
                ranges.extend(low)
        self.i += 1
        merged = merge(ranges)
        return Item("set", complement(merged) if negated else merged)

    def class_member(self) -> tuple[tuple[int, int], ...]:
        ch = self.peek()
        if ch == "":
            raise self.fail("a '[' without its ']'")
        if ch == "[" or (ch == "&" and self.peek(1) == "&"):
            raise self.fail("classes inside classes are not supported: write \\[ for a bracket")
        self.i += 1
        if ch == "\\":
            return self.escape(in_class=True).ranges
        return ((ord(ch), ord(ch)),)


def size(item: Item) -> int:
    """How many items the pattern has once counted repetitions are written out."""
    if item.kind in ("cat", "alt"):
        return sum(size(part) for part in item.parts) + 1
    if item.kind == "rep":
        return size(item.parts[0]) * max(item.low, item.high or 0, 1) + 1
    return 1


def read(pattern: str) -> Item:
    """The pattern's tree, or PatternError saying what is not accepted."""
    if len(pattern) > MAX_PATTERN:
        raise PatternError(f"a pattern longer than {MAX_PATTERN} characters")
    reader = _Reader(pattern)
    tree = reader.alternation()
    if reader.peek() == ")":
        raise reader.fail("a ')' without its '('")
    if size(tree) > MAX_SIZE:
        raise PatternError("a pattern too large once its repetitions are written out")
    return tree


def _char(code: int) -> str:
    return f"\\x{{{code:x}}}"


def to_re2(item: Item) -> str:
    """The tree in RE2's syntax (every character written as a code point, so nothing is read twice)."""
    kind = item.kind
    if kind == "set":
        if len(item.ranges) == 1 and item.ranges[0][0] == item.ranges[0][1]:
            return _char(item.ranges[0][0])
        if not item.ranges:
            return "[^\\x{0}-\\x{10ffff}]"
        return "[" + "".join(_char(lo) if lo == hi else f"{_char(lo)}-{_char(hi)}" for lo, hi in item.ranges) + "]"
    if kind in ("bol", "eol", "word", "notword"):
        return {"bol": "^", "eol": "$", "word": "\\b", "notword": "\\B"}[kind]
    if kind == "cat":
        return "".join(to_re2(part) for part in item.parts)
    if kind == "alt":
        return "(?:" + "|".join(to_re2(part) for part in item.parts) + ")"
    high = "" if item.high is None else str(item.high)
    return f"(?:{to_re2(item.parts[0])}){{{item.low},{high}}}"


def check(pattern: str) -> str | None:
    """Why a pattern is refused, or None when it is accepted."""
    try:
        read(pattern)
    except PatternError as exc:
        return str(exc)
    return None


@lru_cache(maxsize=256)
def _compiled(pattern: str):
    import re2  # google-re2; imported here so the rest of the engine loads without it

    try:
        tree = read(pattern)
    except PatternError:
        return None
    options = re2.Options()
    options.max_mem = 64 << 20
    return re2.compile(f"^(?:{to_re2(tree)})$", options)


def matches(text: str, pattern: str) -> bool:
    """Whether the whole text matches the pattern; False for a pattern this language refuses."""
    compiled = _compiled(pattern)
    if compiled is None:
        return False
    try:
        return compiled.search(text) is not None
    except (UnicodeEncodeError, ValueError):  # lone surrogates cannot be handed to RE2
        return False
