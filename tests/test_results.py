"""Results: statistics from aggregate queries against hand-computed values, and the results pages.

The fixture is 30 submissions to sample_feedback, numbered i = 0..29, made by simple rules
(see `answers_of`); every expected number below was worked out by hand from those rules.
Each test runs on SQLite and on PostgreSQL.
"""

import datetime
import re
import uuid

import pytest

from survey_app import results
from survey_app import staff_sessions
from survey_app import stats
from survey_app import tallies
from survey_app.accounts import create_user
from survey_app.engine.definition import definition_to_dict
from survey_app.engine.loader import load_dict
from survey_app.forms_store import content_hash
from survey_app.forms_store import get_version
from survey_app.forms_store import publish
from survey_app.models import Submission
from survey_app.models import Workshop

FORM = "sample_feedback"
PASSWORD = "a long enough password"
OVERALL = (5, 4, 4, 3, 5, 2, 1, 4, 5, 3)  # overall = OVERALL[i % 10]
DAYS = {range(0, 10): 20, range(10, 22): 21, range(22, 30): 23}  # day of November 2026
SCRIPT = "<script>alert(1)</script> & co"


def answers_of(i: int) -> dict:
    """The answers of submission i (hand-computed totals are in the tests)."""
    answers = {"overall": OVERALL[i % 10]}
    if i % 10 != 7:
        answers["clear"] = "4" if i % 2 == 0 else "5" if i % 3 == 0 else "1"
    topics = (["housing", "work"], ["health"], [], ["housing", "health"])[i % 4]
    if topics:
        answers["topics"] = topics
    if i < 16:
        answers["age"] = 30 if i < 8 else 40 if i < 15 else 50
    if i % 5 == 0 or i == 1:
        answers["hours"] = 1.5 if i % 5 == 0 else 2.5
    if answers["overall"] <= 2:
        answers["why_low"] = SCRIPT if i == 16 else f"answer {i}"
    return answers


def day_of(i: int) -> int:
    return next(day for span, day in DAYS.items() if i in span)


def add_submission(session, version: str, answers: dict, *, day=20, minute=0, workshop=None, lang="fa"):
    """Store a submission as given (no validation) and count it, as ingestion does."""
    moment = datetime.datetime(2026, 11, day, 9, minute, tzinfo=datetime.UTC)
    row = {"uuid": str(uuid.uuid4()), "form_id": FORM, "form_version": version, "lang": lang, "answers": answers,
           "workshop": workshop, "submitted_at": moment}
    session.add(Submission(**row, content_hash=content_hash(answers), source="test", started_at=moment))
    tallies.add(session=session, rows=[row], inserted={row["uuid"]})


@pytest.fixture
def version(session):
    return get_version(session=session, form_id=FORM)


@pytest.fixture
def thirty(session, version):
    """Seed the 30 submissions: workshop A for i < 18, B for 18..25, none after; fa for even i."""
    for i in range(30):
        workshop = "AAAA2222" if i < 18 else "BBBB3333" if i < 26 else None
        add_submission(session, version.version, answers_of(i), day=day_of(i), minute=i, workshop=workshop,
                       lang="fa" if i % 2 == 0 else "en")
    session.commit()


def summary_of(session, **filters) -> results.Summary:
    return results.summarise(session=session, form_id=FORM, filters=results.Filters(**filters))


def question(summary: results.Summary, name: str) -> results.QuestionSummary:
    return next(q for q in summary.questions if q.item.name == name)


def test_counts_match_hand_computed_values(session, thirty):
    summary = summary_of(session)
    assert summary.total == 30
    day = datetime.date
    assert summary.per_day == [(day(2026, 11, 20), 10), (day(2026, 11, 21), 12), (day(2026, 11, 22), 0),
                               (day(2026, 11, 23), 8)]
    overall = question(summary, "overall")
    assert (overall.answered, overall.counts) == (30, [("1", 3), ("2", 3), ("3", 6), ("4", 9), ("5", 9)])
    clear = question(summary, "clear")  # 15 even i give 4; odd i: 3, 9, 15, 21, 27 give 5, the others 1; 7, 17, 27 skip
    assert (clear.answered, clear.counts) == (27, [("1", 8), ("2", 0), ("3", 0), ("4", 15), ("5", 4)])
    topics = question(summary, "topics")  # i % 4 = 0, 1, 3 answer: 8 + 8 + 7
    assert (topics.answered, topics.counts) == (23, [("housing", 15), ("work", 8), ("health", 15), ("other", 0)])
    assert topics.share(15) == pytest.approx(15 / 23)


