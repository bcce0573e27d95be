"""The results page's figures summed by the database from the running pairs and sums (tally.py).

Pairing and summing every score in Python took 3.4 s for 100,000 pairs. Here one grouped query
sums sides and gains per (workshop, language of the pair) over AssessmentPair, and one sums
points per (phase, question) over AssessmentQuestionTally; the page adds these groups up into
the overall, per workshop and per language figures. `statistics.figures` on `pairing.pair`
stays the reference they are checked against.
"""

import math
from collections import defaultdict

from sqlalchemy import bindparam
from sqlalchemy import text

from .statistics import Figures
from .statistics import Gain
from .statistics import Item
from .statistics import Side
from .statistics import t_975

_SIDES = """
SELECT workshop, COALESCE(post_lang, pre_lang), COUNT(pre_uuid), COUNT(post_uuid),
       SUM(CASE WHEN pre_uuid IS NOT NULL AND post_uuid IS NOT NULL THEN 1 ELSE 0 END),
       SUM(pre_percent), COUNT(pre_percent),
       SUM(CASE WHEN pre_passed THEN 1 WHEN NOT pre_passed THEN 0 END), COUNT(pre_passed),
       SUM(post_percent), COUNT(post_percent),
       SUM(CASE WHEN post_passed THEN 1 WHEN NOT post_passed THEN 0 END), COUNT(post_passed),
       COUNT(post_percent - pre_percent), SUM(post_percent - pre_percent),
       SUM((post_percent - pre_percent) * (post_percent - pre_percent))
FROM assessmentpair WHERE form_id = :form_id {workshops}
GROUP BY workshop, COALESCE(post_lang, pre_lang)
"""
_QUESTIONS = """
SELECT phase, question, SUM(points), SUM(maximum), SUM(answered), SUM("full")
FROM assessmentquestiontally WHERE form_id = :form_id AND answered > 0 {workshops}
GROUP BY phase, question
"""

_SUMS = 16 - 2  # numbers per (workshop, language) row after its two keys


def _statement(sql: str, workshops: list[str] | None):
    statement = text(sql.format(workshops="AND workshop IN :workshops" if workshops is not None else ""))
    if workshops is not None:
        statement = statement.bindparams(bindparam("workshops", expanding=True))
    return statement


def _execute(connection, sql: str, form_id: str, workshops: list[str] | None):
    parameters = {"form_id": form_id}
    if workshops is not None:
        parameters["workshops"] = list(workshops)
    return connection.execute(_statement(sql, workshops), parameters).all()


def _figures(sums: list[float], items: tuple[list[Item], list[Item]] | None = None) -> Figures:
    (pre_count, post_count, both, pre_sum, pre_n, pre_passed, pre_graded,
     post_sum, post_n, post_passed, post_graded, gains, gain_sum, gain_squares) = sums
    pre = Side(int(pre_count), pre_sum / pre_n if pre_n else None, pre_passed / pre_graded if pre_graded else None)
    post = Side(int(post_count), post_sum / post_n if post_n else None,
                post_passed / post_graded if post_graded else None)
    gain = Gain()
    if gains:
        mean = gain_sum / gains
        gain = Gain(int(gains), mean)
        if gains > 1:
            spread = math.sqrt(max(gain_squares - gain_sum * mean, 0.0) / (gains - 1))
            half = t_975(int(gains) - 1) * spread / math.sqrt(gains)
            gain = Gain(int(gains), mean, mean - half, mean + half)
    return Figures(pre, post, gain, int(both), int(pre_count - both), int(post_count - both), *(items or ([], [])))


def _items(rows, key_of, still_wrong: bool = False) -> list[Item]:
    sums = {"pre": defaultdict(lambda: [0.0, 0.0, 0, 0]), "post": defaultdict(lambda: [0.0, 0.0, 0, 0])}
    for phase, name, points, maximum, count, full in rows:
        key = key_of(name)
        if key is None:
            continue
        entry = sums[phase][key]
        entry[0] += points
        entry[1] += maximum
        entry[2] += count
        entry[3] += full
    found = []
    for key in sorted(set(sums["pre"]) | set(sums["post"])):
        before, after = sums["pre"].get(key), sums["post"].get(key)
        wrong = 1 - after[3] / after[2] if still_wrong and after else None
        found.append(Item(key, before[0] / before[1] if before else None,
                          after[0] / after[1] if after else None, wrong))
    return found


def summary(*, session, form_id: str, objective_of: dict[str, str | None], workshops: list[str] | None = None):
    """(overall Figures, {workshop: Figures}, {language: Figures}), the same figures as
    `statistics.figures` gives on the pairs; per workshop and language without objectives and
    questions (the page shows those overall only)."""
    connection = session.connection()
    overall, per_workshop, per_language = [0.0] * _SUMS, defaultdict(lambda: [0.0] * _SUMS), \
        defaultdict(lambda: [0.0] * _SUMS)
    for workshop, lang, *numbers in _execute(connection, _SIDES, form_id, workshops):
        for target in (overall, per_workshop[workshop], per_language[lang]):
            for index, value in enumerate(numbers):
                target[index] += value or 0
    rows = _execute(connection, _QUESTIONS, form_id, workshops)
    items = (_items(rows, lambda name: objective_of.get(name)),
             _items(rows, lambda name: name if name in objective_of else None, still_wrong=True))
    return (_figures(overall, items), {key: _figures(value) for key, value in sorted(per_workshop.items())},
            {key: _figures(value) for key, value in sorted(per_language.items())})
