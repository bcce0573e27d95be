"""Running tallies: the summary read from them equals the old full scan of the answers.

Records go in through the real ingestion path (submissions.apply_batch) with varied data:
two versions (one with a question and an option the current one no longer has), NULL and
named workshops, three languages, times with offsets around midnight and without any,
select_multiple, decimals, dates; plus duplicates, conflicts and rejected records, which
must not count. tests/results_reference.py holds the old full-scan computation. Each test
runs on SQLite and on PostgreSQL.
"""

import datetime
import random
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from alembic import command
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy import text
from sqlmodel import Session

import tests.results_reference as reference
from survey_app import migrations
from survey_app import results
from survey_app import tallies
from survey_app.engine.definition import definition_to_dict
from survey_app.engine.loader import load_dict
from survey_app.forms_store import get_version
from survey_app.forms_store import publish
from survey_app.models import AnswerTally
from survey_app.models import Submission
from survey_app.models import SubmissionTally
from survey_app.submissions import DUPLICATE
from survey_app.submissions import STORED
from survey_app.submissions import apply_batch

FORM = "sample_feedback"
TODAY = datetime.date(2026, 12, 31)
WORKSHOPS = (None, None, "AAAA2222", "BBBB3333", "")
OFFSETS = ("Z", "+03:30", "-05:00", "+04:30")


@pytest.fixture
def versions(session):
    """The current version and an older one with a retired question and a retired option."""
    current = get_version(session=session, form_id=FORM)
    older = definition_to_dict(load_dict(current.definition))
    older["choices"]["topics"].append({"name": "food", "label": {"en": "Food"}})
    older["survey"].append({"type": "select_one agreement", "name": "venue_ok", "label": {"en": "Venue was fine"}})
    older["survey"].append({"type": "text", "name": "venue", "label": {"en": "Venue"}})
    old = publish(session=session, definition=older)
    publish(session=session, definition=current.definition)  # the original is current again
    return get_version(session=session, form_id=FORM), old


def random_record(rng: random.Random, version, *, retired: bool) -> dict:
    answers = {"overall": str(rng.randint(1, 5))}
    if rng.random() < 0.8:
        answers["clear"] = rng.choice("12345")
    if rng.random() < 0.7:
        answers["topics"] = rng.sample(["housing", "work", "health", "other"] + (["food"] if retired else []),
                                       rng.randint(1, 2))
        if "other" in answers["topics"]:
            answers["topics_other"] = rng.choice(["", "transport", "language classes"])
    if rng.random() < 0.6:
        answers["age"] = str(rng.choice([15, 18, 30, 31, 45, 99, 100]))
    if rng.random() < 0.5:
        answers["hours"] = str(rng.choice([0.1, 0.25, 1, 1.5, 2.75, 12.125]))
    if rng.random() < 0.6:
        answers["session_date"] = f"2026-11-{rng.randint(1, 30):02d}"
    if int(answers["overall"]) <= 2:
        answers["why_low"] = rng.choice(["", "too long", "<b>loud</b>", "کمی طولانی بود"])
    if retired:
        answers["venue_ok"] = rng.choice("1245")
        answers["venue"] = rng.choice(["", "Tehran", "Mashhad"])
    record = {"uuid": str(uuid.uuid4()), "form_id": FORM, "form_version": version.version,
              "lang": rng.choice(["fa", "fa", "en", "ps"]), "workshop": rng.choice(WORKSHOPS), "answers": answers,
              "started_at": None, "submitted_at": None}
    if rng.random() < 0.9:  # the others are counted on the day the server received them
        day, hour = rng.randint(18, 24), rng.choice([0, 1, 12, 22, 23])
        record["submitted_at"] = f"2026-11-{day:02d}T{hour:02d}:{rng.randint(0, 59):02d}:00{rng.choice(OFFSETS)}"
    return record


