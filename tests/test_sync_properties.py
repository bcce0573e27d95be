"""The sync rule as a property: whatever a batch holds, every record ends stored, duplicate, conflict or rejected.

Hypothesis writes batches of records made of any JSON (any Unicode, control characters and halves of
surrogate pairs included, any float including inf and NaN), mixed with records that are nearly or fully
valid so that storing, duplicates and conflicts happen too. On SQLite and PostgreSQL alike, no request
answers 5xx, a refused request stores nothing, and after each batch the tables hold exactly what the
results say: one submission per `stored`, one quarantined record per distinct record kept aside.
"""

import datetime
import json
import uuid

from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import select

from survey_app.forms_store import content_hash
from survey_app.models import QuarantinedRecord
from survey_app.models import Submission
from survey_app.submissions import escaped
from survey_app.submissions import unstorable

from .test_sync_api import SYNC
from .test_sync_api import current_version

STATUSES = {"stored", "duplicate", "conflict", "rejected"}
POOL = [str(uuid.UUID(int=n, version=4)) for n in range(1, 9)]  # shared UUIDs: duplicates and conflicts

any_text = st.text(st.characters(blacklist_categories=()), max_size=12)  # Cs (surrogates) and Cc included
scalars = (st.none() | st.booleans() | st.integers(-(10**30), 10**30)
           | st.floats(allow_nan=True, allow_infinity=True) | any_text)
any_json = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3), max_leaves=10)
valid_times = st.datetimes(min_value=datetime.datetime(2020, 1, 1), max_value=datetime.datetime(2030, 1, 1)).map(
    lambda moment: moment.isoformat() + "Z")
odd_times = (st.datetimes().map(lambda moment: moment.isoformat() + "Z") | any_text
             | st.sampled_from(["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-01-05T09:00:00+14:00"]))
odd_uuids = (st.uuids().map(str) | st.sampled_from(POOL).map(lambda u: u + "\n") | any_text
             | st.sampled_from(POOL).map(lambda u: u.replace("-", "")))
valid_answers = st.fixed_dictionaries({"overall": st.sampled_from(["4", "5", 3])},
                                      optional={"age": st.sampled_from(["30", 41])})
odd_answers = st.fixed_dictionaries({}, optional={
    "overall": st.sampled_from(["1", "2", "9"]) | any_json, "age": any_json, "why_low": any_text | any_json,
    "unknown": any_json})


def mostly(valid, odd):
    """Valid values four times in five, so that storing, duplicates and conflicts happen as often as refusals."""
    return st.integers(0, 4).flatmap(lambda n: odd if n == 0 else valid)


@st.composite
def records(draw, version: str):
    """A record: valid, nearly valid (some fields dropped or replaced by any JSON), or any JSON at all."""
    record = {"uuid": draw(mostly(st.sampled_from(POOL) | st.sampled_from(POOL).map(str.upper) | st.uuids().map(str),
                                  odd_uuids)),
              "form_id": "sample_feedback", "form_version": version,
              "lang": draw(mostly(st.sampled_from(["en", "fa"]), any_text)),
              "started_at": draw(mostly(st.none() | valid_times, odd_times)),
              "submitted_at": draw(mostly(valid_times, odd_times)),
              "workshop": draw(mostly(st.none(), any_text)), "answers": draw(mostly(valid_answers, odd_answers))}
    if draw(st.integers(0, 4)) == 0:
        for key in draw(st.lists(st.sampled_from(sorted(record)), min_size=1, max_size=3, unique=True)):
            if draw(st.booleans()):
                del record[key]
            else:
                record[key] = draw(any_json)
    return draw(mostly(st.just(record), any_json))


def kept_key(record, status: str) -> tuple[str, str]:
    """The quarantine's own identity of a record kept aside: its status and payload hash."""
    payload = record if isinstance(record, dict) else {"value": record}
    if unstorable(payload) is not None:
        payload = escaped(record)
    return status, content_hash([status, payload])


def table_counts(session) -> tuple[int, int]:
    try:
        return (session.exec(select(func.count()).select_from(Submission)).one(),
                session.exec(select(func.count()).select_from(QuarantinedRecord)).one())
    finally:
        session.rollback()


def test_every_record_of_any_batch_gets_a_result_and_the_tables_agree(client, session):
    version = current_version(client)
    kept: set[tuple[str, str]] = set()
    initial = table_counts(session)

    @given(batch=st.lists(records(version), max_size=6),
           source=st.sampled_from(["phone-1", "laptop"]) | any_text)
    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def batch_is_accounted_for(batch, source):
        before = table_counts(session)
        body = json.dumps({"source": source, "submissions": batch}).encode()  # NaN, Infinity, \udxxx escapes
        response = client.post(SYNC, data=body, content_type="application/json")
        assert response.status_code < 500, response.data
        after = table_counts(session)
        if response.status_code != 200:
            assert after == before and response.get_json()["error"]
            return
        results = response.get_json()["results"]
        assert len(results) == len(batch)
        assert {result["status"] for result in results} <= STATUSES
        kept.update(kept_key(record, result["status"]) for record, result in zip(batch, results, strict=True)
                    if result["status"] in ("rejected", "conflict"))
        assert after[0] == before[0] + sum(result["status"] == "stored" for result in results)
        assert after[1] == initial[1] + len(kept)

    batch_is_accounted_for()
    stored_uuids = [row for (row,) in session.execute(select(Submission.uuid))]
    session.rollback()
    assert all(len(value) == 36 and value == value.lower() and uuid.UUID(value) for value in stored_uuids)