def test_number_statistics_match_hand_computed_values(session, thirty):
    summary = summary_of(session)
    age = question(summary, "age").stats  # 8 x 30, 7 x 40, 1 x 50
    assert (age.count, age.minimum, age.maximum) == (16, 30, 50)
    assert age.mean == pytest.approx(570 / 16)
    assert age.median == pytest.approx(35)  # between the 8th (30) and 9th (40) value
    hours = question(summary, "hours").stats  # 6 x 1.5 and 1 x 2.5
    assert (hours.count, hours.median) == (7, pytest.approx(1.5))
    assert hours.mean == pytest.approx(11.5 / 7)
    overall = question(summary, "overall").stats
    assert (overall.mean, overall.median) == (pytest.approx(108 / 30), pytest.approx(4))


def test_whole_numbers_are_grouped_into_ranges_by_the_database(session, thirty):
    bins = question(summary_of(session), "age").bins  # 30..50 is 21 values: 7 ranges of 3
    assert bins == [(30, 32, 8), (33, 35, 0), (36, 38, 0), (39, 41, 7), (42, 44, 0), (45, 47, 0), (48, 50, 1)]


@pytest.mark.parametrize(
    ("filters", "total", "overall"),
    [
        ({"workshop": "AAAA2222"}, 18, [2, 2, 3, 6, 5]),  # i = 0..17
        ({"date_from": datetime.date(2026, 11, 21), "date_to": datetime.date(2026, 11, 21)}, 12, [1, 1, 2, 4, 4]),
        ({"date_from": datetime.date(2026, 11, 22)}, 8, [1, 1, 2, 2, 2]),  # i = 22..29
        ({"lang": "en"}, 15, [0, 3, 6, 6, 0]),  # odd i
        ({"workshop": "AAAA2222", "lang": "en"}, 9, [0, 2, 3, 4, 0]),  # odd i below 18
    ],
)
def test_filters_narrow_every_count(session, thirty, filters, total, overall):
    summary = summary_of(session, **filters)
    assert summary.total == total
    assert [count for _name, count in question(summary, "overall").counts] == overall


def test_written_answers_come_newest_first_a_page_at_a_time(session, thirty):
    summary = summary_of(session)
    assert question(summary, "why_low").answered == 6  # overall <= 2 when i % 10 is 5 or 6
    first = results.text_answers(session=session, form_id=FORM, filters=results.Filters(), name="why_low", per_page=4)
    second = results.text_answers(session=session, form_id=FORM, filters=results.Filters(), name="why_low",
                                  page=2, per_page=4)
    assert [a.text for a in first] == ["answer 26", "answer 25", SCRIPT, "answer 15"]
    assert [a.text for a in second] == ["answer 6", "answer 5"]
    assert results.count_answered(session=session, form_id=FORM, filters=results.Filters(), name="why_low") == 6


@pytest.mark.parametrize(("filters", "index"), [
    ({}, "ix_submission_form_id_answered_at"),
    ({"workshop": "W-7"}, "ix_submission_workshop_form_id_answered_at"),
])
def test_newest_written_answers_are_read_from_an_index_without_sorting(session, filters, index):
    """The database's plan: the page of newest answers walks an index in order, for a workshop too.

    With the questionnaire's index alone, a workshop filter walked all of the questionnaire's
    submissions to find one small workshop's answers. (PostgreSQL is told to avoid full scans and
    sorts, as it would on a large table: a handful of test rows is cheaper to scan; it has no
    statistics to prefer one index over the other, see below.)
    """
    from sqlalchemy import event

    statements = []
    engine = session.get_bind()
    listener = lambda conn, cursor, statement, params, context, many: statements.append((statement, params))  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        results.text_answers(session=session, form_id=FORM, filters=results.Filters(**filters), name="why_low")
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    statement, params = statements[-1]
    connection = session.connection()
    if engine.dialect.name == "postgresql":
        for setting in ("enable_seqscan", "enable_sort", "enable_bitmapscan"):
            connection.exec_driver_sql(f"SET LOCAL {setting} = off")
        if filters:
            # Without statistics PostgreSQL may as well walk the questionnaire's index and filter:
            # take that one away (inside this transaction, rolled back below) to ask whether the
            # workshop's own index serves the page without a sort.
            connection.exec_driver_sql("DROP INDEX ix_submission_form_id_answered_at")
        plan = " ".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}", params))
        assert f"Index Scan Backward using {index}" in plan, plan
        assert "Sort" not in plan
    else:
        plan = " ".join(row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params))
        assert f"USING INDEX {index}" in plan, plan
        assert "TEMP B-TREE" not in plan  # no sort
    session.rollback()


