"""Languages of an XLSForm: codes from column names, and a guess when no column names one.

Authors write `label::Persian (fa)`, `label::French`, `label::Español`, `label::Dari` or
`label::Indonesian(id)`. A code in brackets wins; otherwise the name is looked up among the
language names Babel knows in several display languages (so 'Español' and 'Spanish' both
give es). Any language Babel knows may be a form language, with or without an interface
catalog for it.
"""

import re
import unicodedata
from functools import cache

from babel import Locale
from babel import UnknownLocaleError

from ..texts import normalise_code

# Names written in column headers, and codes KoboToolbox users know (it lists Dari as prs).
LANGUAGE_NAMES = {"fa": "Persian", "fa_AF": "Dari", "ps": "Pashto", "en": "English"}
XLSFORM_CODES = {"fa_AF": "prs"}
CODE_ALIASES = {"prs": "fa_AF"}
NAME_CODES = {"english": "en", "persian": "fa", "farsi": "fa", "dari": "fa_AF", "pashto": "ps", "pushto": "ps"}
# Languages whose names for other languages are looked up (Babel's tables, each a few KB).
DISPLAY_LANGUAGES = ("en", "fr", "es", "pt", "ar", "fa", "ps", "ur", "de", "it", "ru", "tr", "id", "sw", "zh",
                     "hi", "bn", "am", "so", "uk", "nl", "pl", "fa_AF")
_LANGUAGE_RE = re.compile(r"\(\s*([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?)\s*\)\s*$")

# Letters that Pashto, Urdu, Arabic (and not Persian) use; Persian letters Arabic does not.
PASHTO_LETTERS = frozenset("ټډړږښځڅګڼۍې")
URDU_LETTERS = frozenset("ٹڈڑںےہ")
ARABIC_ONLY = frozenset("ةى")
PERSIAN_LETTERS = frozenset("پچژگکی")
# Common short words of the Latin-script languages seen in published forms.
LATIN_WORDS = {
    "en": {"the", "and", "of", "you", "your", "is", "what", "how", "do", "are", "in", "this", "name"},
    "fr": {"le", "la", "les", "des", "est", "vous", "et", "du", "quel", "quelle", "votre", "nom", "une"},
    "es": {"el", "los", "las", "de", "que", "y", "es", "usted", "su", "cuál", "nombre", "una", "del"},
    "pt": {"o", "os", "de", "que", "e", "é", "você", "do", "da", "qual", "não", "nome", "uma", "dos"},
}


class UnknownLanguage(ValueError):
    """A language name or code that Babel does not know."""


def _folded(name: str) -> str:
    """Lower-case a name and drop accents, so 'Français' and 'francais' meet."""
    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@cache
def _names() -> dict[str, str]:
    """Every language name Babel knows in the display languages, folded, to its code."""
    names: dict[str, str] = {}
    for display in DISPLAY_LANGUAGES:
        for code, name in Locale.parse(display).languages.items():
            names.setdefault(_folded(name), code)
    for code in DISPLAY_LANGUAGES:  # each language's name for itself
        locale = Locale.parse(code)
        names.setdefault(_folded(locale.get_display_name(code) or ""), code)
        names.setdefault(_folded(locale.get_language_name(code) or ""), code)
    names.update(NAME_CODES)
    return names


def known_code(raw: str) -> str | None:
    """Return the canonical code for a code Babel knows, else None."""
    code = normalise_code(raw.strip())
    code = CODE_ALIASES.get(code, code)
    if not re.fullmatch(r"[a-z]{2,3}(_[A-Za-z0-9]{2,8})?", code):
        return None
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError, TypeError):
        return None
    return code


def language_code(label: str) -> str:
    """Return the code of an XLSForm language such as 'Persian (fa)', 'Dari (prs)', 'French' or 'Español'."""
    match = _LANGUAGE_RE.search(label)
    if match and (code := known_code(match.group(1))):
        return code
    name = _folded(_LANGUAGE_RE.sub("", label) if match else label)
    code = _names().get(name) or _names().get(re.sub(r"\s*\(.*\)$", "", name)) or known_code(label)
    if code:
        return CODE_ALIASES.get(code, code)
    raise UnknownLanguage(f"unknown language '{label}': write a name and a code, e.g. 'Persian (fa)'")


def language_label(code: str) -> str:
    """Return the column suffix for a language, e.g. 'Persian (fa)'."""
    name = LANGUAGE_NAMES.get(code) or Locale.parse(code).english_name
    return f"{name} ({XLSFORM_CODES.get(code, code)})"


def guess_language(texts: list[str]) -> tuple[str, str]:
    """Guess the language of texts whose columns name none; return (code, how it was guessed).

    Arabic script is Persian (fa) unless letters only Pashto, Urdu or Arabic use are there;
    Latin script is the language of the most common short words among en, fr, es, pt, else en.
    """
    letters = "".join(texts)
    arabic = sum(1 for c in letters if "\u0600" <= c <= "\u06ff")
    latin = sum(1 for c in letters if c.isascii() and c.isalpha() or "\u00c0" <= c <= "\u024f")
    if arabic > latin:
        present = set(letters)
        for code, marks, name in (("ps", PASHTO_LETTERS, "Pashto"), ("ur", URDU_LETTERS, "Urdu")):
            if present & marks:
                return code, f"Arabic script with letters only {name} uses"
        if present & ARABIC_ONLY and not present & PERSIAN_LETTERS:
            return "ar", "Arabic script without Persian letters"
        return "fa", "Arabic script"
    words = re.findall(r"[^\W\d_]+", letters.lower())
    counts = {code: sum(1 for word in words if word in common) for code, common in LATIN_WORDS.items()}
    best = max(counts, key=lambda code: counts[code])
    if counts[best] and counts[best] > counts["en"]:
        return best, "Latin script with common words of that language"
    return "en", "Latin script" if latin else "no text to tell from"
