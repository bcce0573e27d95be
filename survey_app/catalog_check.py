"""Check the interface's gettext catalogs before they reach people.

A catalog is broken when it does not parse, does not compile, or a translation loses or
adds a placeholder such as %(count)s (the page would show the raw placeholder or fail
while formatting). A catalog is incomplete when messages are missing, fuzzy (gettext skips
them) or absent from it: pages show the English text for those, inside a Persian, Dari or
Pashto page. Both are reported by name; the check fails on an incomplete catalog of a
language the interface offers unless incompleteness is explicitly allowed.
"""

import io
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError
from babel.messages.pofile import read_po

from .engine.po import placeholder_problems
from .engine.po import syntax_problems


@dataclass
class CatalogReport:
    """Counts and faults of one language's catalog."""

    language: str
    path: Path
    messages: int = 0
    missing: int = 0
    fuzzy: int = 0
    not_in_catalog: int = 0
    errors: list[str] = field(default_factory=list)
    missing_ids: list[str] = field(default_factory=list)
    fuzzy_ids: list[str] = field(default_factory=list)
    absent_ids: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def complete(self) -> bool:
        return not (self.missing or self.fuzzy or self.not_in_catalog)

    @property
    def status(self) -> str:
        return "BROKEN" if not self.ok else "ok" if self.complete else "INCOMPLETE"

    def gaps(self) -> list[str]:
        """One line per message that shows English on this language's pages."""
        return ([f"{self.language}: missing: {msgid}" for msgid in self.missing_ids]
                + [f"{self.language}: fuzzy: {msgid}" for msgid in self.fuzzy_ids]
                + [f"{self.language}: not in catalog: {msgid}" for msgid in self.absent_ids])


def check_catalogs(folder: Path) -> list[CatalogReport]:
    """Check every `<lang>/LC_MESSAGES/messages.po` in a folder against its `messages.pot`."""
    folder = Path(folder)
    template = _read(folder / "messages.pot", []) if (folder / "messages.pot").exists() else None
    template_keys = {_key(m) for m in list(template)[1:]} if template is not None else set()
    template_keys.discard(("", None))
    return [check_catalog(path, template_keys) for path in sorted(folder.glob("*/LC_MESSAGES/messages.po"))]


def check_catalog(path: Path, template_keys: set = frozenset()) -> CatalogReport:
    """Count one catalog's messages and find what would break it."""
    report = CatalogReport(language=path.parent.parent.name, path=path)
    catalog = _read(path, report.errors)
    if catalog is None:
        return report
    messages = list(catalog)[1:]
    for message in messages:
        strings = list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]
        report.messages += 1
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        if not all(strings):
            report.missing_ids.append(msgid)
        elif message.fuzzy:
            report.fuzzy_ids.append(msgid)
    report.missing, report.fuzzy = len(report.missing_ids), len(report.fuzzy_ids)
    report.errors.extend(_placeholder_errors(catalog, path))
    try:
        write_mo(io.BytesIO(), catalog)
    except Exception as exc:  # noqa: BLE001 - any failure here means the catalog cannot be used
        report.errors.append(f"{path}: does not compile: {exc}")
    report.absent_ids = sorted(key[0] for key in template_keys - {_key(m) for m in messages})
    report.not_in_catalog = len(report.absent_ids)
    return report


def table(reports: list[CatalogReport]) -> list[str]:
    """The summary printed by `flask translations check`: one line per language."""
    lines = [f"{'language':<10}{'messages':>10}{'missing':>10}{'fuzzy':>8}{'not in catalog':>16}  status"]
    lines += [f"{r.language:<10}{r.messages:>10}{r.missing:>10}{r.fuzzy:>8}{r.not_in_catalog:>16}  {r.status}"
              for r in reports]
    return lines


def _read(path: Path, errors: list[str]) -> Catalog | None:
    try:
        data = path.read_bytes()
        problems = syntax_problems(data.decode("utf-8"))
        if not problems:
            return read_po(io.BytesIO(data), abort_invalid=True)
    except (OSError, UnicodeDecodeError, PoFileError) as exc:
        problems = [f"cannot be read: {exc}"]
    errors.extend(f"{path}: {problem}" for problem in problems)
    return None


def _placeholder_errors(catalog: Catalog, path: Path) -> list[str]:
    """Report Babel's own format checks, then placeholders lost by a translation."""
    errors, flagged = [], set()
    for message, problems in catalog.check():
        flagged.add(message.lineno)
        errors.extend(f"{path}:{message.lineno}: {problem}" for problem in problems)
    for message in list(catalog)[1:]:
        if message.lineno in flagged:
            continue
        errors.extend(f"{path}:{message.lineno}: {problem}" for problem in _lost_or_added(message))
    return errors


def _lost_or_added(message) -> list[str]:
    """Compare placeholders; in a plural the last form must keep those of msgid_plural."""
    if isinstance(message.id, str):
        return placeholder_problems(message.id, message.string) if message.string else []
    strings = [s for s in message.string if s]
    if len(strings) < len(message.string):
        return []
    sources = " ".join(message.id)
    problems = [p for s in strings for p in placeholder_problems(sources, s) if "not in the source" in p]
    problems += [p for p in placeholder_problems(message.id[-1], strings[-1]) if "missing" in p]
    return problems


def _key(message):
    return (message.id if isinstance(message.id, str) else message.id[0], message.context)
