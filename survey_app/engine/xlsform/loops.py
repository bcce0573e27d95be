"""`begin loop over LIST`: pyxform's old shorthand for the same questions asked once per option.

The loop becomes a group holding one group per option of the list, named after the option,
with the loop's rows copied inside; `%(name)s` and `%(label)s` in a copy's texts and rules
become that option's name and label, as pyxform writes them.
"""

import copy

BEGIN = ("begin", "loop", "over")
PLACEHOLDERS = ("%(name)s", "%(label)s")


def _words(item: dict) -> list[str]:
    return item["type"].replace("_", " ").lower().split()


def _is_begin(item: dict) -> bool:
    return tuple(_words(item)[:3]) == BEGIN


def _is_end(item: dict) -> bool:
    return _words(item) == ["end", "loop"]


def expand(rows: list[tuple[int, dict]], lists: dict, warn) -> list[tuple[int, dict]]:
    """Return the rows with every complete loop written out; an unmatched row is left for the builder."""
    out: list[tuple[int, dict]] = []
    index = 0
    while index < len(rows):
        number, item = rows[index]
        end = _matching_end(rows, index) if _is_begin(item) else None
        if end is None:
            out.append(rows[index])
            index += 1
            continue
        body = expand(rows[index + 1:end], lists, warn)
        list_name = item["type"].split()[-1]
        options = lists.get(list_name)
        if not options:
            warn(number, f"the loop's list '{list_name}' is missing; its questions are asked once")
        out.append((number, _group(item, "begin group")))
        for option in options or [None]:
            if option is not None:
                out.append((number, _option_group(option)))
            out.extend((row, _copy(copied, option)) for row, copied in body)
            if option is not None:
                out.append((number, _end_group()))
        out.append((rows[end][0], _end_group()))
        index = end + 1
    return out


def _matching_end(rows: list, start: int) -> int | None:
    depth = 0
    for index in range(start, len(rows)):
        item = rows[index][1]
        depth += _is_begin(item) - _is_end(item)
        if depth == 0:
            return index
    return None


def _group(item: dict, kind: str) -> dict:
    return {**item, "type": kind}


def _end_group() -> dict:
    return {"type": "end group", "texts": {}, "media": {}}


def _option_group(option: dict) -> dict:
    label = option.get("label") or {}
    return {"type": "begin group", "name": option["name"], "loop_copy": True, "media": {},
            "texts": {"label": dict(label) if isinstance(label, dict) else {None: str(label)}}}


def _copy(item: dict, option: dict | None) -> dict:
    copied = copy.deepcopy(item)
    if option is None:
        return copied
    copied["loop_copy"] = True
    label = option.get("label") or {}
    labels = label if isinstance(label, dict) else {None: str(label)}
    fallback = next(iter(labels.values()), option["name"])
    for values in copied["texts"].values():
        for lang, text in values.items():
            values[lang] = _filled(text, option["name"], labels.get(lang, fallback))
    for key, value in copied.items():
        if isinstance(value, str) and key not in ("type", "name"):
            copied[key] = _filled(value, option["name"], fallback)
    return copied


def _filled(text: str, name: str, label: str) -> str:
    if not isinstance(text, str) or "%(" not in text:
        return text
    return text.replace(PLACEHOLDERS[0], name).replace(PLACEHOLDERS[1], label)
