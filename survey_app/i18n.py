"""Interface language: choosing it, compiling catalogs, and showing digits and dates.

The language comes from `?lang=`, then the `lang` cookie, then Accept-Language, then the
questionnaire's (or the site's) default. A page that shows a questionnaire may narrow it
to that questionnaire's languages through `use_page_language`.
"""

import datetime
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import jdatetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app
from flask import g
from flask import request
from flask_babel import Babel
from flask_babel import refresh

from .config import INTERFACE_LANGUAGES
from .engine.texts import SOLAR_HIJRI_LANGUAGES
from .engine.texts import is_rtl
from .engine.texts import language_name
from .engine.texts import local_number
from .engine.texts import localise_digits
from .engine.texts import normalise_code

babel = Babel()
LANG_COOKIE = "lang"

PERSIAN_MONTHS = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
                  "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند")
DARI_MONTHS = ("حمل", "ثور", "جوزا", "سرطان", "اسد", "سنبله",
               "میزان", "عقرب", "قوس", "جدی", "دلو", "حوت")
PASHTO_MONTHS = ("وری", "غویی", "غبرگولی", "چنگاښ", "زمری", "وږی",
                 "تله", "لړم", "لیندۍ", "مرغومی", "سلواغه", "کب")
MONTHS = {"fa": PERSIAN_MONTHS, "fa_AF": DARI_MONTHS, "ps": PASHTO_MONTHS}


def init_app(app) -> None:
    """Compile catalogs if needed and bind Flask-Babel with our locale selector."""
    compiled = Path(app.instance_path) / "translations"
    compile_catalogs(Path(app.config["SURVEY_TRANSLATIONS_DIR"]), compiled)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    babel.init_app(app, locale_selector=select_language)
    app.after_request(_remember_language)
    app.jinja_env.filters["digits"] = lambda value: localise_digits(value, current_language())
    app.jinja_env.filters["number"] = lambda value: local_number(value, current_language())
    app.jinja_env.filters["local_date"] = lambda value: format_date(value, current_language())
    app.jinja_env.filters["local_time"] = lambda value: format_moment(value, current_language())
    app.jinja_env.filters["join_list"] = lambda items: join_list(items, current_language())
    app.context_processor(_template_globals)


def compile_catalogs(source: Path, target: Path) -> None:
    """Write .mo files for every .po that is newer than its compiled copy."""
    for po_path in source.glob("*/LC_MESSAGES/messages.po"):
        mo_path = target / po_path.relative_to(source).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        # One temporary name per process: gunicorn workers compile at the same moment.
        tmp = mo_path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        tmp.replace(mo_path)


def requested_language(offered=INTERFACE_LANGUAGES) -> str | None:
    """Return the language the visitor asked for, among those offered, if any."""
    offered = list(offered)
    for candidate in (request.args.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate and normalise_code(candidate) in offered:
            return normalise_code(candidate)
    dashed = [code.replace("_", "-") for code in offered]
    match = request.accept_languages.best_match(dashed)
    return normalise_code(match) if match else None


def select_language() -> str:
    if "page_language" in g:
        return g.page_language
    return requested_language() or current_app.config["SURVEY_DEFAULT_LANGUAGE"]


def use_page_language(offered, default: str) -> str:
    """Pin this request to one of a questionnaire's languages and return it.

    A language the visitor chose (`?lang=`, then the cookie) that the questionnaire lacks
    gives its default language, not the browser's Accept-Language: a Pashto reader sent to a
    Persian and English form reads Persian whatever language the phone itself is set to.
    """
    offered = list(offered)
    chosen = next((normalise_code(c) for c in (request.args.get("lang"), request.cookies.get(LANG_COOKIE))
                   if c and normalise_code(c) in INTERFACE_LANGUAGES), None)
    if chosen:
        g.page_language = chosen if chosen in offered else default
    else:
        g.page_language = requested_language(offered) or default
    refresh()
    return g.page_language


def current_language() -> str:
    return g.get("page_language") or select_language()


def _remember_language(response):
    lang = request.args.get("lang")
    # Only a person's own navigation sets the cookie, not the service worker precaching pages.
    navigation = request.headers.get("Sec-Fetch-Mode", "navigate") == "navigate"
    if navigation and lang and normalise_code(lang) == current_language():
        response.set_cookie(LANG_COOKIE, current_language(), max_age=365 * 24 * 3600,
                            samesite="Lax", secure=request.is_secure)
    return response


def format_date(value, lang: str) -> str:
    """Show an ISO date in Solar Hijri (Persian digits) for Persian, Dari and Pashto, else ISO.

    Never raises: a date the calendar cannot show (before 622 AD, or past its last year) or text that is
    not a date is shown as it is, so one odd record cannot break a page.
    """
    if not value:
        return ""
    try:
        if isinstance(value, str):
            value = datetime.date.fromisoformat(value[:10])
        if lang not in SOLAR_HIJRI_LANGUAGES:
            return value.isoformat()
        jalali = jdatetime.date.fromgregorian(date=value)
        return localise_digits(f"{jalali.day} {MONTHS[lang][jalali.month - 1]} {jalali.year}", lang)
    except (ValueError, TypeError, OverflowError, AttributeError):
        return value.isoformat() if isinstance(value, datetime.date) else str(value)


def server_time(moment: datetime.datetime) -> datetime.datetime:
    """Move a stored (UTC) moment into the server's time zone, SURVEY_TIME_ZONE."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(ZoneInfo(current_app.config["SURVEY_TIME_ZONE"]))


def format_moment(moment: datetime.datetime | None, lang: str) -> str:
    """Show a stored moment as a date (Solar Hijri where the reader uses it) and hh:mm in local time."""
    if moment is None:
        return ""
    local = server_time(moment)
    return f"{format_date(local.date(), lang)}، {localise_digits(local.strftime('%H:%M'), lang)}" \
        if lang in SOLAR_HIJRI_LANGUAGES else f"{local.date().isoformat()} {local.strftime('%H:%M')}"


def join_list(items, lang: str) -> str:
    """Join an enumeration with the comma of the reader's script ("، " in Persian, Dari and Pashto).

    Not Babel's format_list: CLDR puts a comma before the last "و" in Persian, and its Pashto "or"
    pattern has Latin commas; an enumeration of names needs neither "and" nor "or".
    """
    return list_comma(lang).join(str(item) for item in items)


def list_comma(lang: str) -> str:
    return "، " if is_rtl(lang) else ", "


def typed_date(day: datetime.date) -> str:
    """Write a day as a person of the current language types it (Solar Hijri for Persian readers)."""
    return solar_hijri_input(day) if current_language() in SOLAR_HIJRI_LANGUAGES else day.isoformat()


def solar_hijri_input(value) -> str:
    """Write an ISO date as the Y/M/D Solar Hijri text a Persian reader types (as it is when it cannot be)."""
    if not value:
        return ""
    try:
        jalali = jdatetime.date.fromgregorian(date=datetime.date.fromisoformat(str(value)[:10]))
    except (ValueError, TypeError, OverflowError):
        return str(value)
    return localise_digits(f"{jalali.year}/{jalali.month:02d}/{jalali.day:02d}", "fa")


def _template_globals() -> dict:
    lang = current_language()
    return {
        "page_lang": lang,
        "page_lang_tag": lang.replace("_", "-"),
        "page_dir": "rtl" if is_rtl(lang) else "ltr",
        "language_name": language_name,
        "is_rtl": is_rtl,
        "interface_languages": INTERFACE_LANGUAGES,
        "list_comma": list_comma(lang),
    }
