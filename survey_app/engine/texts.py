"""Multilingual texts, language facts and digit handling shared by the engine and the web layer."""

from dataclasses import dataclass

from babel.core import UnknownLocaleError
from babel.numbers import get_minus_sign_symbol
from babel.numbers import get_plus_sign_symbol

RTL_LANGUAGES = frozenset({"fa", "fa_AF", "ps", "ar", "ur", "ckb", "he", "prs", "dv", "sd", "ug", "yi"})

# Names shown in the language switcher, each in its own language.
LANGUAGE_NAMES = {
    "en": "English",
    "fa": "فارسی",
    "fa_AF": "دری",
    "ps": "پښتو",
    "ar": "العربية",
    "ur": "اردو",
}

_NATIVE_DIGITS = "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩"
_TO_ASCII = str.maketrans(_NATIVE_DIGITS + "٫٬،", "01234567890123456789" + ".,,")
_TO_PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")

# Languages whose readers expect Persian digits and Solar Hijri dates (Iran and Afghanistan
# both use the Solar Hijri calendar, with their own month names).
PERSIAN_NUMERAL_LANGUAGES = frozenset({"fa", "fa_AF", "ps"})
SOLAR_HIJRI_LANGUAGES = frozenset({"fa", "fa_AF", "ps"})


def base_language(code: str) -> str:
    """Return the language part of a code such as fa_AF or fa-AF."""
    return code.replace("-", "_").split("_")[0].lower()


def is_rtl(code: str) -> bool:
    """Tell whether a language is written right to left, from its code only."""
    code = normalise_code(code)
    return code in RTL_LANGUAGES or base_language(code) in RTL_LANGUAGES


def normalise_code(code: str) -> str:
    """Turn fa-af / FA_af into the canonical fa_AF form."""
    parts = code.replace("-", "_").split("_")
    if len(parts) == 1:
        return parts[0].lower()
    return f"{parts[0].lower()}_{parts[1].upper()}"


def language_name(code: str) -> str:
    """Return a language's own name, or its code when unknown."""
    return LANGUAGE_NAMES.get(code, code)


def to_ascii_digits(value: str) -> str:
    """Replace Persian and Arabic-Indic digits (and decimal separators) with ASCII ones."""
    return value.translate(_TO_ASCII)


def to_persian_digits(value: str) -> str:
    """Write ASCII digits as Persian digits, for display only."""
    return value.translate(_TO_PERSIAN)


def localise_digits(value, lang: str) -> str:
    """Show a number with the digits a reader of this language expects."""
    text = str(value)
    return to_persian_digits(text) if lang in PERSIAN_NUMERAL_LANGUAGES else text


def local_number(value: float | None, lang: str) -> str:
    """Write a number with at most two decimals, in the reader's digits and decimal sign ("12٫5")."""
    if value is None:
        return "–"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    if lang in PERSIAN_NUMERAL_LANGUAGES:
        text = text.replace(".", "٫")
    return localise_digits(text, lang)


def local_signed(value: float, lang: str) -> str:
    """Write a difference with its sign, "+12٫5" or "−3": the locale's own plus and minus signs.

    Babel's symbols for Persian, Dari and Pashto start with a left-to-right mark, which keeps
    the sign on the left of the digits inside right-to-left text (a bare "+" or "-" would be
    shown after the number). Zero gets no sign.
    """
    text = local_number(abs(value), lang)
    if text.strip("0۰٫.") == "":
        return text
    try:
        sign = (get_plus_sign_symbol if value > 0 else get_minus_sign_symbol)(lang, numbering_system="default")
    except (UnknownLocaleError, ValueError):
        sign = "+" if value > 0 else "-"
    return sign + text


@dataclass(frozen=True)
class Resolved:
    """A text in the language it was found in, which may differ from the one asked for."""

    text: str
    lang: str

    @property
    def dir(self) -> str:
        return "rtl" if is_rtl(self.lang) else "ltr"

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)


def resolve(text: dict[str, str] | None, lang: str, default: str) -> Resolved:
    """Pick a text in `lang`, falling back to the base language, then the default, then any."""
    if not text:
        return Resolved("", lang)
    for candidate in (lang, base_language(lang), default):
        if text.get(candidate):
            return Resolved(text[candidate], candidate)
    code, value = next(((k, v) for k, v in text.items() if v), (lang, ""))
    return Resolved(value, code)
