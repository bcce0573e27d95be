"""Figures of a pre/post knowledge check: means, paired gain with a 95% interval, pass shares.

Scores are percentages of each submission's own maximum (questions hidden by `relevant`
are not in it). The gain is the mean of post minus pre over participants who took both,
with a confidence interval from Student's t distribution (mean ± t·s/√n). Per objective
and per question, each side's share of the points is the sum of points over the sum of
maxima of that side's submissions; "still wrong after" is the share of post-test answers that did
not get the question's full points (a question inside a repeat is answered once per instance).
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field

from ..engine.scoring import counts
from .pairing import Pair

# Two-sided 95% quantiles of Student's t (the 0.975 quantile) by degrees of freedom.
T_975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262,
         10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110, 18: 2.101,
         19: 2.093, 20: 2.086, 21: 2.080, 22: 2.074, 23: 2.069, 24: 2.064, 25: 2.060, 26: 2.056, 27: 2.052,
         28: 2.048, 29: 2.045, 30: 2.042, 40: 2.021, 60: 2.000, 120: 1.980, 240: 1.970, 480: 1.965}
Z_975 = 1.95996


def t_975(df: int) -> float:
    """The 0.975 quantile of t with `df` degrees of freedom (table, linear in 1/df between rows)."""
    if df < 1:
        raise ValueError("at least one degree of freedom")
    if df in T_975:
        return T_975[df]
    keys = sorted(T_975)
    upper = next((k for k in keys if k > df), None)
    if upper is None:
        lower, low_t, upper_inv, high_t = keys[-1], T_975[keys[-1]], 0.0, Z_975
    else:
        lower = max(k for k in keys if k < df)
        low_t, upper_inv, high_t = T_975[lower], 1 / upper, T_975[upper]
    fraction = (1 / lower - 1 / df) / (1 / lower - upper_inv)
    return low_t + (high_t - low_t) * fraction


@dataclass(frozen=True)
class Side:
    """The pre-tests or the post-tests: how many, mean score (%), share passing."""

    count: int = 0
    mean: float | None = None
    passing: float | None = None  # share of those with a pass mark


@dataclass(frozen=True)
class Gain:
    count: int = 0
    mean: float | None = None
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Item:
    """An objective or a question: share of points before and after."""

    key: str
    pre: float | None
    post: float | None
    still_wrong: float | None = None

    @property
    def gain(self) -> float | None:
        return None if self.pre is None or self.post is None else self.post - self.pre


@dataclass(frozen=True)
class Figures:
    pre: Side
    post: Side
    gain: Gain
    pairs: int
    only_pre: int
    only_post: int
    objectives: list[Item] = field(default_factory=list)
    questions: list[Item] = field(default_factory=list)


def side(taken: list) -> Side:
    percents = [t.percent for t in taken if t.percent is not None]
    graded = [t.passed for t in taken if t.passed is not None]
    return Side(len(taken), sum(percents) / len(percents) if percents else None,
                sum(graded) / len(graded) if graded else None)


def gain(values: list[float]) -> Gain:
    """Mean gain with its 95% interval (none for fewer than two pairs)."""
    n = len(values)
    if not n:
        return Gain()
    mean = sum(values) / n
    if n < 2:
        return Gain(n, mean)
    spread = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = t_975(n - 1) * spread / math.sqrt(n)
    return Gain(n, mean, mean - half, mean + half)


def figures(pairs: list[Pair], objective_of: dict[str, str | None]) -> Figures:
    """Every figure of the results page for these pairs."""
    pre = [p.pre for p in pairs if p.pre is not None]
    post = [p.post for p in pairs if p.post is not None]
    gains = [g for g in (p.gain for p in pairs) if g is not None]
    both = sum(1 for p in pairs if p.pre and p.post)
    return Figures(side(pre), side(post), gain(gains), both, len(pre) - both, len(post) - both,
                   _items(pre, post, lambda name: objective_of.get(name)),
                   _items(pre, post, lambda name: name if name in objective_of else None, still_wrong=True))


def _items(pre: list, post: list, key_of, still_wrong: bool = False) -> list[Item]:
    sums = {}
    for index, taken in enumerate((pre, post)):
        found = defaultdict(lambda: [0.0, 0.0, 0, 0])  # points, maximum, submissions, full marks
        for submission in taken:
            for name, value in submission.questions.items():
                key = key_of(name)
                points, maximum, answers, full = counts(value)
                if key is None or not maximum:
                    continue
                entry = found[key]
                entry[0] += points
                entry[1] += maximum
                entry[2] += answers
                entry[3] += full
        sums[index] = found
    items = []
    for key in sorted(set(sums[0]) | set(sums[1])):
        before, after = sums[0].get(key), sums[1].get(key)
        wrong = 1 - after[3] / after[2] if still_wrong and after else None
        items.append(Item(key, before[0] / before[1] if before else None, after[0] / after[1] if after else None,
                          wrong))
    return items


def by(pairs: list[Pair], key_of) -> dict[str, list[Pair]]:
    """Group pairs, e.g. by workshop or by language (of the post-test, else the pre-test)."""
    groups = defaultdict(list)
    for one in pairs:
        groups[key_of(one)].append(one)
    return dict(sorted(groups.items()))
