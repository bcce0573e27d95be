"""The import report every part of the XLSForm reader writes to, row by row.

An error stops the import (the form would lose a question it cannot do without); a
warning says what one row will do here instead of what the file asked, and the form
still imports. Each line names its sheet and row so the author can find it.
"""

from dataclasses import dataclass
from dataclasses import field


@dataclass
class ImportReport:
    """The definition read from a spreadsheet, or the reasons it was refused, and its files."""

    definition: dict | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)  # media files kept with the form version
    grouped: dict[str, list[int]] = field(default_factory=dict, repr=False)  # one warning, many rows

    @property
    def ok(self) -> bool:
        return self.definition is not None and not self.errors

    def error(self, message: str) -> None:
        self.errors.append(message)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def warn_row(self, message: str, number: int) -> None:
        """Note a warning that many rows may share; `flush` writes it once with their numbers."""
        self.grouped.setdefault(message, []).append(number)

    def flush(self) -> None:
        for message, rows in self.grouped.items():
            self.warn(f"{message} ({numbers(rows)})")
        self.grouped.clear()

    def lines(self) -> list[str]:
        return [f"error: {e}" for e in self.errors] + [f"warning: {w}" for w in self.warnings]


def numbers(rows: list[int]) -> str:
    """Write row numbers as 'row 4' or 'rows 4, 9', at most ten of them."""
    shown = ", ".join(str(n) for n in rows[:10])
    more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
    return f"{'row' if len(rows) == 1 else 'rows'} {shown}{more}"
