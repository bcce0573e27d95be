"""The running pairs and sums (tally.py) give the same figures as pairing every score (the reference).

Random batches with repeated submissions of a phase (sent in any order, some with an earlier
time than the one they replace), participants who took one side only, submissions without a
code, several workshops and languages; the figures the page shows are summed from the running
tables (summary.py) and compared with statistics.figures on pairing.pair of every score.
"""

import random

import pytest
from sqlmodel import select

from survey_app.assessments import statistics
from survey_app.assessments import tally
from survey_app.assessments.codes import DIGITS
from survey_app.assessments.codes import LETTERS
from survey_app.assessments.pairing import pair
from survey_app.assessments.pairing import read_scores
from survey_app.assessments.summary import summary

from .assessment_helpers import FORM
from .assessment_helpers import FORMS
from .assessment_helpers import RIGHT
from .assessment_helpers import WRONG
from .assessment_helpers import record
from .assessment_helpers import send

OBJECTIVES = {"q1": "health", "q2": "work", "q3": "work", "q4": "health", "more": ""}
WORKSHOPS = ("ABCD2345", "EFGH2347", "KMNP2349")


@pytest.fixture
def app_config(app_config):
    return {**app_config, "SURVEY_FORMS_DIR": str(FORMS)}


def random_records(session, rng: random.Random, people: int) -> list[dict]:
    records = []
    for _ in range(people):
        code = "".join(rng.choice(LETTERS) for _ in range(4)) + "".join(rng.choice(DIGITS) for _ in range(2))
        workshop = rng.choice(WORKSHOPS)
        coded = rng.random() < 0.85
        for phase in rng.choice((("pre",), ("post",), ("pre", "post"), ("pre", "post"))):
            for _ in range(rng.choice((1, 1, 1, 2, 3))):  # some send a phase more than once
                answers = {name: rng.choice((RIGHT[name], WRONG[name])) for name in ("q1", "q2", "q3")}
                answers["more"] = rng.choice(("yes", "no"))
                if answers["more"] == "yes" and rng.random() < 0.8:
                    answers["q4"] = rng.choice(("a", "b"))
                at = f"2026-11-{20 + (phase == 'post'):02d}T{rng.randrange(8, 18):02d}:{rng.randrange(60):02d}:00Z"
                records.append(record(session, answers, phase=phase, participant=code if coded else None,
                                      workshop=workshop, at=at, lang=rng.choice(("en", "fa"))))
    rng.shuffle(records)
    return records


def reference(session, workshops=None):
    pairs = pair(read_scores(session=session, form_id=FORM, workshops=workshops))
    return (statistics.figures(pairs, OBJECTIVES),
            {key: statistics.figures(group, OBJECTIVES)
             for key, group in statistics.by(pairs, lambda p: p.workshop).items()},
            {key: statistics.figures(group, OBJECTIVES)
             for key, group in statistics.by(pairs, lambda p: p.lang).items()})


def same_sides(found, expected) -> None:
    assert (found.pairs, found.only_pre, found.only_post) == (expected.pairs, expected.only_pre, expected.only_post)
    for mine, theirs in ((found.pre, expected.pre), (found.post, expected.post)):
        assert mine.count == theirs.count
        assert mine.mean == pytest.approx(theirs.mean)
        assert mine.passing == pytest.approx(theirs.passing)
    assert found.gain.count == expected.gain.count
    for name in ("mean", "low", "high"):
        assert getattr(found.gain, name) == pytest.approx(getattr(expected.gain, name), abs=1e-9)


def same_figures(session, workshops=None) -> None:
    found, per_workshop, per_language = summary(session=session, form_id=FORM, objective_of=OBJECTIVES,
                                                workshops=workshops)
    expected, expected_workshops, expected_languages = reference(session, workshops)
    same_sides(found, expected)
    for mine, theirs in ((found.objectives, expected.objectives), (found.questions, expected.questions)):
        assert [item.key for item in mine] == [item.key for item in theirs]
        for one, other in zip(mine, theirs, strict=True):
            assert one.pre == pytest.approx(other.pre) and one.post == pytest.approx(other.post)
            assert one.still_wrong == pytest.approx(other.still_wrong)
    assert list(per_workshop) == list(expected_workshops)
    assert list(per_language) == list(expected_languages)
    for key, figures in [*per_workshop.items(), *per_language.items()]:
        same_sides(figures, {**expected_workshops, **expected_languages}[key])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_running_figures_match_pairing_every_score(session, seed):
    rng = random.Random(seed)
    records = random_records(session, rng, 40)
    while records:  # batches of random size, in random order: later times may arrive first
        size = rng.randrange(1, 12)
        send(session, *records[:size], source=f"phone-{rng.randrange(5)}")
        records = records[size:]
    expected = reference(session)[0]
    assert expected.pairs and expected.only_pre and expected.only_post  # the data has every kind
    same_figures(session)
    same_figures(session, workshops=[WORKSHOPS[0]])


def test_a_later_post_test_replaces_the_earlier_one_in_the_sums(session):
    first = record(session, WRONG, phase="post", participant="KMTR47", at="2026-11-21T09:00:00Z")
    middle = record(session, WRONG, phase="post", participant="KMTR47", at="2026-11-21T10:00:00Z")
    later = record(session, RIGHT, phase="post", participant="KMTR47", at="2026-11-21T11:00:00Z")
    send(session, middle)
    send(session, later)  # replaces the middle one: its points leave the sums
    send(session, first)  # arrives last but is older: the sums keep the later one
    found = summary(session=session, form_id=FORM, objective_of=OBJECTIVES)[0]
    assert (found.post.count, found.post.mean) == (1, 100)
    assert next(item for item in found.questions if item.key == "q2").post == 1


@pytest.mark.parametrize("seed", [4])
def test_rebuild_gives_the_running_tables(session, seed):
    rng = random.Random(seed)
    records = random_records(session, rng, 25)
    for first in range(0, len(records), 7):  # several batches, so that later ones replace sides
        send(session, *records[first:first + 7])
    session.commit()

    def tables():
        read = session.connection().execute
        pairs = sorted(tuple(row) for row in read(select(tally.AssessmentPair.__table__)).all())
        sums = {tuple(row[:4]): row[4:] for row in read(select(tally.AssessmentQuestionTally.__table__))
                if row.answered}
        return pairs, sums

    running_pairs, running_sums = tables()
    tally.rebuild(session=session, form_id=FORM)
    rebuilt_pairs, rebuilt_sums = tables()
    assert running_pairs == rebuilt_pairs and running_pairs
    assert running_sums.keys() == rebuilt_sums.keys()
    for key, (points, maximum, answered, full) in running_sums.items():
        assert (answered, full) == tuple(rebuilt_sums[key][2:])
        assert (points, maximum) == pytest.approx(tuple(rebuilt_sums[key][:2]))
