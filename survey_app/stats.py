"""From a question's tallied values to what results show: counts, number statistics, ranges.

The input is the tally of one question under the filters, {kind: {value: count}} (kinds as
in tallies.py). A number question's values with their counts are its whole distribution,
so count, mean, median, extremes and the ranges of a histogram are exact, whatever the
number of submissions.
"""

import math
from dataclasses import dataclass

from .tallies import ANSWERED
from .tallies import NUMBER as NUMBER_VALUE
from .tallies import PICKED
from .tallies import SCALAR

CHOICE, LIKERT, MULTIPLE, RATING = "choice", "likert", "multiple", "rating"
NUMBER, DATE, TEXT = "number", "date", "text"
MAX_BINS = 10


@dataclass
class NumberStats:
    count: int = 0
    mean: float | None = None
    median: float | None = None
    minimum: float | None = None
    maximum: float | None = None


def fill(summary, found: dict[str, dict[str, int]]) -> None:
    """Fill a QuestionSummary from its tally."""
    summary.answered = found.get(ANSWERED, {}).get("", 0)
    summary.written = summary.answered - found.get(SCALAR, {}).get("", 0)
    scalars = dict(found.get(SCALAR, {}))
    for value, number in found.get(NUMBER_VALUE, {}).items():
        scalars[value] = scalars.get(value, 0) + number  # the number 4 and the code "4" are one answer
    picked = found.get(PICKED, {})
    # A question that changed between single and multiple choice across versions: each option
    # picked in a multiple answer counts as that option, a single answer as one option picked.
    if summary.kind in (CHOICE, LIKERT, RATING):
        summary.counts = in_option_order(summary.item, _added(scalars, picked))
    if summary.kind == MULTIPLE:
        summary.counts = in_option_order(summary.item, _added(picked, scalars))
    distribution = sorted((float(value), number) for value, number in found.get(NUMBER_VALUE, {}).items())
    if summary.kind in (RATING, NUMBER):
        summary.stats = number_stats(distribution)
    if summary.kind == NUMBER:
        summary.bins = bins(distribution, summary.stats, whole=summary.item.question.type == "integer")
    if summary.kind == DATE and scalars:
        summary.first, summary.last = min(scalars), max(scalars)


def _added(counts: dict[str, int], more: dict[str, int]) -> dict[str, int]:
    total = dict(counts)
    for value, number in more.items():
        total[value] = total.get(value, 0) + number
    return total


def in_option_order(item, values: dict[str, int]) -> list[tuple[str, int]]:
    """Counts in option order; values no version offers come last, as stored."""
    values = dict(values)
    counts = [(choice.name, values.pop(choice.name, 0)) for choice in item.options]
    return counts + sorted(values.items())


def number_stats(distribution: list[tuple[float, int]]) -> NumberStats:
    """Count, mean, median, minimum and maximum of grouped values sorted by value."""
    total = sum(number for _value, number in distribution)
    if not total:
        return NumberStats()
    mean = math.fsum(value * number for value, number in distribution) / total
    return NumberStats(total, mean, median_of(distribution), distribution[0][0], distribution[-1][0])


def median_of(distribution: list[tuple[float, int]]) -> float | None:
    """Return the median of grouped values (value, count) sorted by value, as percentile_cont does."""
    total = sum(number for _value, number in distribution)
    if not total:
        return None
    wanted, seen, middle = ((total - 1) // 2, total // 2), 0, []
    for value, number in distribution:
        middle += [value for position in wanted if seen <= position < seen + number]
        seen += number
    return sum(middle) / 2


def bins(distribution: list[tuple[float, int]], stats: NumberStats, *, whole: bool) -> list[tuple[float, float, int]]:
    """Group numbers into at most MAX_BINS equal ranges (whole numbers: ranges of whole numbers)."""
    if not stats.count:
        return []
    low, high = stats.minimum, stats.maximum
    if whole:
        width = max(1, math.ceil((high - low + 1) / MAX_BINS))
        count = math.ceil((high - low + 1) / width)
    else:
        count = MAX_BINS if high > low else 1
        width = (high - low) / count or 1.0
    counts = [0] * count
    for value, number in distribution:
        counts[min(math.floor((value - low) / width), count - 1)] += number
    upper = (lambda i: low + (i + 1) * width - 1) if whole else (lambda i: low + (i + 1) * width)
    return [(low + i * width, min(upper(i), high), counts[i]) for i in range(count)]
