"""Questionnaire texts as gettext .po files, for translators and their tools.

One file holds one language of one questionnaire: each entry's message context is the
text key (see `translatable`), its msgid the text in the form's default language and
its msgstr the translation. Files are read and written with Babel's own `read_po` and
`write_po`. An import never guesses: entries whose source text has changed since the
export (stale) and keys the form no longer has (unknown) are reported, not applied; a
file with a syntax error, a lost or added placeholder, or an unknown language changes
nothing.
"""

import copy
import io
import re
from dataclasses import dataclass
from dataclasses import field

from babel import Locale
from babel import UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError
from babel.messages.pofile import read_po
from babel.messages.pofile import write_po

from .loader import load_dict
from .texts import normalise_code
from .translatable import iter_texts
from .translatable import texts

# ${name} (XLSForm references), %(name)s (Python), {name} (format strings).
PLACEHOLDER_RE = re.compile(r"\$\{[^}]*\}|%\([^)]*\)[a-zA-Z]|\{[A-Za-z_][A-Za-z0-9_]*\}")
_STRING = r'"(?:[^"\\]|\\.)*"'
_LINE_RE = re.compile(
    rf"^\s*(?:#.*|(?:msgctxt|msgid|msgid_plural|msgstr|msgstr\[\d+\])\s+{_STRING}|{_STRING})?\s*$"
)


class PoError(ValueError):
    """A .po file that cannot be imported, with every problem found in it."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class Entry:
    """One line of an import report: a text key, where it was in the file, and what happened."""

    key: str
    lineno: int | None
    detail: str = ""

    def __str__(self) -> str:
        where = f"line {self.lineno}: " if self.lineno else ""
        return f"{where}{self.key}" + (f": {self.detail}" if self.detail else "")


@dataclass
class PoImport:
    """The outcome of reading one .po file onto a definition."""

    language: str
    definition: dict
    applied: list[Entry] = field(default_factory=list)
    stale: list[Entry] = field(default_factory=list)
    unknown: list[Entry] = field(default_factory=list)
    fuzzy: list[Entry] = field(default_factory=list)
    unchanged: int = 0
    untranslated: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.applied)

    def lines(self) -> list[str]:
        return (
            [f"applied {entry}" for entry in self.applied]
            + [f"needs review (fuzzy) {entry}" for entry in self.fuzzy]
            + [f"stale, not applied {entry}" for entry in self.stale]
            + [f"unknown key, not applied {entry}" for entry in self.unknown]
        )


def export_po(definition: dict, lang: str, *, fuzzy_keys=frozenset(), version: str | None = None) -> bytes:
    """Return a .po file of one language of a questionnaire; fuzzy_keys are marked as needing review."""
    source = definition["settings"]["default_language"]
    lang = normalise_code(lang)
    if lang == source:
        raise ValueError(f"'{lang}' is the source language of this questionnaire; choose another language")
    try:
        catalog = Catalog(locale=lang, project=definition["form_id"], version=version, fuzzy=False,
                          header_comment=_header_comment(definition, source, lang))
    except (UnknownLocaleError, ValueError) as exc:
        raise ValueError(f"unknown language '{lang}'") from exc
    for key, text in iter_texts(definition):
        if text.get(source):
            flags = ("fuzzy",) if key in fuzzy_keys else ()
            catalog.add(text[source], text.get(lang, ""), context=key, flags=flags)
    out = io.BytesIO()
    write_po(out, catalog, width=0)
    return out.getvalue()


def _header_comment(definition: dict, source: str, lang: str) -> str:
    return (f"# Questionnaire '{definition['form_id']}' translated from {_name(source)} ({source})"
            f" into {_name(lang)} ({lang}).\n"
            "# Translate each msgstr; keep placeholders such as ${name} as they are.\n#")


def _name(code: str) -> str:
    return Locale.parse(code).english_name


def import_po(definition: dict, data: bytes) -> PoImport:
    """Apply the translations of a .po file onto a copy of a definition; raise PoError if it is broken."""
    catalog = _read(data)
    lang = catalog.locale_identifier and normalise_code(catalog.locale_identifier)
    if catalog.locale is None or not lang:
        value = catalog.locale_identifier or "(none)"
        raise PoError([f"the Language header '{value}' is not a language Babel knows (e.g. fa, fa_AF, ps)"])
    source = definition["settings"]["default_language"]
    if lang == source:
        raise PoError([f"the file is in '{lang}', the source language of this questionnaire"])
    _check_messages(catalog)
    result = PoImport(language=lang, definition=copy.deepcopy(definition))
    current = texts(result.definition)
    for message in list(catalog)[1:]:
        _apply(message, current, source, lang, result)
    if result.changed and lang not in result.definition["settings"]["languages"]:
        result.definition["settings"]["languages"].append(lang)
    load_dict(result.definition, source=f"{definition['form_id']} with {lang} translations")
    return result


def _read(data: bytes) -> Catalog:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PoError([f"the file is not UTF-8 text (byte {exc.start})"]) from exc
    problems = syntax_problems(text)
    if problems:
        raise PoError(problems)
    try:
        return read_po(io.BytesIO(data), abort_invalid=True)
    except PoFileError as exc:
        raise PoError([f"line {exc.lineno}: not valid .po: {exc}"]) from exc


def syntax_problems(text: str) -> list[str]:
    """Name the lines Babel's lenient parser would misread (unterminated strings, bare words)."""
    return [f"line {number}: not valid .po syntax: {line.strip()[:60]}"
            for number, line in enumerate(text.splitlines(), start=1) if not _LINE_RE.match(line)]


def _check_messages(catalog: Catalog) -> None:
    """Refuse the file when a key appears twice or a translation loses or adds a placeholder."""
    problems, seen = [], {}
    for message in list(catalog)[1:]:
        where = f"line {message.lineno} ({message.context or 'no key'})"
        if message.context in seen:
            problems.append(f"{where}: the key also appears on line {seen[message.context]}")
        seen.setdefault(message.context, message.lineno)
        if isinstance(message.id, str) and isinstance(message.string, str) and message.string:
            problems.extend(f"{where}: {p}" for p in placeholder_problems(message.id, message.string))
    if problems:
        raise PoError(problems)


def placeholder_problems(source: str, translation: str) -> list[str]:
    """Name the placeholders a translation lost or added compared with its source."""
    wanted, found = set(PLACEHOLDER_RE.findall(source)), set(PLACEHOLDER_RE.findall(translation))
    return ([f"placeholder {p} is missing from the translation" for p in sorted(wanted - found)]
            + [f"placeholder {p} is not in the source text" for p in sorted(found - wanted)])


def _apply(message, current: dict, source: str, lang: str, result: PoImport) -> None:
    key, translation = message.context, message.string
    entry = Entry(key or "(no key)", message.lineno)
    if not isinstance(translation, str) or not translation:
        result.untranslated += 1
    elif key not in current:
        result.unknown.append(entry)
    elif message.id != current[key].get(source, ""):
        result.stale.append(Entry(key, message.lineno, "the source text has changed since the export"))
    else:
        if message.fuzzy:
            result.fuzzy.append(entry)
        if current[key].get(lang) == translation:
            result.unchanged += 1
        else:
            current[key][lang] = translation
            result.applied.append(entry)
