"""Appearances: which ones change what people see here, and which are named in the report.

Known ones are kept on the question (the page reads them); appearances that only a
native ODK Collect widget offers are kept too but reported, and unknown ones are named.
"""

import re

# Drawn as intended by templates/participants/_question.html (and the phone's page).
SHOWN = frozenset({
    "minimal", "likert", "horizontal", "horizontal-compact", "columns", "columns-pack", "compact", "quick",
    "no-calendar", "numbers", "multiline", "label", "list-nolabel", "list", "field-list", "table-list",
    "rating", "thousands-sep", "w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "w9", "w10",
    "quickcompact", "quick-compact", "vertical", "no-ticks", "hidden-answer", "autocomplete", "search",
    "new", "new-front", "selfie",  # a photo taken with the camera (the back one, or the front one)
})
# Understood but drawn plainly: what the row does here instead.
PLAIN = {
    "signature": "answered as a note: drawing is not possible here",
    "draw": "answered as a note: drawing is not possible here",
    "annotate": "answered as a note: drawing is not possible here",
    "maps": "the location is taken from the phone without a map",
    "placement-map": "the location is taken from the phone without a map",
    "month-year": "a full date is asked",
    "year": "a full date is asked",
    "ethiopian": "the Gregorian (or Solar Hijri) calendar is used",
    "coptic": "the Gregorian (or Solar Hijri) calendar is used",
    "islamic": "the Gregorian (or Solar Hijri) calendar is used",
    "bikram-sambat": "the Gregorian (or Solar Hijri) calendar is used",
    "myanmar": "the Gregorian (or Solar Hijri) calendar is used",
    "persian": "the Solar Hijri calendar is used for Persian, Dari and Pashto readers",
    "image-map": "the options are shown as a list",
    "map": "the options are shown as a list",
    "distress": "a number is asked",
    "bearing": "a number is asked",
    "counter": "a number is asked",
    "url": "shown as a note",
    "printer": "shown as a note",
    "masked": "the answer is shown as typed",
}
_NUMBERED = re.compile(r"^(?:columns|compact|quickcompact|w)-?\d+$")
_CALLS = re.compile(r"^(?:search|ex):?")
_CALL_ARGUMENTS = re.compile(r"\([^)]*\)")


def check(appearance: str) -> tuple[str, list[str]]:
    """Return the appearance to keep and the report lines for words shown differently or unknown."""
    notes = []
    for word in _CALL_ARGUMENTS.sub("", appearance).lower().split():
        if word in SHOWN or _NUMBERED.match(word) or _CALLS.match(word):
            continue
        if word in PLAIN:
            notes.append(f"appearance '{word}': {PLAIN[word]}")
        else:
            notes.append(f"appearance '{word}' is not known here; the question is shown plainly")
    return appearance, notes
