"""A knowledge check's figures as its reader writes them: digits, decimal sign, percent and plus/minus signs.

Persian, Dari and Pashto readers get Persian digits, the Arabic decimal separator (U+066B, as
in Babel's locale data for all three), the Arabic percent sign and signs that stay left of the
digits in right-to-left text ("‎+۱۲٫۵"); English gets "+12.5". The results page, its charts and
the participant's own score use these; the CSV keeps ASCII digits (export.py).
"""

from ..engine.texts import PERSIAN_NUMERAL_LANGUAGES
from ..engine.texts import local_number
from ..engine.texts import local_signed


def figure(value: float | None, lang: str, kind: str = "percent") -> str:
    """One figure rounded to one decimal: a percentage, a share (0..1) as one, a gain in points, a count."""
    if value is None:
        return "–"
    if kind == "share":
        value *= 100
    value = round(value, 1)
    if kind == "gain":
        return local_signed(value, lang)
    text = local_number(value, lang)
    return text if kind == "count" else text + percent_sign(lang)


def percent_sign(lang: str) -> str:
    return "٪" if lang in PERSIAN_NUMERAL_LANGUAGES else "%"
