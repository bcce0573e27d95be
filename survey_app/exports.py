"""Write a questionnaire's submissions as CSV, XLSX or JSON into a file, a page of rows at a time (no Flask).

Rows come from the database in pages and go straight to the file: a million submissions never
sit in memory. PostgreSQL reads them through one server-side cursor (yield_per); SQLite reads
them in keyset pages, each in its own short transaction, because every SQLite transaction
here takes the write lock (see db.py) and a long export must not keep participants waiting.
A file is written beside its final name and renamed only once complete, with its size and
SHA-256, so a cut file never passes for a whole one.

Columns (CSV and XLSX, listed by `columns`): the metadata, each time in UTC and in the
server's time zone, then one per question; a multiple-choice question becomes one 0/1 column
per option, named question/option. Headers are question codes, or labels in a chosen language.
Values are codes, or labels in that language; numbers (integer, decimal, rating, and a Likert
scale whose options are numbered) stay numbers, and a Likert scale written with labels gets its
label text in a companion column just after it. Text that a spreadsheet would run as a formula
(starting with = + - @, their full-width forms, a tab or a carriage return, also after spaces)
gets an apostrophe in CSV and XLSX, and XLSX stores it as a string.
"""

import csv
import datetime
import hashlib
import io
import json
import math
import os
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlmodel import Session
from sqlmodel import select

from . import exports_repeats
from .engine.expressions import instance_namer
from .engine.texts import resolve
from .engine.texts import to_ascii_digits
from .forms_store import definition_of
from .forms_store import get_version
from .models import Submission
from .results import LIKERT
from .results import MULTIPLE
from .results import Filters
from .results import Item
from .results import conditions
from .results import dialect
from .results import items_of

STORED = ("uuid", "workshop", "form_id", "form_version", "lang", "started_at", "submitted_at", "received_at", "source")
TIMES = frozenset({"started_at", "submitted_at", "received_at"})
LOCAL = "_local"
MIME_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "zip": "application/zip",
}
# = + - @ and their full-width and small forms, which some spreadsheet programs read as the ASCII ones.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\ufe66", "\ufe62",
                  "\ufe63", "\ufe6b")
NUMBER_TYPES = frozenset({"integer", "decimal", "rating"})
PAGE_SIZE = 1000
COLUMNS = (Submission.id, *(getattr(Submission, name) for name in STORED), Submission.answers)


@dataclass(frozen=True)
class Column:
    """One column of a CSV or XLSX export: its header, and how its cell is read from (metadata, answers)."""

    header: str
    read: Callable[[dict, dict], object]


@dataclass(frozen=True)
class Options:
    """How an export is worded: labels in a language (else codes), label headers, time zone, direction."""

    labels: str | None = None
    label_headers: bool = True
    zone: str = "UTC"
    right_to_left: bool = False
    label_suffix: str = "label"  # names a Likert scale's companion column, in the labels' language


@dataclass(frozen=True)
class Layout:
    """The questions of an export and how they are worded; `columns` lists its CSV and XLSX columns."""

    items: list[Item]
    options: Options = field(default_factory=Options)
    repeats: tuple = ()  # exports_repeats.RepeatTable: one more table per repeat
    instance_name: Callable[[dict], str] | None = None  # the settings' instance_name, as a column after `source`

    @property
    def labels(self) -> str | None:
        return self.options.labels

    @cached_property
    def columns(self) -> list[Column]:
        return columns(self.items, self.options, self.instance_name)

    def header(self) -> list[str]:
        return [column.header for column in self.columns]

    def question_columns(self, items: list[Item]) -> list[Column]:
        """The columns of some questions alone (a repeat's own table), worded as this layout's."""
        heading = _Heading(self.options.labels if self.options.label_headers else None)
        return heading.unique([column for item in items for column in _question_columns(item, self.options, heading)])

    def cells(self, row) -> list:
        """Return one submission's row: metadata, then each question's value(s)."""
        meta = dict(zip(STORED, row[1:-1], strict=True))
        answers = row[-1] if isinstance(row[-1], dict) else {}
        return [column.read(meta, answers) for column in self.columns]

    def value(self, item: Item, value):
        """Return an answer as a code, or as its label when labels are asked for."""
        return _label(item, value, self.labels)

    @cached_property
    def by_name(self) -> dict[str, Item]:
        return {item.name: item for item in self.items}

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.options.zone)

    def document(self, row) -> dict:
        """Return one submission as a JSON object: metadata and answers, lists kept as lists."""
        document = {}
        for name, value in zip(STORED, row[1:-1], strict=True):
            document[name] = utc_time(value) if name in TIMES else value
            if name in TIMES:
                document[name + LOCAL] = local_time(value, self.zone)
        if self.instance_name:
            document["instance_name"] = self.instance_name(row[-1] if isinstance(row[-1], dict) else {})
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