def test_a_question_changed_between_single_and_multiple_choice_counts_every_answer(session, version):
    """An older version asked "choose one" where the current asks "choose any": nothing goes uncounted."""
    older = definition_to_dict(load_dict(version.definition))
    topics = older["survey"][2]["children"][2]
    assert topics["name"] == "topics"
    topics["type"], topics["constraint"] = "select_one topics", None
    older["choices"]["topics"].append({"name": "food", "label": {"en": "Food", "fa": "غذا"}})
    clear = older["survey"][1]["children"][3]
    assert clear["name"] == "clear"
    clear["type"] = "select_multiple agreement"
    old = publish(session=session, definition=older)
    publish(session=session, definition=version.definition)
    add_submission(session, old.version, {"overall": 4, "topics": "food", "clear": ["4", "5"]})
    add_submission(session, old.version, {"overall": 4, "topics": "housing"})
    add_submission(session, version.version, {"overall": 5, "topics": ["housing", "work"], "clear": "4"})
    session.commit()
    summary = summary_of(session)
    topics_now = question(summary, "topics")
    assert topics_now.kind == "multiple" and topics_now.answered == 3
    assert topics_now.counts == [("housing", 2), ("work", 1), ("health", 0), ("other", 0), ("food", 1)]
    assert topics_now.item.option_label("food", "en") == "Food"
    clear_now = question(summary, "clear")
    assert clear_now.kind == "likert" and clear_now.answered == 2
    assert dict(clear_now.counts) == {"1": 0, "2": 0, "3": 0, "4": 2, "5": 1}


@pytest.mark.parametrize(
    ("distribution", "median"),
    [([], None), ([(7, 1)], 7), ([(1, 1), (3, 1)], 2), ([(1, 2), (2, 1), (9, 1)], 1.5), ([(1, 3), (5, 2)], 1)],
)
def test_median_of_grouped_values_is_read_from_the_middle_counts(distribution, median):
    assert stats.median_of(distribution) == median


class CountingSession:
    """A session that counts the rows each query hands back to Python."""

    def __init__(self, session):
        self.session, self.rows = session, 0

    def exec(self, statement):
        rows = self.session.exec(statement).all()
        self.rows += len(rows)
        return Rows(rows)

    def get(self, *args):
        return self.session.get(*args)

    def get_bind(self):
        return self.session.get_bind()


class Rows(list):
    def all(self):
        return list(self)

    def one(self):
        (row,) = self
        return row


def test_statistics_read_grouped_rows_however_many_submissions_there_are(session, version, thirty):
    before = CountingSession(session)
    results.summarise(session=before, form_id=FORM, filters=results.Filters())
    for i in range(60):  # three times as many submissions, the same values
        add_submission(session, version.version, answers_of(i % 30), day=day_of(i % 30))
    session.commit()
    after = CountingSession(session)
    summary = results.summarise(session=after, form_id=FORM, filters=results.Filters())
    assert summary.total == 90
    assert after.rows == before.rows < 90


# --- The pages -----------------------------------------------------------------------------


def sign_in(client, session, role="organiser", email=None):
    """Sign in through the session cookie; the test's transaction is ended so the app can write."""
    user = create_user(session=session, email=email or f"{role}@example.org", password=PASSWORD, role=role)
    with client.session_transaction() as cookie:
        cookie["sid"] = staff_sessions.start(session=session, user=user, lifetime=datetime.timedelta(hours=1))
    session.commit()
    return user


def add_workshop(session, user, code, title):
    session.add(Workshop(code=code, title=title, start_date=datetime.date(2026, 11, 20),
                         end_date=datetime.date(2026, 11, 21), form_ids=[FORM], languages=["fa"], created_by=user.id))
    session.commit()


def test_results_page_shows_counts_with_persian_digits(client, session, thirty):
    sign_in(client, session)
    body = client.get(f"/organise/results/{FORM}?lang=fa").data.decode()
    assert '<html lang="fa" dir="rtl">' in body
    assert "۳۰" in body  # 30 responses
    assert body.count("<svg") >= 5
    assert 'direction="rtl"' in body
    assert SCRIPT not in body and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in body


