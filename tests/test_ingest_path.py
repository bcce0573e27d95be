"""The fast batch path stores exactly what the ORM would, and caches only what cannot change."""

import datetime
import enum
import json
import random
import uuid
from collections import OrderedDict

import pytest
from sqlalchemy import event
from sqlalchemy import text
from sqlalchemy.dialects import sqlite
from sqlmodel import select

from survey_app.engine.validation import validate
from survey_app.forms_store import canonical_json
from survey_app.forms_store import content_hash
from survey_app.forms_store import definition_of
from survey_app.forms_store import get_version
from survey_app.forms_store import stored_definition
from survey_app.models import FormVersion
from survey_app.models import Submission
from survey_app.models import Workshop
from survey_app.submissions import CONFLICT
from survey_app.submissions import DUPLICATE
from survey_app.submissions import REJECTED
from survey_app.submissions import STORED
from survey_app.submissions import apply_batch
from survey_app.submissions import parse_time
from survey_app.submissions import sqlite_time

TODAY = datetime.date(2027, 1, 15)


def batch(version, count: int) -> list[dict]:
    return [{"uuid": str(uuid.uuid4()).upper() if n % 2 else str(uuid.uuid4()), "form_id": version.form_id,
             "form_version": version.version, "lang": "fa", "workshop": None,
             "started_at": "2026-11-22T12:30:00.250+03:30" if n % 3 else None, "submitted_at": "2026-11-22T09:10:00Z",
             "answers": {"overall": str(1 + n % 5), "age": "۳۰", "topics": ["health", "work"][: 1 + n % 2],
                         "why_low": "کمی طولانی بود", "clear": n % 5 + 1}}
            for n in range(count)]


def test_a_batch_stores_what_the_orm_reads_back_unchanged(session):
    version = get_version(session=session, form_id="sample_feedback")
    records = batch(version, 25)
    results = apply_batch(session=session, records=records, source="phone-7", today=TODAY)
    assert [r.status for r in results] == [STORED] * 25
    stored = {row.uuid: row for row in session.exec(select(Submission))}
    assert len(stored) == 25
    definition = definition_of(version)
    for record in records:
        row = stored[record["uuid"].lower()]
        answers = validate(definition, record["answers"], today=TODAY).answers
        assert row.answers == answers
        assert row.content_hash == content_hash([version.form_id, version.version, answers])
        assert row.started_at == parse_time(record["started_at"])
        assert row.submitted_at == parse_time(record["submitted_at"])
        assert (row.form_id, row.form_version, row.lang, row.workshop, row.source) == (
            version.form_id, version.version, "fa", None, "phone-7")
        assert row.received_at.tzinfo is not None


def test_times_are_stored_in_the_orms_own_format(session):
    """Rows written by the batch insert and by the ORM sort and compare together in SQL."""
    version = get_version(session=session, form_id="sample_feedback")
    records = batch(version, 3)
    apply_batch(session=session, records=records, source="phone", today=TODAY)
    orm_row = Submission(uuid=str(uuid.uuid4()), form_id=version.form_id, form_version=version.version, lang="en",
                         answers={}, content_hash="x", started_at=parse_time("2026-11-22T12:30:00.250+03:30"))
    session.add(orm_row)
    session.commit()
    kinds = session.execute(text("SELECT DISTINCT started_at FROM submission WHERE started_at IS NOT NULL")).all()
    assert len(kinds) == 1


def test_canonical_answers_text_gives_the_content_hash():
    answers = {"z": "کمی", "a": [1, 2.5], "m": None}
    prefix = f"[{canonical_json('form')},{canonical_json('v1')},"
    assert content_hash(["form", "v1", answers]) == content_hash(json.loads(prefix + canonical_json(answers) + "]"))


