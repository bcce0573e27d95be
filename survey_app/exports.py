"""Write a questionnaire's submissions as CSV, XLSX or JSON, a page of rows at a time (no Flask).

Rows come from the database in pages and leave as bytes: a million submissions never sit in
memory. PostgreSQL reads them through one server-side cursor (yield_per); SQLite reads
them in keyset pages, each in its own short transaction, because every SQLite transaction
here takes the write lock (see db.py) and a long export must not keep participants waiting.

Columns: the metadata, then one per question; a multiple-choice question becomes one 0/1
column per option, named question/option. Values are codes, or labels in a chosen language.
Text that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
return) is prefixed with an apostrophe in CSV and XLSX, and XLSX stores it as a string.
"""

import csv
import datetime
import io
import json
import tempfile
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlmodel import Session
from sqlmodel import select

from . import exports_repeats
from .forms_store import definition_of
from .forms_store import get_version
from .models import Submission
from .results import MULTIPLE
from .results import Filters
from .results import Item
from .results import conditions
from .results import dialect
from .results import items_of

META = ("uuid", "workshop", "form_id", "form_version", "lang", "started_at", "submitted_at", "received_at", "source")
TIMES = frozenset({"started_at", "submitted_at", "received_at"})
MIME_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "zip": "application/zip",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PAGE_SIZE = 1000
COLUMNS = (Submission.id, *(getattr(Submission, name) for name in META), Submission.answers)


@dataclass(frozen=True)
class Layout:
    """Which questions become columns, and whether values are codes or labels (in `labels`)."""

    items: list[Item]
    labels: str | None = None
    repeats: tuple = ()  # exports_repeats.RepeatTable: one more table per repeat

    def header(self) -> list[str]:
        names = list(META)
        for item in self.items:
            if item.kind == MULTIPLE:
                names += [f"{item.name}/{choice.name}" for choice in item.options]
            else:
                names.append(item.name)
        return names

    def cells(self, row) -> list:
        """Return one submission's row: metadata, then each question's value(s)."""
        meta = dict(zip(META, row[1:-1], strict=True))
        values = [_time(meta[name]) if name in TIMES else meta[name] for name in META]
        answers = row[-1] if isinstance(row[-1], dict) else {}
        for item in self.items:
            value = answers.get(item.name)
            if item.kind == MULTIPLE:
                # a single answer given to a version where the question was single choice: one option picked
                picked = value if isinstance(value, list) else [] if value is None else [str(value)]
                values += [None if value is None else int(c.name in picked) for c in item.options]
            else:
                values.append(self.value(item, value))
        return values

    def value(self, item: Item, value):
        """Return an answer as a code, or as its label when labels are asked for."""
        if isinstance(value, list):
            return " ".join(str(self.value(item, part)) for part in value)
        if self.labels and item.options and value is not None and item.question.type != "rating":
            return item.option_label(str(value), self.labels)
        return value

    @cached_property
    def by_name(self) -> dict[str, Item]:
        return {item.name: item for item in self.items}

    def document(self, row) -> dict:
        """Return one submission as a JSON object: metadata and answers, lists kept as lists."""
        document = {name: _time(value) if name in TIMES else value
                    for name, value in zip(META, row[1:-1], strict=True)}
        document["answers"] = answers = {}
        for name, value in (row[-1] if isinstance(row[-1], dict) else {}).items():
            item = self.by_name.get(name)
            if item is None:
                answers[name] = value
            elif isinstance(value, list):
                answers[name] = [self.value(item, part) for part in value]
            else:
                answers[name] = self.value(item, value)
        return document


def layout_for(*, session: Session, form_id: str, filters: Filters, labels: str | None = None) -> Layout:
    items = items_of(session=session, form_id=form_id, version=filters.version)
    return Layout(items, labels, exports_repeats.repeat_tables(definition_for(session=session, form_id=form_id,
                                                                               version=filters.version)))


def definition_for(*, session: Session, form_id: str, version: str | None):
    """The definition whose repeats become tables: the version filtered on, else the current one."""
    found = get_version(session=session, form_id=form_id, version=version) if version else None
    found = found or get_version(session=session, form_id=form_id)
    return definition_of(found) if found else None


def _time(moment: datetime.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def submission_rows(*, session: Session, form_id: str, filters: Filters) -> Iterator[tuple]:
    """Yield (id, metadata..., answers) of every matching submission, oldest first, a page at a time."""
    where = conditions(form_id, filters)
    if dialect(session) == "postgresql":
        query = select(*COLUMNS).where(*where).order_by(Submission.id).execution_options(yield_per=PAGE_SIZE)
        yield from session.exec(query)
        return
    last = 0
    while True:
        query = select(*COLUMNS).where(*where, Submission.id > last).order_by(Submission.id).limit(PAGE_SIZE)
        page = session.exec(query).all()
        session.commit()  # end this read's transaction: on SQLite it holds the write lock
        yield from page
        if len(page) < PAGE_SIZE:
            return
        last = page[-1][0]


def defuse(value):
    """Keep a spreadsheet from running text as a formula: prefix it with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(rows: Iterable[tuple], layout: Layout) -> Iterator[bytes]:
    """Yield a UTF-8 CSV with a byte-order mark, so spreadsheet programs read Persian right.

    With repeats, a zip of this CSV and one per repeat (exports_repeats).
    """
    if layout.repeats:
        yield from exports_repeats.write_csv_zip(rows, layout, _plain_csv, defuse)
        return
    yield from _plain_csv(rows, layout)


def _plain_csv(rows: Iterable[tuple], layout: Layout) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(layout.header())
    for number, row in enumerate(rows, start=1):
        writer.writerow([defuse(value) for value in layout.cells(row)])
        if number % 200 == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data


def write_json(rows: Iterable[tuple], layout: Layout) -> Iterator[bytes]:
    """Yield a JSON array with one object per submission."""
    yield b"["
    for number, row in enumerate(rows):
        text = json.dumps(layout.document(row), ensure_ascii=False)
        yield (",\n" if number else "\n").encode() + text.encode("utf-8")
    yield b"\n]\n"


def write_xlsx(rows: Iterable[tuple], layout: Layout) -> Iterator[bytes]:
    """Yield an XLSX workbook; openpyxl's write-only mode keeps rows in a temporary file, not memory."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("answers")
    sheet.append([_xlsx_cell(sheet, name) for name in layout.header()])
    repeats = exports_repeats.XlsxSheets(workbook, layout, _xlsx_cell)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in layout.cells(row)])
        repeats.add(row)
    with tempfile.TemporaryFile() as file:
        workbook.save(file)
        file.seek(0)
        while chunk := file.read(64 * 1024):
            yield chunk


def _xlsx_cell(sheet, value):
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=defuse(ILLEGAL_CHARACTERS_RE.sub("", value)))
    cell.data_type = "s"
    return cell


WRITERS = {"csv": write_csv, "xlsx": write_xlsx, "json": write_json}


def file_name(form_id: str, fmt: str, today: datetime.date | None = None) -> str:
    return f"{form_id}-{(today or datetime.date.today()).isoformat()}.{fmt}"


def file_format(layout: Layout, fmt: str) -> str:
    """The kind of file a format gives for this layout: CSV with repeats is a zip of CSV files."""
    return "zip" if fmt == "csv" and layout.repeats else fmt