def columns(items: list[Item], options: Options, instance_name: Callable[[dict], str] | None = None) -> list[Column]:
    """List the columns of a CSV or XLSX export: the place to add a kind of question or a new column."""
    zone = ZoneInfo(options.zone)
    found = [_meta_column(name) for name in STORED[:5]]
    for name in STORED[5:8]:
        found += [_meta_column(name), Column(name + LOCAL, lambda meta, _a, name=name: local_time(meta[name], zone))]
    found.append(_meta_column("source"))
    if instance_name:
        found.append(Column("instance_name", lambda _meta, answers: instance_name(answers)))
    heading = _Heading(options.labels if options.label_headers else None)
    for item in items:
        found += _question_columns(item, options, heading)
    return heading.unique(found)


def _meta_column(name: str) -> Column:
    if name in TIMES:
        return Column(name, lambda meta, _answers: utc_time(meta[name]))
    return Column(name, lambda meta, _answers: meta[name])


def _question_columns(item: Item, options: Options, heading: "_Heading") -> list[Column]:
    """The columns of one question: 0/1 per option, a number (with a Likert label column), or its value."""
    name, labels = item.name, options.labels
    if item.kind == MULTIPLE:
        return [Column(heading.title(item, choice), lambda _m, answers, code=choice.name: _picked(answers, name, code))
                for choice in item.options]
    if item.question.type in NUMBER_TYPES or _numbered_scale(item):
        found = [Column(heading.title(item), lambda _m, answers: number(answers.get(name)))]
        if labels and _numbered_scale(item):
            suffix = options.label_suffix
            title = f"{heading.title(item)} ({suffix})" if heading.lang else f"{name}_label"
            found.append(Column(title, lambda _m, answers: _label(item, answers.get(name), labels)))
        return found
    return [Column(heading.title(item), lambda _m, answers: _label(item, answers.get(name), labels))]


def _picked(answers: dict, name: str, code: str) -> int | None:
    value = answers.get(name)
    if value is None:
        return None  # not answered is not "no"
    # a single answer given to a version where the question was single choice: one option picked
    return int(code in value) if isinstance(value, list) else int(str(value) == code)


def _label(item: Item, value, labels: str | None):
    """Return an answer as a code, or as its label when labels are asked for."""
    if isinstance(value, list):
        return " ".join(str(_label(item, part, labels)) for part in value)
    if labels and item.options and value is not None and item.question.type != "rating":
        return item.option_label(str(value), labels)
    return value


def _numbered_scale(item: Item) -> bool:
    return item.kind == LIKERT and bool(item.options) and all(_is_int(c.name) for c in item.options)


def _is_int(text: str) -> bool:
    return text.strip().lstrip("-").isdigit() and text.strip().lstrip("-").isascii()


def number(value):
    """Return a numeric answer as a number; anything that is not a finite number is left as it was."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return value
    found = value
    if isinstance(value, str):
        text = to_ascii_digits(value)
        if "_" in text or not text.isascii():  # Python reads 1_000 and other scripts' digits as numbers
            return value
        try:
            found = int(text) if _is_int(text) else float(text)
        except ValueError:
            return value
    return found if math.isfinite(found) else value


class _Heading:
    """Column headers: question codes, or labels in one language, each header used once."""

    def __init__(self, lang: str | None):
        self.lang = lang

    def title(self, item: Item, choice=None) -> str:
        if not self.lang:
            return f"{item.name}/{choice.name}" if choice else item.name
        question = _one_line(item.label(self.lang).text) or item.name
        if choice is None:
            return question
        return f"{question}/{_one_line(resolve(choice.label, self.lang, item.default_language).text) or choice.name}"

    @staticmethod
    def unique(found: list[Column]) -> list[Column]:
        """Number a header that is already used (two questions worded alike), so each names one column."""
        seen, result = set(), []
        for column in found:
            header, n = column.header, 1
            while header in seen:
                n += 1
                header = f"{column.header} ({n})"
            seen.add(header)
            result.append(Column(header, column.read))
        return result


def _one_line(text: str) -> str:
    return " ".join(text.split())


def layout_for(*, session: Session, form_id: str, filters: Filters, options: Options | None = None) -> Layout:
    definition = definition_for(session=session, form_id=form_id, version=filters.version)
    namer = instance_namer(definition) if definition is not None and definition.instance_name else None
    return Layout(items_of(session=session, form_id=form_id, version=filters.version), options or Options(),
                  exports_repeats.repeat_tables(definition), namer)


def definition_for(*, session: Session, form_id: str, version: str | None):
    """The definition whose repeats become tables: the version filtered on, else the current one."""
    found = get_version(session=session, form_id=form_id, version=version) if version else None
    found = found or get_version(session=session, form_id=form_id)
    return definition_of(found) if found else None


def utc_time(moment: datetime.datetime | None) -> str | None:
    if moment is None:
        return None
    return _aware(moment).astimezone(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def local_time(moment: datetime.datetime | None, zone: ZoneInfo) -> str | None:
    """Write a time in the server's time zone, with its offset (2026-11-20T12:31:00+03:30)."""
    return None if moment is None else _aware(moment).astimezone(zone).isoformat(timespec="seconds")


