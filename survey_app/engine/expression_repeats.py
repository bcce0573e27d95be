"""The functions of several values: what a question inside a repeat gives when read from outside it.

A ``Nodeset`` holds every instance's value (see ``expression_functions.Context`` for the contract
with the repeats code); these functions take them all, and read a single value as a nodeset of
one, as ODK does for a question outside any repeat.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from typing import Any

from .expression_values import NAN
from .expression_values import Nodeset
from .expression_values import to_num
from .expression_values import to_str
from .expression_values import trunc
from .expression_values import truthy


def _numbers(values: Sequence[Any]) -> list[float]:
    spread: list[Any] = []
    for value in values:
        spread.extend(value if isinstance(value, Nodeset) else (value,))
    return [to_num(value) for value in spread]


def sum_of(ctx, values) -> float:
    if not isinstance(values, Nodeset):
        return to_num(values)
    total = 0.0
    for n in _numbers((values,)):
        if n == n:  # ODK leaves out what is not a number
            total += n  # added in order, as the JavaScript engine does (no compensated sum)
    return total


def extreme(pick: Callable) -> Callable:
    def run(ctx, *values) -> float:
        numbers = [n for n in _numbers(values) if n == n]  # ODK leaves out what is not a number
        return pick(numbers) if numbers else NAN
    return run


def count(ctx, values) -> float:
    return float(len(values)) if isinstance(values, Nodeset) else 1.0


def count_non_empty(ctx, values) -> float:
    values = values if isinstance(values, Nodeset) else (values,)
    return float(sum(1 for value in values if to_str(value) != ""))


def indexed_repeat(ctx, name, values, group, index) -> Any:
    """indexed-repeat(${q}, ${repeat}, n): q's value in the repeat's n-th instance (1-based)."""
    every = ctx.values(name) if ctx.values is not None else values
    every = every if isinstance(every, Nodeset) else Nodeset((every,))
    i = trunc(to_num(index))
    i = 1 if i != i or i < 1 else i  # ODK reads a missing or bad index as the first instance
    return every[int(i) - 1] if i <= len(every) else ""


def _int_value(value) -> int:
    """A number as Java's intValue() reads it: truncated, NaN as 0, held to 32 bits."""
    x = trunc(to_num(value))
    return 0 if x != x else int(max(-(2**31), min(2**31 - 1, x)))


def checklist(ctx, low, high, *values) -> bool:
    """True when the number of yes among the values is between low and high (a negative bound: none)."""
    flags = values[0] if len(values) == 1 and isinstance(values[0], Nodeset) else values
    count = sum(1 for flag in flags if truthy(flag))
    low, high = _int_value(low), _int_value(high)
    return (low < 0 or count >= low) and (high < 0 or count <= high)


def weighted_checklist(ctx, low, high, *pairs) -> bool:
    """True when the weights of the values that are yes add up to between low and high."""
    if len(pairs) == 2 and isinstance(pairs[0], Nodeset) and isinstance(pairs[1], Nodeset):
        flags, weights = pairs[0], pairs[1]
    else:
        flags, weights = pairs[0::2], pairs[1::2]
    total = 0.0
    for flag, weight in zip(flags, weights, strict=False):
        if truthy(flag):
            total += to_num(weight)
    return to_num(low) <= total <= to_num(high)
