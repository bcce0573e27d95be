"""Assessment figures checked against a plain reference computation on random data."""

import datetime
import math
import random
import statistics as reference

import pytest

from survey_app.assessments import statistics
from survey_app.assessments.pairing import Taken
from survey_app.assessments.pairing import pair

QUESTIONS = {"q1": "health", "q2": "work", "q3": "work"}
MAXIMA = {"q1": 1, "q2": 2, "q3": 1}
START = datetime.datetime(2026, 11, 20, tzinfo=datetime.UTC)


def t_density(x: float, df: int) -> float:
    return math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi) * (
        1 + x * x / df) ** (-(df + 1) / 2)


def t_probability_below(q: float, df: int, steps: int = 4000) -> float:
    """P(T < q) by Simpson's rule from 0 (the density is symmetric)."""
    h = q / steps
    total = t_density(0, df) + t_density(q, df)
    total += sum((4 if i % 2 else 2) * t_density(i * h, df) for i in range(1, steps))
    return 0.5 + total * h / 3


@pytest.mark.parametrize("df", [1, 2, 3, 5, 9, 17, 30, 35, 45, 75, 150, 300, 1000, 5000])
def test_t_quantile_leaves_two_and_a_half_percent_above(df):
    assert t_probability_below(statistics.t_975(df), df) == pytest.approx(0.975, abs=2e-4)


def random_scores(rng: random.Random, people: int) -> list[Taken]:
    found = []
    for person in range(people):
        code = f"P{person:05d}" if rng.random() < 0.8 else ""
        for phase in ("pre", "post"):
            if rng.random() < 0.2:
                continue
            questions = {name: [rng.choice([0, top]), top] for name, top in MAXIMA.items() if rng.random() < 0.9}
            points = sum(p for p, _ in questions.values())
            maximum = sum(m for _, m in questions.values())
            found.append(Taken(f"u{person}{phase}", rng.choice(["W1", "W2"]) if not code else "W1",
                               rng.choice(["fa", "ps"]), phase, code, points, maximum,
                               None if not maximum else points / maximum >= 0.5, questions,
                               START + datetime.timedelta(minutes=rng.randrange(1000))))
    rng.shuffle(found)
    return found


def reference_figures(scores: list[Taken]):
    """Straight from the definitions: one row per person and phase, no shortcuts."""
    people = {}
    for taken in scores:
        key = (taken.workshop, taken.participant) if taken.participant else (taken.uuid,)
        people.setdefault(key, {})[taken.phase] = taken
    pre = [p["pre"] for p in people.values() if "pre" in p]
    post = [p["post"] for p in people.values() if "post" in p]
    gains = [100 * p["post"].points / p["post"].maximum - 100 * p["pre"].points / p["pre"].maximum
             for p in people.values() if "pre" in p and "post" in p and p["pre"].maximum and p["post"].maximum]
    mean_pre = reference.mean([100 * t.points / t.maximum for t in pre if t.maximum])
    passing_post = reference.mean([1 if t.passed else 0 for t in post if t.passed is not None])
    half = t_quantile_reference(len(gains) - 1) * reference.stdev(gains) / math.sqrt(len(gains))
    work_post = (sum(t.questions[q][0] for t in post for q in ("q2", "q3") if q in t.questions)
                 / sum(t.questions[q][1] for t in post for q in ("q2", "q3") if q in t.questions))
    q2_wrong = reference.mean([1 if t.questions["q2"][0] < 2 else 0 for t in post if "q2" in t.questions])
    return mean_pre, passing_post, reference.mean(gains), half, work_post, q2_wrong


def t_quantile_reference(df: int) -> float:
    low, high = 0.0, 20.0
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if t_probability_below(middle, df, 400) < 0.975 else (low, middle)
    return low


@pytest.mark.parametrize("seed", range(5))
def test_figures_match_the_reference_on_random_data(seed):
    rng = random.Random(seed)
    scores = random_scores(rng, rng.randrange(20, 120))
    # Unique codes per person here, so the reference needs no "latest of a phase" rule.
    found = statistics.figures(pair(scores), QUESTIONS)
    mean_pre, passing_post, mean_gain, half, work_post, q2_wrong = reference_figures(scores)
    assert found.pre.mean == pytest.approx(mean_pre)
    assert found.post.passing == pytest.approx(passing_post)
    assert found.gain.mean == pytest.approx(mean_gain)
    assert (found.gain.high - found.gain.low) / 2 == pytest.approx(half, rel=2e-3)
    work = next(item for item in found.objectives if item.key == "work")
    assert work.post == pytest.approx(work_post)
    assert next(item for item in found.questions if item.key == "q2").still_wrong == pytest.approx(q2_wrong)


def test_one_pair_has_a_gain_but_no_interval():
    scores = [Taken("a", "W", "fa", "pre", "C", 1, 4, False, {}, START),
              Taken("b", "W", "fa", "post", "C", 3, 4, True, {}, START)]
    found = statistics.figures(pair(scores), {})
    assert (found.gain.count, found.gain.mean, found.gain.low) == (1, 50, None)
    assert (found.pairs, found.only_pre, found.only_post) == (1, 0, 0)


def test_no_scores_give_empty_figures():
    found = statistics.figures([], QUESTIONS)
    assert found.pre.mean is None and found.gain.count == 0 and found.objectives == []
