"""The survey sheet, row by row: questions, groups and repeats in the definition vocabulary.

Each row keeps what it can; what it cannot do here is said in the report with what the
row does instead. A name used in two groups (legal in XLSForm) keeps its name as the
answer key where it is unique and gets its group path (`household.name`) where it is not.
"""

import re
from collections import Counter

from pyxform import aliases
from pyxform.errors import PyXFormError
from pyxform.parsing.parameters import parse as parse_parameters

from .. import xlsform_assessment as assessment
from ..definition import ALL_TYPES
from ..definition import INPUT_TYPES
from ..definition import TRANSLATABLE_FIELDS
from ..loader import KNOWN_KEYS
from ..loader import NAME_RE
from . import appearances
from . import loops
from .choices import list_from_file
from .columns import EXPRESSION_FIELDS
from .columns import SURVEY_FIELDS
from .columns import field_of
from .columns import media_of
from .columns import plain_expression
from .report import numbers
from .types import file_answer
from .types import row_type

CONTAINERS = ("group", "repeat", "loop")
PLAIN_KEYS = ("required", "relevant", "constraint", "calculation", "default", "appearance", "read_only",
              *assessment.QUESTION_KEYS)
MAX_RANGE_STEPS = 1000
_PROBLEM = re.compile(r"^question '([^']+)': (\w+)")


def _or_other_expanded() -> bool:
    """Whether the loader writes out `or_other` (an 'other' option and a text question)."""
    try:
        from .. import xlsform_structure  # noqa: F401
    except ImportError:
        return False
    return True