def stdlib_canonical_json(data) -> str:
    """The rule every stored answers text and content hash was made with."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


class Colour(enum.IntEnum):
    RED = 1


class Text(str):
    pass


def random_data(rng: random.Random, depth: int = 0):
    """Nested JSON-like data with what tells JSON writers apart: floats, big ints, odd text, keys to sort."""
    texts = ["", "a", "B", "é", "کمی", "\u2028", "\u2029", "😀", "\x00", "\x1f", "\x7f", "\\", '"', "\n", "\t",
             "\ud800", "\ufeff", "\uffff", "\U0010ffff", "</script>", "1e-05"]
    scalars = [None, True, False, 0, -1, 7, 2**63 - 1, -(2**63), 2**63, 2**64 - 1, 2**64, -(2**64), 10**30,
               1e-05, 2.5e-07, 0.1, 1.5, -0.0, 1e16, 1e22, 123456789.123, float("nan"), float("inf"), 3.0]
    kind = rng.randrange(8 if depth < 4 else 3)
    if kind == 0:
        return rng.choice(scalars)
    if kind in (1, 2):
        return "".join(rng.choice(texts) for _ in range(rng.randrange(4)))
    if kind in (3, 4):
        return [random_data(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {"".join(rng.choice(texts) for _ in range(rng.randrange(3))): random_data(rng, depth + 1)
            for _ in range(rng.randrange(5))}


def test_canonical_json_is_the_standard_librarys_text_byte_for_byte():
    """orjson writes the plain cases; floats, big ints, surrogates and anything odd go the standard library's way."""
    rng = random.Random(20261122)
    for _ in range(5000):
        data = random_data(rng)
        assert canonical_json(data) == stdlib_canonical_json(data), data
    odd = [Colour.RED, {"k": Colour.RED}, Text("x"), {Text("b"): 1, "a": 2}, OrderedDict(b=1, a=2), (1, "a"),
           {"a": (1, 2)}, {"\ud800": 1}, ["\udc00"], [2**64], {"f": 1e-05}, [[[[[[[[[[1]]]]]]]]]] * 3]
    for data in odd:
        assert canonical_json(data) == stdlib_canonical_json(data), data
    deep = nested = []
    for _ in range(200):
        nested.append([])
        nested = nested[0]
    assert canonical_json(deep) == stdlib_canonical_json(deep)
    for refused in ({1: "a", "b": 2}, {"a": {1, 2}}, datetime.date(2026, 1, 1), uuid.uuid4()):
        with pytest.raises(TypeError):
            stdlib_canonical_json(refused)
        with pytest.raises(TypeError):
            canonical_json(refused)


PINNED_VERSION = "pinned-v1"
STORED_BEFORE = {  # hashes computed with stdlib_canonical_json, before orjson wrote any answers
    "no_float": ({}, "c4e8218715df5843c1f3cb84ae88222903b4fc338261a083b0799ecb090f6c87"),
    "float": ({"hours": 1.5e-05}, "d6b51598c796d3ed08d643a4b8453ec1a3cf1b2b7898980b77744c23738d2fc0"),
}


@pytest.mark.parametrize("case", STORED_BEFORE)
def test_a_record_stored_before_and_resent_now_is_a_duplicate(session, case):
    """A phone that never heard back resends: the same content must hash the same as when it was stored."""
    extra, stored_hash = STORED_BEFORE[case]
    current = get_version(session=session, form_id="sample_feedback")
    session.add(FormVersion(form_id=current.form_id, version=PINNED_VERSION, number=99, definition=current.definition))
    answers = {"overall": 2, "why_low": "کمی طولانی بود\u2028😀", "clear": "4", "age": 30,
               "topics": ["work", "health"], "low_score": 1, **extra}
    assert content_hash([current.form_id, PINNED_VERSION, answers]) == stored_hash
    sent_uuid = str(uuid.uuid4())
    session.add(Submission(uuid=sent_uuid, form_id=current.form_id, form_version=PINNED_VERSION, lang="fa",
                           answers=answers, content_hash=stored_hash, source="before"))
    session.commit()

    def sent(uuid_, **changes):
        raw = {"overall": "2", "why_low": answers["why_low"], "clear": "4", "age": "30", "topics": ["work", "health"],
               **({"hours": "0.000015"} if extra else {}), **changes}
        return {"uuid": uuid_, "form_id": current.form_id, "form_version": PINNED_VERSION, "lang": "fa",
                "started_at": None, "submitted_at": "2026-11-22T09:10:00Z", "workshop": None, "answers": raw}

    fresh_uuid = str(uuid.uuid4())
    results = apply_batch(session=session, records=[sent(sent_uuid), sent(sent_uuid, age="31"), sent(fresh_uuid)],
                          source="phone", today=TODAY)
    assert [r.status for r in results] == [DUPLICATE, CONFLICT, STORED]
    fresh = session.exec(select(Submission).where(Submission.uuid == fresh_uuid)).one()
    assert fresh.content_hash == stored_hash
    if session.get_bind().dialect.name == "sqlite":  # PostgreSQL keeps jsonb, not the text
        query = text("SELECT answers FROM submission WHERE uuid = :uuid")
        stored_text = session.execute(query, {"uuid": fresh_uuid}).scalar()
        assert stored_text == stdlib_canonical_json(answers)


