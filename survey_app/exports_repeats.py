"""Answers inside repeats, exported the way KoboToolbox does: one table per repeat (no Flask).

The answers sheet keeps one row per submission; each repeat gets a table of its own with one
row per instance, linked to its parent row:

- ``_index``: the row's number in its own table (1, 2, ...);
- ``_parent_table`` and ``_parent_index``: the table the instance belongs to and that row's
  ``_index`` (for a repeat at the top level: ``answers`` and the submission's row number there);
- ``_submission_uuid``: the submission, whatever the depth.

XLSX: one sheet per repeat in the same workbook. CSV: a zip holding ``answers.csv`` and one
``<repeat>.csv`` per repeat (a CSV file holds one table); a questionnaire without repeats stays
one plain CSV file.
"""

import contextlib
import csv
import io
import tempfile
import zipfile
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass

from .engine.definition import FormDefinition
from .engine.definition import Question
from .results import Item

MAIN_TABLE = "answers"
LINK_COLUMNS = ("_index", "_parent_table", "_parent_index", "_submission_uuid")
SHEET_NAME_LIMIT = 31  # Excel's


@dataclass(frozen=True)
class RepeatTable:
    """One repeat's table: where its instances are in a submission, and its questions."""

    name: str
    path: tuple[str, ...]  # the repeats from the top down to this one
    items: tuple[Item, ...]
    parent: str


def repeat_tables(definition: FormDefinition | None) -> tuple[RepeatTable, ...]:
    """The tables of a questionnaire's repeats, outer ones first."""
    tables: list[RepeatTable] = []
    if definition is None:
        return ()
    _collect(definition, definition.survey, (), MAIN_TABLE, tables)
    return tuple(tables)


def _collect(definition, items, path, parent, tables) -> None:
    for question in items:
        if question.type == "repeat":
            inside = (*path, question.name)
            table = RepeatTable(question.name, inside, tuple(_items(definition, question.children)), parent)
            tables.append(table)
            _collect(definition, question.children, inside, question.name, tables)
        elif question.type == "group":
            _collect(definition, question.children, path, parent, tables)


def _items(definition: FormDefinition, children) -> Iterator[Item]:
    for question in _level(children):
        if question.is_input or question.type == "calculate":
            options = tuple(definition.choices_for(question)) if question.is_choice else ()
            yield Item(question, options, definition.default_language)


def _level(items) -> Iterator[Question]:
    for item in items:
        yield item
        if item.type == "group":
            yield from _level(item.children)


class TableRows:
    """Turns each submission into the rows of every repeat table, numbering rows as it goes.

    `columns_of(items)` gives a table's question columns worded as the answers sheet's (exports.question_columns).
    """

    def __init__(self, tables: Iterable[RepeatTable], columns_of: Callable) -> None:
        self.tables = tuple(tables)
        self.columns = {table.name: columns_of(list(table.items)) for table in self.tables}
        self.counters = {table.name: 0 for table in self.tables}
        self.submissions = 0

    def header(self, table: RepeatTable) -> list[str]:
        return [*LINK_COLUMNS, *(column.header for column in self.columns[table.name])]

    def rows(self, row) -> Iterator[tuple[RepeatTable, list]]:
        """Yield (table, cells) for every instance in one submission row (id, metadata..., answers)."""
        self.submissions += 1
        answers = row[-1] if isinstance(row[-1], dict) else {}
        uuid = row[1]
        for table in self.tables:
            if len(table.path) == 1:
                yield from self._instances(table, answers, self.submissions, uuid)

    def _instances(self, table: RepeatTable, holder: dict, parent_index: int, uuid) -> Iterator[tuple]:
        instances = holder.get(table.name)
        if not isinstance(instances, list):
            return
        children = [t for t in self.tables if t.path[:-1] == table.path]
        for instance in instances:
            if not isinstance(instance, dict):
                continue
            self.counters[table.name] += 1
            index = self.counters[table.name]
            cells = [column.read({}, instance) for column in self.columns[table.name]]
            yield table, [index, table.parent, parent_index, uuid, *cells]
            for child in children:
                yield from self._instances(child, instance, index, uuid)


def sheet_names(tables: Iterable[RepeatTable]) -> dict[str, str]:
    """A distinct sheet name of at most 31 characters per table (the answers sheet keeps its own)."""
    names, used = {}, {MAIN_TABLE}
    for table in tables:
        name, number = table.name[:SHEET_NAME_LIMIT], 1
        while name in used:
            number += 1
            name = f"{table.name[:SHEET_NAME_LIMIT - len(str(number)) - 1]}_{number}"
        used.add(name)
        names[table.name] = name
    return names


class XlsxSheets:
    """The repeat sheets of a write-only workbook, filled as the submissions stream past."""

    def __init__(self, workbook, layout, cell: Callable, columns_of: Callable) -> None:
        self.cell = cell  # value -> what openpyxl writes (text defused)
        self.table_rows = TableRows(layout.repeats, columns_of)
        names = sheet_names(layout.repeats)
        self.sheets = {}
        for table in layout.repeats:
            sheet = self.sheets[table.name] = workbook.create_sheet(names[table.name])
            sheet.sheet_view.rightToLeft = layout.options.right_to_left
            sheet.freeze_panes = "A2"
            sheet.append([cell(name) for name in self.table_rows.header(table)])

    def add(self, row) -> None:
        for table, cells in self.table_rows.rows(row):
            self.sheets[table.name].append([self.cell(value) for value in cells])


def write_csv_zip(rows: Iterable[tuple], layout, main_csv: Callable, defuse: Callable, file,
                  columns_of: Callable) -> None:
    """Write a zip of answers.csv and one CSV per repeat (UTF-8 with BOM, formulas defused) into file."""
    table_rows = TableRows(layout.repeats, columns_of)
    with contextlib.ExitStack() as stack:
        spools = {table.name: stack.enter_context(tempfile.TemporaryFile(mode="w+", encoding="utf-8", newline=""))
                  for table in layout.repeats}
        writers = {name: csv.writer(spool) for name, spool in spools.items()}
        for table in layout.repeats:
            spools[table.name].write("\ufeff")
            writers[table.name].writerow([defuse(name) for name in table_rows.header(table)])

        def main_rows():
            for row in rows:
                yield row
                for table, cells in table_rows.rows(row):
                    writers[table.name].writerow([defuse(value) for value in cells])

        with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            with archive.open(f"{MAIN_TABLE}.csv", "w") as entry:
                main_csv(main_rows(), layout, entry)
            for name, spool in spools.items():
                spool.seek(0)
                with archive.open(f"{name}.csv", "w") as entry:
                    text = io.TextIOWrapper(entry, encoding="utf-8", newline="")
                    while chunk := spool.read(64 * 1024):
                        text.write(chunk)
                    text.flush()
                    text.detach()