def test_results_page_filters_by_the_organisers_own_workshop(client, session, thirty):
    user = sign_in(client, session)
    add_workshop(session, user, "AAAA2222", "Shiraz")
    body = client.get(f"/organise/results/{FORM}?workshop=AAAA2222&lang=en").data.decode()
    assert "Responses: 18" in body
    assert '<option selected value="AAAA2222">Shiraz (AAAA2222)</option>' in body


def test_a_workshop_of_someone_else_is_refused_next_to_the_field(client, session, thirty):
    other = create_user(session=session, email="other@example.org", password=PASSWORD, role="organiser")
    add_workshop(session, other, "BBBB3333", "Mashhad")
    sign_in(client, session)
    response = client.get(f"/organise/results/{FORM}?workshop=BBBB3333&lang=en")
    body = response.data.decode()
    assert response.status_code == 200
    assert "Please choose one of your workshops." in body
    assert "Responses: 30" in body  # the wrong filter is shown, never applied


def test_dates_are_typed_in_solar_hijri_for_persian_readers(client, session, thirty):
    sign_in(client, session)
    body = client.get(f"/organise/results/{FORM}?lang=fa&date_from=۱۴۰۵/۰۸/۳۰&date_to=1405/08/30").data.decode()
    total = re.search(r'class="lead results-total">([^<]*)<', body)[1]
    assert "۱۲" in total  # 30 Aban 1405 is 21 November 2026
    bad = client.get(f"/organise/results/{FORM}?lang=en&date_from=yesterday").data.decode()
    assert "Please write a date as year/month/day" in bad


def test_compare_puts_two_workshops_side_by_side(client, session, thirty):
    user = sign_in(client, session)
    add_workshop(session, user, "AAAA2222", "Shiraz")
    add_workshop(session, user, "BBBB3333", "Mashhad")
    body = client.get(f"/organise/results/{FORM}/compare?a=AAAA2222&b=BBBB3333&lang=en").data.decode()
    totals = re.search(r'<table class="compare compare-totals">.*?</table>', body, re.S).group(0)
    assert re.findall(r'<td class="count">(\d+)</td>', totals) == ["18", "8"]
    assert "Shiraz (AAAA2222)" in body and "Mashhad (BBBB3333)" in body
    same = client.get(f"/organise/results/{FORM}/compare?a=AAAA2222&b=AAAA2222&lang=en").data.decode()
    assert "Please choose two different workshops." in same
    first_visit = client.get(f"/organise/results/{FORM}/compare?lang=en").data.decode()
    assert "Please choose" not in first_visit and "compare-totals" not in first_visit


def test_written_answers_page_is_escaped_and_paginated(client, session, thirty, monkeypatch):
    monkeypatch.setattr("survey_app.organisers.results.TEXT_PAGE_SIZE", 4)
    sign_in(client, session)
    body = client.get(f"/organise/results/{FORM}/answers/why_low?lang=en").data.decode()
    assert "6 written answers" in body and "Page 1 of 2" in body
    assert SCRIPT not in body and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in body
    second = client.get(f"/organise/results/{FORM}/answers/why_low?lang=en&page=2&workshop=").data.decode()
    assert re.findall(r'<p dir="auto">([^<]+)</p>', second) == ["answer 6", "answer 5"]
    assert client.get(f"/organise/results/{FORM}/answers/overall").status_code == 404


@pytest.mark.parametrize("path", [f"/organise/results/{FORM}", "/organise/results",
                                  f"/organise/results/{FORM}/compare"])
def test_results_need_an_organiser(client, session, path):
    assert client.get(path).status_code == 302
    sign_in(client, session, role="translator")
    assert client.get(path).status_code == 403


def test_admins_see_results_too(client, session, thirty):
    sign_in(client, session, role="admin")
    assert client.get(f"/organise/results/{FORM}").status_code == 200
    assert client.get("/organise/results/missing_form").status_code == 404


def test_a_questionnaire_without_answers_says_so(client, session):
    sign_in(client, session)
    body = client.get(f"/organise/results/{FORM}?lang=en").data.decode()
    assert "Responses: 0" in body and "No answers match these filters yet." in body
    assert "<svg" not in body


def test_results_index_lists_questionnaires_with_their_counts(client, session, thirty):
    sign_in(client, session)
    body = client.get("/organise/results?lang=en").data.decode()
    assert f'href="/organise/results/{FORM}"' in body and "30 responses" in body
