"""Repeats, filtered choices and pages on the server-rendered questionnaire page.

All of it works without JavaScript: an instance of a repeat is added or removed by a button that
posts the page and draws it again with every answer kept (``_add``, ``_remove``); a filtered
select shows the options the answers so far allow (``_refresh`` draws them again); a paged
questionnaire draws every screen, shows one, and moves with ``_page`` (the other screens' fields
are posted with it, so earlier answers travel with the page and are stored once, at the end).
The phone's modules (``repeats.js``, ``pages.js``, ``choice-filter.js``) read the same markup.

Fields inside an instance are named by their path, ``repeat/0/question``, as the engine names
their errors; each instance posts a marker (``repeat`` = its index) so an empty one is kept.
"""

from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace

from .engine.choice_filter import allowed
from .engine.choice_filter import columns
from .engine.choice_filter import written
from .engine.definition import FormDefinition
from .engine.definition import Question
from .engine.long_lists import MAX_QUERY
from .engine.long_lists import SHOWN_MAX
from .engine.long_lists import shown_options
from .engine.scopes import RepeatIndex
from .engine.scopes import Scope
from .engine.structured_check import MAX_INSTANCES

ADD, REMOVE, PAGE, REFRESH = "_add", "_remove", "_page", "_refresh"
NEW = "__new__"  # the index in an instance template, replaced when the phone adds one


def navigation(formdata) -> str | None:
    """The step a posted page asks for instead of sending the answers, if any."""
    return next((key for key in (ADD, REMOVE, PAGE, REFRESH) if key in formdata), None)


def raw_repeats(items, formdata, prefix: str = "") -> dict:
    """The posted instances of each repeat among items, as lists of raw answer mappings."""
    found = {}
    for question in _level(items):
        if question.type == "repeat":
            path = f"{prefix}{question.name}"
            indexes = sorted({int(value) for value in formdata.getlist(path) if _is_index(value)})[:MAX_INSTANCES]
            found[question.name] = [_raw_instance(question, formdata, f"{path}/{index}/") for index in indexes]
    return found


def _is_index(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) < 6


def _raw_instance(repeat: Question, formdata, prefix: str) -> dict:
    raw = {}
    for question in _level(repeat.children):
        if question.type == "select_multiple":
            raw[question.name] = formdata.getlist(prefix + question.name)
        elif question.is_input:
            raw[question.name] = formdata.get(prefix + question.name, "")
    return {**raw, **raw_repeats(repeat.children, formdata, prefix)}


def _level(items):
    """One level's questions, through groups, not into repeats."""
    for item in items:
        yield item
        if item.type == "group":
            yield from _level(item.children)


def apply_step(formdata, raw: dict) -> dict:
    """Add or remove the instance a no-JavaScript button asked for (a path such as member/0/phone)."""
    if ADD in formdata:
        rows = _rows_at(raw, formdata[ADD])
        if rows is not None and len(rows) < MAX_INSTANCES:
            rows.append({})
    elif REMOVE in formdata:
        path, _, index = formdata[REMOVE].rpartition("/")
        rows = _rows_at(raw, path)
        if rows is not None and _is_index(index) and int(index) < len(rows):
            del rows[int(index)]
    return raw


def _rows_at(raw: dict, path: str) -> list | None:
    parts = path.split("/")
    for number in range(0, len(parts) - 1, 2):
        rows = raw.get(parts[number])
        index = parts[number + 1]
        if not isinstance(rows, list) or not _is_index(index) or int(index) >= len(rows):
            return None
        raw = rows[int(index)]
    rows = raw.setdefault(parts[-1], []) if isinstance(raw, dict) else None
    return rows if isinstance(rows, list) else None


@dataclass
class InstanceField:
    """What the question macros read from a form field, for a question inside an instance."""

    data: object = None
    errors: list[str] = field(default_factory=list)


@dataclass
class Instance:
    """One instance of a repeat on the page: its index, its path prefix and its items."""

    number: int
    prefix: str
    items: list


def filtered_options(view, form: FormDefinition, scope: Scope, today) -> None:
    """Mark the options a filtered select does not offer with the answers so far; keep each option's columns."""
    question = view.question
    if not question.choice_filter:
        return
    view.choice_filter = written(question.choice_filter)
    choices = form.choices_for(question)
    view.choice_columns = {choice.name: columns(choice) for choice in choices}
    offered = {choice.name for choice in allowed(question.choice_filter, choices, scope, today=today)}
    view.filtered_out = {choice.name for choice in choices} - offered


@dataclass
class LongList:
    """A long list's question on the page: where its file is, what was searched, how many options match."""

    url: str | None
    query: str
    found: int
    filter: str = ""  # the choice filter as the phone evaluates it
    shown_max: int = SHOWN_MAX


SEARCH = "_search:"  # a long list's search box is named _search:<field name>


def search_terms(formdata) -> dict[str, str]:
    """The searches typed in long lists' boxes of a posted page, by field name."""
    return {key[len(SEARCH):]: value[:MAX_QUERY] for key, value in formdata.items() if key.startswith(SEARCH)}


