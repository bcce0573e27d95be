"""XLSForm shorthands that stand for more structure, written out as plain questions.

``select_one list or_other`` is pyxform's shorthand for a list with an "other" option and a text
question asked only when it is picked. It is written out here the way pyxform does, so the engine,
the pages and the exports only ever see ordinary questions.
"""

import re

OTHER = "other"
COLUMN_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
# pyxform writes these in English whatever the form's languages; the languages of this office get their own.
OTHER_LABEL = {"en": "Other", "fa": "سایر", "fa_AF": "دیگر", "ps": "نور"}
OTHER_QUESTION_LABEL = {"en": "Specify other.", "fa": "لطفاً مشخص کنید.", "fa_AF": "لطفاً مشخص کنید.",
                        "ps": "مهرباني وکړئ څرګند یې کړئ."}


def expand_or_other(survey, choices):
    """Return (survey, choices) with every ``or_other`` select written out; anything else is kept as is."""
    if not isinstance(survey, list) or not isinstance(choices, dict):
        return survey, choices
    lists = dict(choices)
    return _items(survey, lists), lists


def _items(items: list, lists: dict) -> list:
    written = []
    for item in items:
        if not isinstance(item, dict):
            written.append(item)
            continue
        if isinstance(item.get("children"), list):
            item = {**item, "children": _items(item["children"], lists)}
        words = str(item.get("type") or "").split()
        if len(words) == 3 and words[2] == "or_other" and words[0] in ("select_one", "select_multiple"):
            list_name = _with_other(words[1], lists)
            item = {**item, "type": f"{words[0]} {list_name}"}
            written += [item, _other_question(item)]
        else:
            written.append(item)
    return written


def _with_other(list_name: str, lists: dict) -> str:
    """The name of a copy of the list with an 'other' option (a list used elsewhere stays as it is).

    A list that has its own 'other' already keeps it, as pyxform does.
    """
    options = lists.get(list_name)
    if not isinstance(options, list):
        return list_name  # the loader reports the missing list
    name = f"{list_name}_or_other"
    if name not in lists:
        languages = {lang for option in options if isinstance(option, dict)
                     and isinstance(option.get("label"), dict) for lang in option["label"]}
        has_other = any(isinstance(option, dict) and option.get("name") == OTHER for option in options)
        lists[name] = options if has_other else [*options, {"name": OTHER, "label": _in(OTHER_LABEL, languages)}]
    return name


def _other_question(item: dict) -> dict:
    name = str(item.get("name") or "")
    languages = set(item["label"]) if isinstance(item.get("label"), dict) else set()
    return {"type": "text", "name": f"{name}_other", "label": _in(OTHER_QUESTION_LABEL, languages),
            "relevant": f"selected(${{{name}}}, '{OTHER}')"}


def _in(texts: dict, languages: set) -> dict | str:
    """A text in each of the languages (English where this office's languages are not), or plain English."""
    if not languages:
        return texts["en"]
    return {lang: texts.get(lang, texts["en"]) for lang in sorted(languages)}


def choice_column(tokens: tuple[str, ...]) -> str | None:
    """The name under which a choices sheet's extra column is kept (``data``), or None to ignore it.

    A plain column (``province``, ``county``) is what choice filters read; media and text columns
    (``image::English``, ``label``...) are not data.
    """
    if len(tokens) != 1 or not COLUMN_RE.match(tokens[0]) or tokens[0] in ("media", "image", "audio", "video"):
        return None
    return tokens[0]


def structure_settings(style, warn) -> dict:
    """The settings sheet's ``style`` as the definition keeps it: "pages", or nothing.

    Enketo themes (``theme-grid``, ``theme-formhub``) change only the look there; they are named in
    the import report and left out.
    """
    words = str(style or "").split()
    others = [word for word in words if word != "pages"]
    if others:
        warn(f"settings: style '{' '.join(others)}' is an Enketo theme this app does not have; it is ignored")
    return {"style": "pages"} if "pages" in words else {}


def structure_row(question: dict, number: int, warn) -> dict:
    """A survey row's structure columns as pyxform reads them: a repeat_count off a repeat does nothing."""
    if question.get("repeat_count") and question["type"] != "repeat":
        warn(f"survey row {number}: repeat_count is ignored: only a repeat has a number of instances")
        return {key: value for key, value in question.items() if key != "repeat_count"}
    return question
