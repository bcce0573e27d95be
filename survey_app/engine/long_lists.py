"""Long choice lists (villages, districts, a big CSV): searched, not drawn whole.

A select whose list has more than ``LONG_LIST_MIN - 1`` options (200) puts none of them in the
page: the phone reads the list from a separate file (one per list and language, content-hashed,
kept offline by the service worker) and offers a box to type in, showing at most ``SHOWN_MAX``
options that match the search and the question's ``choice_filter``. Without JavaScript the
server does the same search when the page is posted (see ``form_structure``).

Matching ignores what people type differently for the same name: Arabic and Persian forms of
ی and ک, hamza seats, ة/ه, diacritics, tatweel, the zero-width non-joiner, native digits and case.
Every word typed must appear in the option's label (or its name), in any order. The phone does
the same (``static/js/list-search.js``), held to ``tests/data/list_search_vectors.json``.
"""

import re
import unicodedata

from .definition import FormDefinition
from .definition import Question
from .texts import resolve

LONG_LIST_MIN = 201  # options; fewer are drawn in the page as before
SHOWN_MAX = 50  # options shown at once for a search or a filter
MAX_QUERY = 100  # characters of a search that are read

_FOLD = str.maketrans({
    "ي": "ی", "ى": "ی", "ئ": "ی", "ۍ": "ی", "ې": "ی",
    "ك": "ک", "ګ": "گ",
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
    "ؤ": "و", "ة": "ه", "ۀ": "ه", "ہ": "ه", "ھ": "ه",
    "\u200c": " ", "\u200d": "", "\u0640": "",
    **{chr(0x06F0 + n): str(n) for n in range(10)},
    **{chr(0x0660 + n): str(n) for n in range(10)},
})
_MARKS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Text as searches compare it: one spelling of each Arabic-script letter, no marks, ASCII digits, lower case."""
    folded = _MARKS.sub("", unicodedata.normalize("NFC", str(text)).translate(_FOLD)).lower()
    return _SPACES.sub(" ", folded).strip()


def query_words(query: str) -> list[str]:
    """The words of a search, normalised (only its first MAX_QUERY characters)."""
    return [word for word in normalise(str(query)[:MAX_QUERY]).split(" ") if word]


def matches(words: list[str], name: str, label: str) -> bool:
    """Whether every word of a search appears in the option's label or name."""
    text = f"{normalise(label)} {normalise(name)}"
    return all(word in text for word in words)


def is_long(form: FormDefinition, question: Question) -> bool:
    """Whether a select's options are searched rather than drawn in the page."""
    if question.type not in ("select_one", "select_multiple") or not question.list_name:
        return False
    return len(form.choices.get(question.list_name, ())) >= LONG_LIST_MIN


def long_lists(form: FormDefinition) -> list[str]:
    """The names of the long lists a questionnaire's selects use, in order of first use."""
    names = []
    for question, _ in form.walk_all():
        if is_long(form, question) and question.list_name not in names:
            names.append(question.list_name)
    return names


def has_drawn_filters(form: FormDefinition) -> bool:
    """Whether a filtered select draws its options in the page (choice-filter.js hides them); a long one does not."""
    return any(question.choice_filter and not is_long(form, question) for question, _ in form.walk_all())


def shown_options(options: list[tuple[str, str]], allowed: set[str] | None, query: str,
                  chosen: list[str], *, shown_max: int = SHOWN_MAX) -> tuple[list[str], int]:
    """The options to draw (chosen ones the search does not list first, then the list's order) and how many match.

    ``options`` is [(name, label)] in list order; ``allowed`` the names the filter offers (None: all).
    Without a search, the allowed options are shown only when they are few (``shown_max`` at most).
    """
    words = query_words(query)
    found = [name for name, label in options
             if (allowed is None or name in allowed) and (not words or matches(words, name, label))]
    listed = found[:shown_max] if words or len(found) <= shown_max else []
    known = {name for name, _ in options}
    return [name for name in dict.fromkeys(chosen) if name in known and name not in listed] + listed, len(found)


def list_rows(form: FormDefinition, list_name: str, lang: str) -> list[list]:
    """A list as its file carries it: [name, label in this language, columns for filters] per option."""
    rows = []
    for choice in form.choices.get(list_name, ()):
        label = resolve(choice.label, lang, form.default_language).text if choice.label else choice.name
        rows.append([choice.name, label, dict(choice.data)] if choice.data else [choice.name, label])
    return rows