class SurveyBuilder:
    """Turn survey rows into nested questions, keeping choice lists (sheet, external, CSV) in `lists`."""

    def __init__(self, importer, lists: dict, external: dict):
        self.importer = importer
        self.report = importer.report
        self.lists = dict(lists)
        self.external = external
        self.by_key: dict[str, tuple[int, dict]] = {}
        self.ignored: dict[str, list[int]] = {}
        self.given_up: set[tuple[str, str]] = set()  # (question, rule) taken out after a loader problem

    def warn(self, number: int, message: str) -> None:
        self.report.warn(f"survey row {number}: {message}")

    def build(self, sheet) -> list[dict]:
        rows = [(number, item) for number, raw in sheet.rows if (item := self._cells(number, raw, sheet))]
        for number, item in rows:
            if not item.get("name") and item["type"].lower() == "note":  # pyxform lets a note go unnamed
                item["name"], item["unnamed"] = f"note_{number}", True
        rows = loops.expand(rows, self.lists, self.warn)
        counts = Counter(item.get("name") for _, item in rows if item.get("name"))
        top: list[dict] = []
        stack = [(0, "survey", top, ())]  # open containers: (row, kind, children, path of names)
        for number, item in rows:
            words = item["type"].replace("_", " ").lower().split()
            if len(words) == 2 and words[0] == "begin" and words[1] in CONTAINERS:
                container = self._container(number, item, words[1], stack[-1][3], counts)
                if container is not None:
                    stack[-1][2].append(container)
                stack.append((number, words[1], container["children"] if container else [],
                              (*stack[-1][3], item.get("name", ""))))
            elif len(words) == 2 and words[0] == "end" and words[1] in CONTAINERS:
                if len(stack) == 1:
                    self.report.error(f"survey row {number}: '{item['type']}' has no matching begin")
                else:
                    stack.pop()
            elif (question := self._question(number, item, stack[-1][3], counts,
                                             in_repeat=any(kind in ("repeat", "loop") for _, kind, _, _ in stack))) \
                    is not None:
                stack[-1][2].append(question)
                if shown := self._calculated_input(number, question):
                    stack[-1][2].append(shown)
        for number, kind, _, _ in stack[1:]:
            self.report.error(f"survey row {number}: this 'begin {kind}' has no 'end {kind}'")
        for header, rows_ in self.ignored.items():
            self.report.warn(f"survey column '{header}' is not used here ({numbers(rows_)})")
        return top

    # -- cells -----------------------------------------------------------------------------

    def _cells(self, number: int, row: dict, sheet) -> dict | None:
        """Collect a row's known cells; None for an empty row."""
        item, texts, media = {}, {}, {}
        for header, value in row.items():
            tokens = sheet.headers[header]
            name, lang = field_of(tokens, SURVEY_FIELDS)
            kind, media_lang = media_of(tokens)
            if name in TRANSLATABLE_FIELDS:
                texts.setdefault(name, {})[self.importer.languages.get(header) if lang else None] = value
            elif name and lang is None:
                item[name] = value.strip() if name != "label" else value
            elif kind:
                media.setdefault(kind, {})[self.importer.languages.get(header) if media_lang else None] = value
            else:
                self.ignored.setdefault(header, []).append(number)
        if not item and not texts and not media:
            return None
        if not item.get("type") and not item.get("name") and "label" not in texts:
            self.report.warn_row("survey: a row without type, name or label is a comment; it is left out", number)
            return None
        if not item.get("type"):
            self.report.error(f"survey row {number}: the type is missing")
            return None
        item["type"] = " ".join(item["type"].split())
        item["texts"], item["media"] = texts, media
        return item

    def _key(self, number: int, item: dict, path: tuple, counts: Counter) -> str | None:
        """The answer key: the name where it is unique in the form, else its group path."""
        name = item.get("name", "")
        if not name:
            self.report.error(f"survey row {number}: the name is missing")
            return None
        key = name if NAME_RE.match(name) else re.sub(r"[^A-Za-z0-9_.-]", "_", name).lstrip(".-") or "_"
        if not NAME_RE.match(key):
            key = f"_{key}"
        if key.startswith("__"):  # `__version__` in forms from KoboToolbox; the engine keeps '__' for filters
            key = "_" + key.lstrip("_")
        groups = [part for part in path if part]
        for depth in range(1, len(groups) + 1 if counts[name] > 1 else 0):
            key = ".".join([*groups[-depth:], name if NAME_RE.match(name) else key.rpartition(".")[2]])
            if key not in self.by_key:
                break
        if key in self.by_key:
            key = f"{key}_{number}"
        if key != name and not item.get("unnamed") and not item.get("loop_copy"):
            reason = f"is used more than once in the form, so its answers are kept as '{key}'" if counts[name] > 1 \
                else f"is written '{key}' here"
            self.warn(number, f"the name '{name}' {reason}")
        return key

    # -- rows ------------------------------------------------------------------------------

    def _container(self, number: int, item: dict, kind: str, path: tuple, counts: Counter) -> dict | None:
        key = self._key(number, item, path, counts)
        if key is None:
            return None
        repeat = kind in ("repeat", "loop")
        if repeat and "repeat" not in ALL_TYPES:
            self.warn(number, "repeats are not available here; its questions are asked once")
        node = {"type": "repeat" if repeat and "repeat" in ALL_TYPES else "group", "name": key}
        self._common(number, item, node)
        node["children"] = []
        self.by_key[key] = (number, node)
        return node

    def _question(self, number: int, item: dict, path: tuple, counts: Counter, in_repeat: bool = False) -> dict | None:
        key = self._key(number, item, path, counts)
        if key is None:
            return None
        written = item["type"]
        kind = file_answer(row_type(written), item.get("appearance", ""), in_repeat, written)
        question: dict = {"name": key}
        if kind is None:
            self.warn(number, f"type '{written}' is not known here; the row is shown as a note")
            question["type"] = "note"
        else:
            question["type"] = self._typed(number, kind, item, question)
            if kind.note:
                self.warn(number, kind.note)
            if kind.not_here:
                question["parameters"] = {"unavailable": written.split()[0].lower()}
        self._common(number, item, question)
        if question["type"] == "calculate" and not question.get("calculation"):
            self.warn(number, "a calculate without a calculation stays empty")
            question["type"] = "hidden"
            for rule in ("required", "constraint"):
                question.pop(rule, None)
        self.by_key[key] = (number, question)
        return question

    def _calculated_input(self, number: int, question: dict) -> dict | None:
        """A question with a calculation: ODK fills it with the calculated value.

        Read-only (a total, a value looked up), it is kept as a calculation whose value is
        stored, followed by a note that shows its label and the value as it changes. A question
        people may still change keeps their answer; the report says the calculation is not done.
        """
        if not question.get("calculation") or question["type"] in ("calculate", "note", "hidden"):
            return None
        if question["type"].split()[0] not in INPUT_TYPES or question.get("read_only") != "true()":
            self.warn(number, "a calculation on a question people answer is not done here; the answer is typed")
            del question["calculation"]
            return None
        name = question["name"]
        label = question.get("label") or {self.importer.default or "en": name}
        shown_name = f"{name}_shown"
        while shown_name in self.by_key:
            shown_name += "_"
        shown = {"type": "note", "name": shown_name,
                 "label": {lang: f"{text}\n**${{{name}}}**" for lang, text in label.items()}}
        for key in ("relevant", "media", "hint"):
            if key in question:
                shown[key] = question[key]
        kept = {key: question[key] for key in ("name", "relevant", "calculation") if key in question}
        question.clear()
        question.update(type="calculate", **kept)
        self.by_key[shown_name] = (number, shown)
        self.warn(number, "a read-only question with a calculation is kept as a calculation, its value shown "
                          "in a note")
        return shown

    def _typed(self, number: int, kind, item: dict, question: dict) -> str:
        """Return the row's type in the definition, with its choice list or parameters."""
        if kind.from_file is not None:
            return list_from_file(self, number, kind)
        if kind.kind == "range":
            return self._range(number, item, question)
        if kind.list_name:
            name = kind.kind.split()[0]
            if kind.kind.endswith(" or_other") and not _or_other_expanded():
                self.warn(number, "'or_other' is not available here; the list is offered without 'other'")
            elif kind.kind.endswith(" or_other"):
                return f"{name} {kind.list_name} or_other"
            if kind.list_name not in self.lists:
                self.warn(number, f"the choice list '{kind.list_name}' is missing; the answer is typed as text")
                return "text"
            return f"{name} {kind.list_name}"
        return kind.kind

    def _range(self, number: int, item: dict, question: dict) -> str:
        """A range with appearance 'rating' from 1 in steps of 1 is the engine's star rating; else a slider."""
        params = self._parameters(number, item)
        start, end, step = params.pop("start", 1), params.pop("end", 10), params.pop("step", 1)
        try:
            start, end, step = (float(value) for value in (start, end, step))
        except (TypeError, ValueError):
            self.warn(number, "range parameters must be numbers; a slider from 1 to 10 is shown")
            start, end, step = 1.0, 10.0, 1.0
        if step <= 0 or end <= start or (end - start) / step > MAX_RANGE_STEPS:
            self.warn(number, "range parameters do not make a usable slider; a slider from 1 to 10 is shown")
            start, end, step = 1.0, 10.0, 1.0
        words = item.get("appearance", "").split()
        whole = [int(v) if float(v).is_integer() else v for v in (start, end, step)]
        if "rating" in words and start == 1 and step == 1 and float(end).is_integer():
            item["appearance"] = " ".join(word for word in words if word != "rating")
            question["parameters"] = {"max": int(end), **params}
            return "rating"
        question["parameters"] = {"start": whole[0], "end": whole[1], "step": whole[2], **params}
        return "range"

    def _parameters(self, number: int, item: dict) -> dict:
        raw = item.pop("parameters", "")
        if not raw:
            return {}
        try:
            parsed = parse_parameters(raw, number)
        except PyXFormError:
            self.warn(number, f"parameters '{raw}' cannot be read; they are left out")
            return {}
        return {key: int(value) if value.isdigit() else value for key, value in parsed.items()}

    def _common(self, number: int, item: dict, question: dict) -> None:
        """Copy texts, rules, appearance and media onto a question, dropping what does not apply."""
        for field, values in item["texts"].items():
            if text := self.importer.texts(values, f"survey row {number}"):
                question[field] = text
        for key in PLAIN_KEYS:
            value = item.get(key, "")
            if value and key in EXPRESSION_FIELDS:
                value = plain_expression(value)
            if value:
                question[key] = value
        params = self._parameters(number, item)  # a range has taken its own already
        if params:
            question["parameters"] = {**question.get("parameters", {}), **params}
        self._rules(number, item, question)
        if media := self.importer.media(item["media"], f"survey row {number}"):
            question["media"] = media

    def _rules(self, number: int, item: dict, question: dict) -> None:
        kind = question["type"].split()[0]
        if question.get("appearance"):
            for note in appearances.check(question["appearance"])[1]:
                self.warn(number, note)
        if kind == "date" and question.get("default") == "today()":
            question["default"] = "today"
        elif question.get("default") and ("${" in question["default"] or "(" in question["default"]):
            self.warn(number, f"the default '{question['default']}' is computed in ODK; the field starts empty")
            del question["default"]
        if question.get("read_only"):
            if aliases.yes_no.get(question["read_only"].lower()) is False or kind not in INPUT_TYPES:
                del question["read_only"]
            elif aliases.yes_no.get(question["read_only"].lower()) is True:
                question["read_only"] = "true()"
        for key in ("choice_filter", "repeat_count"):
            if not (value := item.get(key)):
                continue
            if key == "repeat_count" and question["type"] != "repeat" and "repeat" not in item["type"].lower():
                self.warn(number, "repeat_count is ignored: only a repeat has a number of instances")
            elif key in KNOWN_KEYS and (key != "repeat_count" or question["type"] == "repeat"):
                question[key] = plain_expression(value)
            else:
                self.warn(number, f"{key} is not available here; {_instead(key)}")
        if item.get("trigger"):
            self.warn(number, "the trigger column is not used here; the calculation follows every answer")

    # -- after the loader ------------------------------------------------------------------

    def give_up_rule(self, problem: str, dropped: dict) -> bool:
        """Take out of its row the rule a loader problem names; False when the problem is not one rule."""
        match = _PROBLEM.match(problem)
        if not match or match.group(1) not in self.by_key:
            return False
        number, question = self.by_key[match.group(1)]
        key = match.group(2)
        if (match.group(1), key) in self.given_up:
            return True  # a second problem with a rule already taken out
        if key == "choice" and "choice list" in problem:
            question["type"] = "text"
            self.warn(number, f"{problem.split(': ', 1)[1]}; the answer is typed as text")
            return True
        if key not in dropped or key not in question:
            return False
        del question[key]
        self.given_up.add((match.group(1), key))
        self.warn(number, f"{problem.split(': ', 1)[1]}; {dropped[key]}")
        if key == "calculation" and question["type"] == "calculate":
            question["type"] = "hidden"
            for rule in ("required", "constraint"):  # nobody can fill the value these would ask for
                question.pop(rule, None)
            self._drop_rules_reading(match.group(1), dropped)
        return True

    def _drop_rules_reading(self, name: str, dropped: dict) -> None:
        """A value that stays empty cannot decide a rule: rules that read it go too (else no answer passes)."""
        reference = "${" + name + "}"
        for number, question in self.by_key.values():
            for key in ("constraint", "required", "relevant"):
                if reference in question.get(key, ""):
                    del question[key]
                    self.warn(number, f"{key} reads {reference}, whose calculation cannot be done here; "
                                      f"{dropped[key]}")

    def located(self, problem: str) -> str:
        """Prefix a loader problem about a question with its survey row."""
        match = _PROBLEM.match(problem)
        if match and match.group(1) in self.by_key:
            return f"survey row {self.by_key[match.group(1)][0]}: {problem}"
        return problem


def _instead(key: str) -> str:
    return "every option is offered" if key == "choice_filter" else "people add as many as they need"