def long_options(view, form: FormDefinition, scope: Scope, today, query: str, url: str | None) -> None:
    """Keep only the options of a long list the search and the filter pick (engine/long_lists.py)."""
    question = view.question
    offered, written_filter = None, ""
    if question.choice_filter:
        written_filter = written(question.choice_filter)
        offered = {choice.name for choice in allowed(question.choice_filter, form.choices_for(question), scope,
                                                     today=today)}
    data = getattr(view.wtfield, "data", None)
    chosen = [str(value) for value in data] if isinstance(data, list) else [str(data)] if data else []
    labels = dict(view.options)
    shown, found = shown_options([(name, label.text) for name, label in view.options], offered, query, chosen)
    view.options = [(name, labels[name]) for name in shown]
    view.option_media = {}
    view.long_list = LongList(url, query, found, written_filter)


def answer_scope(form: FormDefinition, answers: dict) -> Scope:
    """The top-level scope of the checked answers, for filters and repeat counts on the page."""
    return Scope(RepeatIndex(form), answers)


@dataclass
class Screen:
    """One screen of a paged questionnaire: its items, and whether anything on it is shown."""

    number: int
    items: list
    visible: bool
    current: bool = False


def is_paged(form: FormDefinition) -> bool:
    return form.style == "pages" or any(
        q.type in ("group", "repeat") and "field-list" in q.appearance.split() for q in form.survey)


def cut_screens(form: FormDefinition) -> list[list[tuple[Question, ...]]]:
    """The items of each screen, each as its enclosing groups then the item itself.

    With ``style: pages`` every field-list group, repeat and question is a screen of its own (the
    groups around it shown on each, as Enketo does); without it each top-level field-list group is
    one and the items between them share one. A calculation shows nothing, so it joins the screen
    before it.
    """
    pages = form.style == "pages"
    cut: list[list[tuple[Question, ...]]] = []
    for unit in _units(form.survey, (), pages):
        question = unit[-1]
        own = pages or "field-list" in question.appearance.split()
        if cut and (question.type == "calculate" or not (own or _owns_screen(form, cut[-1][0][-1]))):
            cut[-1].append(unit)
        else:
            cut.append([unit])
    return cut


def _units(items, groups: tuple, pages: bool):
    for item in items:
        if pages and item.type == "group" and "field-list" not in item.appearance.split():
            yield from _units(item.children, (*groups, item), pages)
        else:
            yield (*groups, item)


def _owns_screen(form: FormDefinition, first: Question) -> bool:
    return form.style == "pages" or "field-list" in first.appearance.split()


def screen_of(cut: list, name: str) -> int:
    """The screen an item, or an error path inside a repeat (repeat/0/question), is on."""
    for number, units in enumerate(cut):
        if any(_contains(unit[-1], name.split("/")[0]) for unit in units):
            return number
    return 0


def _contains(question: Question, name: str) -> bool:
    return question.name == name or (question.type == "group" and any(_contains(c, name) for c in question.children))


def page_plan(form: FormDefinition, errors: dict, formdata, step: str | None) -> tuple[dict, int]:
    """Which errors a posted page shows and which screen it opens on.

    Sending shows every error, on the first screen that has one; "next" shows the errors of the
    screen being left and stays there if it has any; every other step shows none.
    """
    at = posted_screen(formdata)
    cut = cut_screens(form) if is_paged(form) else None
    if step is None:
        return errors, min((screen_of(cut, name) for name in errors), default=at) if cut else 0
    if step == PAGE and cut:
        target = _number(formdata.get(PAGE), at)
        blocking = {name: error for name, error in errors.items() if screen_of(cut, name) == at}
        if target > at and blocking:
            return blocking, at
        return {}, target
    return {}, at


def posted_screen(formdata) -> int:
    """The screen the posted page was showing."""
    return _number(formdata.get("_screen"), 0)


def _number(value, fallback: int) -> int:
    return int(value) if isinstance(value, str) and _is_index(value) else fallback


def page_screens(form: FormDefinition, views: list, hidden: set[str], wanted: int, backward: bool) -> list[Screen]:
    """The screens with their items' views, the nearest shown one to `wanted` marked current."""
    if not is_paged(form):
        return []
    by_name = {view.question.name: view for view in views}
    result = []
    for number, units in enumerate(cut_screens(form)):
        units = [unit for unit in units if unit[0].name in by_name]  # closing notes are shown after sending
        if not units:
            continue
        visible = any(unit[-1].type != "calculate" and not any(q.name in hidden for q in unit) for unit in units)
        result.append(Screen(number, [_unit_view(by_name, unit) for unit in units], visible))
    shown = [screen for screen in result if screen.visible] or result
    if backward:
        pick = next((s for s in reversed(shown) if s.number <= wanted), shown[0])
    else:
        pick = next((s for s in shown if s.number >= wanted), shown[-1])
    pick.current = True
    return result


def _unit_view(by_name: dict, unit: tuple):
    """The view of a screen's item, inside copies of its groups that hold only it."""
    view = by_name[unit[0].name]
    if len(unit) == 1:
        return view
    inner = {child.question.name: child for child in view.children}
    return replace(view, children=[_unit_view(inner, unit[1:])])