def ingest(session, versions, count: int, seed: int) -> list[dict]:
    """Store `count` random records in batches, with resends, conflicts and rejects mixed in."""
    rng, current, old = random.Random(seed), *versions
    stored = []
    for _batch in range(4):
        batch = [random_record(rng, old if rng.random() < 0.3 else current, retired=False)
                 for _ in range(count // 4)]
        for record in batch[:5]:
            if record["form_version"] == old.version:
                record["answers"].update(random_record(rng, old, retired=True)["answers"])
        batch += [dict(record) for record in stored[:3]]  # resent: duplicates
        if stored:
            batch.append({**stored[-1], "answers": {"overall": "1", "why_low": "changed"}})  # a conflict
        batch.append({**batch[0], "uuid": str(uuid.uuid4()), "answers": {"overall": "9"}})  # rejected
        batch.append(dict(batch[1]))  # the same UUID twice in one batch
        outcome = apply_batch(session=session, records=batch, source="test", today=TODAY)
        stored += [record for record, result in zip(batch, outcome, strict=True) if result.status == STORED]
        assert DUPLICATE in {result.status for result in outcome}
    return stored


def filter_sets(session, versions) -> list[results.Filters]:
    day = datetime.date
    return [
        results.Filters(),
        results.Filters(workshop="AAAA2222"),
        results.Filters(lang="en"),
        results.Filters(version=versions[1].version),
        results.Filters(date_from=day(2026, 11, 20), date_to=day(2026, 11, 21)),
        results.Filters(date_from=day(2026, 11, 23)),
        results.Filters(date_to=day(2026, 11, 19), workshop="BBBB3333", lang="fa"),
        results.Filters(date_from=TODAY),  # nothing
    ]


def assert_same_summary(new: results.Summary, old: results.Summary) -> None:
    assert (new.total, new.per_day) == (old.total, old.per_day)
    assert [q.item.name for q in new.questions] == [q.item.name for q in old.questions]
    for a, b in zip(new.questions, old.questions, strict=True):
        assert (a.item.name, a.answered, a.counts, a.bins, a.first, a.last) == \
               (b.item.name, b.answered, b.counts, b.bins, b.first, b.last)
        if b.stats is None:
            assert a.stats is None
            continue
        assert (a.stats.count, a.stats.minimum, a.stats.maximum) == (b.stats.count, b.stats.minimum, b.stats.maximum)
        assert a.stats.mean == pytest.approx(b.stats.mean)
        assert a.stats.median == pytest.approx(b.stats.median)


def tally_rows(session) -> tuple[list, list]:
    return (sorted(tuple(row) for row in session.execute(select(*SubmissionTally.__table__.c)).all()),
            sorted(tuple(row) for row in session.execute(select(*AnswerTally.__table__.c)).all()))


@pytest.mark.parametrize("seed", [1, 2])
def test_summary_from_tallies_equals_the_full_scan(session, versions, seed):
    stored = ingest(session, versions, 120, seed)
    assert len(session.execute(select(Submission.id)).all()) == len(stored)
    for filters in filter_sets(session, versions):
        new = results.summarise(session=session, form_id=FORM, filters=filters)
        old = reference.summarise(session=session, form_id=FORM, filters=filters)
        assert_same_summary(new, old)
        for name in ("why_low", "topics_other", "venue"):
            written = results.count_answered(session=session, form_id=FORM, filters=filters, name=name)
            assert written == reference.count_answered(session=session, form_id=FORM, filters=filters, name=name)
            newest = results.text_answers(session=session, form_id=FORM, filters=filters, name=name, per_page=3)
            expected = reference.text_answers(session=session, form_id=FORM, filters=filters, name=name, per_page=3)
            assert [tuple(vars(answer).values()) for answer in newest] == expected
        assert results.count(session=session, form_id=FORM, filters=filters) == new.total
    everything = results.summarise(session=session, form_id=FORM, filters=results.Filters())
    assert everything.total == len(stored) > 0
    assert results.response_counts(session=session) == {FORM: len(stored)}
    assert results.workshops_answered(session=session, form_id=FORM) == {"AAAA2222", "BBBB3333"}
    topics = next(q for q in everything.questions if q.item.name == "topics")
    assert topics.counts[-1][0] == "food" and topics.counts[-1][1] > 0  # a retired option, counted


def test_duplicates_conflicts_and_rejects_do_not_count(session, versions):
    current = versions[0]
    record = random_record(random.Random(3), current, retired=False)
    record["answers"] = {"overall": "5", "topics": ["work"]}
    apply_batch(session=session, records=[record, dict(record)], source="test", today=TODAY)
    apply_batch(session=session, records=[dict(record), {**record, "answers": {"overall": "2"}},
                                          {**record, "uuid": str(uuid.uuid4()), "answers": {"overall": "7"}}],
                source="test", today=TODAY)
    summary = results.summarise(session=session, form_id=FORM, filters=results.Filters())
    overall = next(q for q in summary.questions if q.item.name == "overall")
    assert (summary.total, overall.answered, overall.counts) == (1, 1, [("1", 0), ("2", 0), ("3", 0), ("4", 0),
                                                                         ("5", 1)])


def test_a_failed_batch_leaves_the_tallies_as_they_were(session, versions, monkeypatch):
    current = versions[0]
    before = tally_rows(session)

    real_write = tallies.Counts.write

    def broken(self, connection):  # the counts are written, then the batch fails before its commit
        real_write(self, connection)
        raise RuntimeError("disk full")

    monkeypatch.setattr(tallies.Counts, "write", broken)
    with pytest.raises(RuntimeError):
        apply_batch(session=session, records=[random_record(random.Random(4), current, retired=False)],
                    source="test", today=TODAY)
    session.rollback()
    assert tally_rows(session) == before
    assert session.execute(select(Submission.id)).first() is None


def test_rebuild_equals_the_counts_kept_at_ingestion(session, versions, runner):
    ingest(session, versions, 80, seed=5)
    incremental = tally_rows(session)
    assert incremental[0] and incremental[1]
    session.close()
    result = runner.invoke(args=["results", "rebuild"])
    assert result.exit_code == 0, result.output
    assert f"recounted the tallies of {sum(row[-1] for row in incremental[0])} submissions" in result.output
    assert tally_rows(session) == incremental


def test_concurrent_batches_lose_no_count(app, session, versions):
    """Batches stored at once on the same keys: every count arrives, none twice (no deadlock either)."""
    engine, current = app.extensions["survey_engine"], versions[0]
    batches = [[random_record(random.Random(seed * 100 + n), current, retired=False) for n in range(15)]
               for seed in range(6)]
    session.close()

    def store(batch):
        with Session(engine) as own:
            return apply_batch(session=own, records=batch, source="test", today=TODAY)

    with ThreadPoolExecutor(max_workers=3) as pool:
        outcomes = list(pool.map(store, batches))
    stored = sum(result.status == STORED for outcome in outcomes for result in outcome)
    incremental = tally_rows(session)
    assert sum(row[-1] for row in incremental[0]) == stored > 60  # a few are refused (topics_other left empty)
    session.close()
    with engine.begin() as connection:
        tallies.rebuild(connection=connection)
    assert tally_rows(session) == incremental


def test_migration_fills_the_tallies_of_stored_submissions(app, session, versions):
    ingest(session, versions, 60, seed=6)
    incremental = tally_rows(session)
    session.close()
    engine = app.extensions["survey_engine"]
    with engine.begin() as connection:
        command.downgrade(migrations.alembic_config(connection), migrations.INITIAL)
    with engine.connect() as connection:
        assert not connection.dialect.has_table(connection, "answertally")
        assert "answered_at" not in {column["name"] for column in inspect(connection).get_columns("submission")}
    migrations.upgrade(engine)
    assert tally_rows(session) == incremental
    assert session.execute(text("SELECT count(*) FROM submission WHERE answered_at IS NULL")).scalar() == 0
    new = results.summarise(session=session, form_id=FORM, filters=results.Filters())
    assert_same_summary(new, reference.summarise(session=session, form_id=FORM, filters=results.Filters()))


def test_counting_rules_for_odd_values():
    assert tallies.values_of(4.0) == [("n", "4")] and tallies.values_of(1.5) == [("n", "1.5")]
    assert tallies.values_of("4") == [("s", "4")] and tallies.values_of(True) == [("s", "true")]
    assert tallies.values_of(["a", 2]) == [("m", "a"), ("m", "2")] and tallies.values_of({"x": 1}) == []


def test_counts_keep_values_that_compare_equal_apart(monkeypatch):
    """True, 1 and 1.0 are equal in Python but counted as "true", "1" and "1"; text only as answered or empty."""
    monkeypatch.setitem(tallies._COUNTED, ("f", "v"), frozenset({"q", "picks"}))
    answers = [{"q": True, "note": ""}, {"q": 1, "note": "hello"}, {"q": 1.0, "picks": ["a", "b"]},
               {"q": "x" * (tallies.MAX_VALUE + 1), "note": None}, {"q": False, "picks": ["a"]}, {"q": "1"}]
    counts = tallies.Counts()
    day = datetime.date(2026, 11, 20)
    for answer in answers:
        counts.add(None, {"form_id": "f", "form_version": "v", "workshop": None, "lang": "fa", "answers": answer}, day)
    counts.fold()
    assert dict(counts.answers[("f", "v", "", "fa", day)]) == {
        ("q", "a", ""): 6, ("q", "s", "true"): 1, ("q", "n", "1"): 2, ("q", "s", "false"): 1, ("q", "s", "1"): 1,
        ("note", "a", ""): 2, ("note", "s", ""): 1, ("picks", "a", ""): 2, ("picks", "m", "a"): 2,
        ("picks", "m", "b"): 1,
    }


def test_options_picked_count_one_by_one_whatever_the_list_holds(monkeypatch):
    """Lists of strings are counted per list then per option; other lists value by value, as values_of says."""
    monkeypatch.setitem(tallies._COUNTED, ("f", "v"), frozenset({"picks"}))
    long = "x" * (tallies.MAX_VALUE + 1)
    lists = [["a", "b"], ["b", "a"], ["a", "a"], [], [long, "a"], [1, "1", True], ["true"], [1.0, None], ["a", "b"]]
    counts = tallies.Counts()
    day = datetime.date(2026, 11, 20)
    for picks in lists:
        row = {"form_id": "f", "form_version": "v", "workshop": "W", "lang": "fa", "answers": {"picks": picks}}
        counts.add(None, row, day)
    counts.fold()
    assert dict(counts.answers[("f", "v", "W", "fa", day)]) == {
        ("picks", "a", ""): 9, ("picks", "m", "a"): 6, ("picks", "m", "b"): 3, ("picks", "m", "1"): 3,
        ("picks", "m", "true"): 2, ("picks", "m", "None"): 1,
    }
