"""The assessment CSV: one row per participant (pre-test, post-test, gain), written as it is read.

Reading every score and pairing them in Python took 3–5.6 s for 100,000 pairs before the first
byte went out. The running pairs (tally.AssessmentPair) already say which submission is each
participant's pre-test and post-test, so one query joins each pair to its two scores and the
rows go out a page at a time, never all in memory, with plain tuples and no per-row objects.
SQLite reads in keyset pages, each in its own short transaction (every SQLite transaction here
takes the write lock, see db.py, and a slow download must not keep participants waiting);
PostgreSQL through one server-side cursor. Rows are in the order `pairing.pair` gives (workshop,
code, then the UUID of a submission without a code), compared by code point as Python does.
Numbers stay in ASCII digits with '.', whatever the reader's language.
"""

import csv
import io
from collections.abc import Iterator

from sqlalchemy import bindparam
from sqlalchemy import text

from ..exports import defuse

COLUMNS = ("workshop", "participant", "language", "pre_points", "pre_maximum", "pre_percent", "pre_passed",
           "post_points", "post_maximum", "post_percent", "post_passed", "gain")
PAGE_SIZE = 5000

_SELECT = """
SELECT p.workshop, p.participant, p.alone, COALESCE(p.post_lang, p.pre_lang),
       a.points, a.maximum, a.passed, b.points, b.maximum, b.passed
FROM assessmentpair p
LEFT JOIN assessmentscore a ON a.submission_uuid = p.pre_uuid
LEFT JOIN assessmentscore b ON b.submission_uuid = p.post_uuid
WHERE p.form_id = :form_id {workshops} {after}
ORDER BY p.workshop{c}, p.participant{c}, p.alone{c}
{limit}
"""


def pair_rows(*, session, form_id: str, workshops: list[str] | None = None) -> Iterator[tuple]:
    """Yield (workshop, participant, alone, language, pre points, maximum, passed, post ...) per pair."""
    if session.connection().dialect.name == "postgresql":
        yield from _server_cursor(session, form_id, workshops)
        session.commit()  # done reading: close the transaction now, not when the response is closed
        return
    after = None
    while True:
        page = _execute(session, form_id, workshops, after)
        session.commit()  # end this read's transaction: on SQLite it holds the write lock
        yield from page
        if len(page) < PAGE_SIZE:
            return
        after = page[-1][:3]


def _statement(workshops):
    sql = _SELECT.format(workshops="AND p.workshop IN :workshops" if workshops is not None else "", after="",
                         c=' COLLATE "C"', limit="")
    statement = text(sql)
    if workshops is not None:
        statement = statement.bindparams(bindparam("workshops", expanding=True))
    return statement


def _execute(session, form_id: str, workshops, after) -> list[tuple]:
    """One page through SQLite's own cursor, in the session's transaction: tuples, no row objects."""
    sql = _SELECT.format(
        workshops=f"AND p.workshop IN ({','.join('?' * len(workshops))})" if workshops is not None else "",
        after="AND (p.workshop, p.participant, p.alone) > (?, ?, ?)" if after is not None else "",
        c="", limit=f"LIMIT {PAGE_SIZE}").replace(":form_id", "?")
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(sql, [form_id, *(workshops or ()), *(after or ())])
        return cursor.fetchall()
    finally:
        cursor.close()


def _server_cursor(session, form_id: str, workshops) -> Iterator[tuple]:
    parameters = {"form_id": form_id}
    if workshops is not None:
        parameters["workshops"] = list(workshops)
    connection = session.connection().execution_options(stream_results=True, yield_per=PAGE_SIZE)
    yield from connection.execute(_statement(workshops), parameters)


def csv_chunks(rows) -> Iterator[str]:
    """Write the CSV (with a byte-order mark, so spreadsheet programs read it as UTF-8) a page at a time."""
    out = io.StringIO()
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow(COLUMNS)
    defused = {}  # workshop and language codes repeat on every row: defuse each once
    for count, row in enumerate(rows, 1):
        writer.writerow(csv_row(row, defused))
        if count % PAGE_SIZE == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def csv_row(row: tuple, defused: dict | None = None) -> list:
    """One pair's cells: points as given, percentages and the gain rounded to two decimals."""
    workshop, participant, _alone, lang, pre_points, pre_maximum, pre_passed, post_points, post_maximum, \
        post_passed = row
    defused = {} if defused is None else defused
    for code in (workshop, lang):
        if code not in defused:
            defused[code] = defuse(code)
    pre, post = _percent(pre_points, pre_maximum), _percent(post_points, post_maximum)
    gain = "" if pre is None or post is None else round(post - pre, 2)
    return [defused[workshop], participant, defused[lang], *_side(pre_points, pre_maximum, pre, pre_passed),
            *_side(post_points, post_maximum, post, post_passed), gain]


def _percent(points, maximum) -> float | None:
    return 100 * points / maximum if points is not None and maximum else None


def _side(points, maximum, percent, passed) -> list:
    if points is None:
        return ["", "", "", ""]
    return [_plain(points), _plain(maximum), "" if percent is None else round(percent, 2),
            "" if passed is None else ("yes" if passed else "no")]


def _plain(value: float):
    return int(value) if value == int(value) else value
