"""The fast batch path stores exactly what the ORM would, and caches only what cannot change."""

import datetime
import json
import math
import uuid

import pytest
from sqlalchemy import text
from sqlmodel import select

from survey_app.engine.expressions import evaluator
from survey_app.engine.validation import validate
from survey_app.forms_store import canonical_json
from survey_app.forms_store import content_hash
from survey_app.forms_store import definition_of
from survey_app.forms_store import get_version
from survey_app.forms_store import stored_definition
from survey_app.models import FormVersion
from survey_app.models import Submission
from survey_app.submissions import STORED
from survey_app.submissions import apply_batch
from survey_app.submissions import parse_time

from .test_expressions import CASES
from .test_expressions import VECTORS
from .test_expressions import _assert_value as assert_value

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


@pytest.mark.parametrize("case", [c for c in CASES if not c.get("error")], ids=lambda c: c["expr"][:80])
def test_a_compiled_expression_meets_the_shared_vectors(case):
    """Validation runs expressions through `evaluator`: it must give what the vectors say."""
    today = case.get("today", VECTORS["today"])
    result = evaluator(case["expr"])(case.get("answers", {}), case.get("current"), today)
    if case.get("nan"):
        assert isinstance(result, float) and math.isnan(result), result
    elif "expected" in case:
        assert_value(result, case["expected"])