def _aware(moment: datetime.datetime) -> datetime.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)  # the columns store naive UTC


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
    if isinstance(value, str) and value.lstrip(" \n").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(rows: Iterable[tuple], layout: Layout, file) -> None:
    """Write a UTF-8 CSV with a byte-order mark, so spreadsheet programs read Persian right.

    With repeats, a zip of this CSV and one per repeat (exports_repeats).
    """
    if layout.repeats:
        exports_repeats.write_csv_zip(rows, layout, _plain_csv, defuse, file, layout.question_columns)
        return
    _plain_csv(rows, layout, file)


def _plain_csv(rows: Iterable[tuple], layout: Layout, file) -> None:
    text = io.TextIOWrapper(file, encoding="utf-8", newline="", write_through=False)
    writer = csv.writer(text)
    text.write("\ufeff")
    writer.writerow([defuse(value) for value in layout.header()])
    for row in rows:
        writer.writerow([defuse(value) for value in layout.cells(row)])
    text.flush()
    text.detach()


def write_json(rows: Iterable[tuple], layout: Layout, file) -> None:
    """Write a JSON array with one object per submission."""
    file.write(b"[")
    for number_, row in enumerate(rows):
        text = json.dumps(layout.document(row), ensure_ascii=False)
        file.write((",\n" if number_ else "\n").encode() + text.encode("utf-8"))
    file.write(b"\n]\n")


def write_xlsx(rows: Iterable[tuple], layout: Layout, file) -> None:
    """Write an XLSX workbook; openpyxl's write-only mode keeps rows in a temporary file, not memory."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("answers")
    sheet.sheet_view.rightToLeft = layout.options.right_to_left
    sheet.freeze_panes = "A2"
    sheet.append([_xlsx_cell(name) for name in layout.header()])
    repeats = exports_repeats.XlsxSheets(workbook, layout, _xlsx_cell, layout.question_columns)
    for row in rows:
        sheet.append([_xlsx_cell(value) for value in layout.cells(row)])
        repeats.add(row)
    workbook.save(file)


def _xlsx_cell(value):
    """A cell's value as openpyxl takes it: defused text is never read as a formula (no leading =)."""
    if not isinstance(value, str):
        return value
    return defuse(ILLEGAL_CHARACTERS_RE.sub("", value))


WRITERS = {"csv": write_csv, "xlsx": write_xlsx, "json": write_json}


@dataclass(frozen=True)
class Written:
    """A complete export file: how many submissions, bytes and its SHA-256 (hex)."""

    rows: int
    size: int
    sha256: str


def save(rows: Iterable[tuple], layout: Layout, fmt: str, path: Path,
         progress: Callable[[int], None] | None = None) -> Written:
    """Write the file beside `path`, then rename it: `path` only ever holds a complete export.

    `progress` hears how many submissions are written, a page at a time.
    """
    partial = path.with_name(path.name + ".part")
    counted = _Counted(rows, progress)
    try:
        # answers are personal data: only the server's own account reads the file
        with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as file:
            WRITERS[fmt](counted, layout, file)
            file.flush()
            os.fsync(file.fileno())
        with partial.open("rb") as file:
            digest = hashlib.file_digest(file, "sha256").hexdigest()
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Written(counted.number, path.stat().st_size, digest)


def write(rows: Iterable[tuple], layout: Layout, fmt: str, file) -> Written:
    """Write a whole export into an open binary file (a small one, sent at once); return its figures."""
    counted = _Counted(rows)
    WRITERS[fmt](counted, layout, file)
    size = file.tell()
    file.seek(0)
    digest = hashlib.file_digest(file, "sha256").hexdigest()
    file.seek(0)
    return Written(counted.number, size, digest)


class _Counted:
    """Pass rows through, counting them, and telling `progress` every page."""

    def __init__(self, rows: Iterable[tuple], progress: Callable[[int], None] | None = None):
        self.rows, self.number, self.progress = rows, 0, progress

    def __iter__(self):
        for row in self.rows:
            yield row
            self.number += 1
            if self.progress and self.number % PAGE_SIZE == 0:
                self.progress(self.number)


def file_name(form_id: str, fmt: str, today: datetime.date | None = None) -> str:
    return f"{form_id}-{(today or datetime.date.today()).isoformat()}.{fmt}"


def file_format(layout: Layout, fmt: str) -> str:
    """The kind of file a format gives for this layout: CSV with repeats is a zip of CSV files."""
    return "zip" if fmt == "csv" and layout.repeats else fmt


def mime_type(download_name: str) -> str:
    return MIME_TYPES[download_name.rsplit(".", 1)[-1]]