def test_times_are_written_as_the_column_type_writes_them_into_sqlite():
    column = Submission.__table__.c.started_at.type
    dialect = sqlite.dialect()
    to_text = column.dialect_impl(dialect).bind_processor(dialect)
    rng = random.Random(7)
    zones = [datetime.UTC, datetime.timezone(datetime.timedelta(hours=3, minutes=30)),
             datetime.timezone(datetime.timedelta(hours=-5)), datetime.timezone(datetime.timedelta(hours=14))]
    moments = [datetime.datetime(1, 1, 1, tzinfo=datetime.UTC),
               datetime.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.UTC),
               datetime.datetime(999, 5, 6, 7, 8, 9, 10, tzinfo=zones[1])]
    for _ in range(2000):
        day = datetime.date(rng.randint(2, 9998), rng.randint(1, 12), rng.randint(1, 28))
        time = datetime.time(rng.randrange(24), rng.randrange(60), rng.randrange(60),
                             rng.choice([0, 1, 250000, 999999, rng.randrange(1000000)]), tzinfo=rng.choice(zones))
        moments.append(datetime.datetime.combine(day, time))
    for moment in moments:
        assert sqlite_time(moment) == to_text(moment), moment
    assert sqlite_time(None) is None


def count_statements(session, table: str) -> list:
    """Collect the statements that read `table` while the test runs."""
    seen = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if f"FROM {table}" in statement:
            seen.append(statement)

    event.listen(session.get_bind(), "before_cursor_execute", before)
    return seen


def test_a_batch_looks_each_workshop_up_once(session):
    version = get_version(session=session, form_id="sample_feedback")
    session.add(Workshop(code="CLOSED22", title="Closed", start_date=datetime.date(2026, 11, 1),
                         end_date=datetime.date(2026, 11, 2), closed_at=datetime.datetime(2026, 11, 22, 12, 0,
                                                                                          tzinfo=datetime.UTC)))
    session.add(Workshop(code="OPEN2222", title="Open", start_date=datetime.date(2026, 11, 1),
                         end_date=datetime.date(2026, 11, 30)))
    session.commit()
    records = batch(version, 16)
    codes = ["CLOSED22", "OPEN2222", "ELSEWHERE", None]
    for n, record in enumerate(records):
        record["workshop"] = codes[n % 4]
        record["started_at"] = "2026-11-22T11:00:00Z" if n % 8 < 4 else "2026-11-22T13:00:00Z"
    seen = count_statements(session, "workshop")
    results = apply_batch(session=session, records=records, source="phone", today=TODAY)
    assert len(seen) == 3  # one per code named, however many records name it
    expected = [REJECTED if record["workshop"] == "CLOSED22" and n % 8 >= 4 else STORED
                for n, record in enumerate(records)]
    assert [r.status for r in results] == expected
    assert [r.errors for r in results if r.status == REJECTED] == [{"workshop": "workshop_closed"}] * 2


def test_a_cached_definition_is_not_used_for_a_version_this_database_lacks(session):
    version = get_version(session=session, form_id="sample_feedback")
    first = stored_definition(session=session, form_id=version.form_id, version=version.version)
    assert first is definition_of(version)
    assert stored_definition(session=session, form_id=version.form_id, version=version.version) is first
    session.delete(session.get(FormVersion, version.id))
    session.flush()
    assert stored_definition(session=session, form_id=version.form_id, version=version.version) is None
    assert stored_definition(session=session, form_id=version.form_id, version="nope") is None
    session.rollback()
