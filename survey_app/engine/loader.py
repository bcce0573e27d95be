"""Read questionnaire documents and check them before anyone answers them.

Every problem is collected (not just the first) and names the file, the question and
what is wrong, so a staff member editing `forms/` can fix them all in one go.
"""

import re
from pathlib import Path

import yaml

from .choice_filter import column_names
from .choice_filter import written
from .definition import ALL_TYPES
from .definition import CONTAINER_TYPES
from .definition import FILE_TYPES
from .definition import MEDIA_KINDS
from .definition import Choice
from .definition import FormDefinition
from .definition import Question
from .expression_attachments import attachment_problems
from .expression_attachments import read_attachments
from .expressions import ExpressionError
from .expressions import parse
from .expressions import references
from .scoring import assessment_problems
from .scoring import read_assessment
from .texts import normalise_code
from .xlsform_structure import expand_or_other

NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
EXPRESSION_FIELDS = ("relevant", "constraint", "required", "calculation", "repeat_count")
KNOWN_KEYS = frozenset({
    "type", "name", "label", "hint", "required", "required_message", "relevant", "constraint",
    "constraint_message", "calculation", "default", "appearance", "parameters", "children",
    "choice_filter", "repeat_count",
    "objective", "points",  # assessments: see scoring.py
})
STYLES = frozenset({"", "pages"})


class DefinitionError(ValueError):
    """A questionnaire that cannot be loaded, with every problem found in it."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


KNOWN_KEYS = KNOWN_KEYS | {"media", "read_only"}


def load_file(path: Path) -> FormDefinition:
    """Load and check one YAML questionnaire; its form_id must match the file name."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DefinitionError(str(path), [f"not valid YAML: {exc}"]) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(str(path), [f"cannot be read: {exc}"]) from exc
    try:
        return load_dict(data, source=str(path), expected_id=path.stem)
    except DefinitionError:
        raise
    except Exception as exc:  # noqa: BLE001 - a shape no check foresaw must still not stop the app
        raise DefinitionError(str(path), [f"could not be read as a questionnaire: {exc!r}"]) from exc


def load_directory(folder: Path) -> tuple[list[FormDefinition], list[DefinitionError]]:
    """Load every questionnaire in a folder; broken ones are reported, the rest still load."""
    forms, errors = [], []
    for path in sorted(folder.glob("*.y*ml")):
        try:
            forms.append(load_file(path))
        except DefinitionError as exc:
            errors.append(exc)
    return forms, errors


def load_dict(data, *, source: str = "<form>", expected_id: str | None = None) -> FormDefinition:
    """Build a definition from plain data, raising DefinitionError listing every problem."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise DefinitionError(source, ["the document must be a mapping with form_id, settings, survey"])
    form_id = str(data.get("form_id") or "")
    if not NAME_RE.match(form_id):
        problems.append("form_id is missing or not a simple name (letters, digits, _)")
    elif expected_id is not None and form_id != expected_id:
        problems.append(f"form_id '{form_id}' must match the file name '{expected_id}'")
    settings = data.get("settings") or {}
    if not isinstance(settings, dict):
        problems.append("settings must be a mapping (default_language, languages)")
        settings = {}
    languages = tuple(normalise_code(str(code)) for code in settings.get("languages") or ())
    default = normalise_code(str(settings.get("default_language") or (languages[0] if languages else "")))
    if not default:
        problems.append("settings.default_language is missing")
    languages = languages or (default,)
    if default and default not in languages:
        languages = (default,) + languages
    style = str(settings.get("style") or "")
    if style not in STYLES:
        problems.append(f"settings.style '{style}' is not known (use 'pages' or leave it out)")
    reader = _Reader(default, problems)
    raw_survey, raw_choices = expand_or_other(data.get("survey"), data.get("choices") or {})
    choices = reader.choices(raw_choices)
    survey = reader.items(raw_survey, "survey")
    media_files = data.get("media_files") or {}
    if not isinstance(media_files, dict):
        problems.append("media_files must map file names to their sha256, size and type")
        media_files = {}
    form = FormDefinition(
        form_id=form_id, title=reader.text(data.get("title"), "title"), default_language=default,
        languages=languages, survey=survey, choices=choices, media_files=media_files,
        version=str(settings.get("version") or ""), instance_name=str(settings.get("instance_name") or ""),
        description=reader.text(data.get("description"), "description"), style=style,
        attachments=read_attachments(data.get("attachments"), problems),
        **read_assessment(data, settings, reader.text, problems),
    )
    _check_references(form, problems)
    problems.extend(attachment_problems(form))
    problems.extend(assessment_problems(form))
    if not form.title.get(default):
        problems.append(f"title has no text in the default language '{default}'")
    if problems:
        raise DefinitionError(source, problems)
    return form


class _Reader:
    """Turn raw mappings into questions and choices, noting problems as it goes."""

    def __init__(self, default: str, problems: list[str]):
        self.default = default
        self.problems = problems
        self.seen: set[str] = set()

    def text(self, value, where: str) -> dict[str, str]:
        if value is None:
            return {}
        if isinstance(value, (str, int, float)):
            return {self.default: str(value)} if str(value) else {}
        if isinstance(value, dict):
            return {normalise_code(str(k)): str(v) for k, v in value.items() if v not in (None, "")}
        self.problems.append(f"{where}: a text must be a string or a mapping of language to string")
        return {}

    def choices(self, raw) -> dict[str, tuple[Choice, ...]]:
        if not isinstance(raw, dict):
            self.problems.append("choices must be a mapping of list name to options")
            return {}
        lists = {}
        for list_name, options in raw.items():
            names, items = set(), []
            if not isinstance(options, list | type(None)):
                self.problems.append(f"choice list '{list_name}' must be a list of options")
                options = []
            for option in options or ():
                name = str((option or {}).get("name", "")) if isinstance(option, dict) else ""
                if not name:
                    self.problems.append(f"choice list '{list_name}': an option has no name")
                    continue
                if name in names:
                    self.problems.append(f"choice list '{list_name}': option '{name}' appears twice")
                names.add(name)
                data = self.choice_data(option.get("data"), f"choice list '{list_name}': option '{name}'")
                items.append(Choice(name, self.text(option.get("label"), f"{list_name}/{name}"), data,
                                    media=self.media(option.get("media"), f"{list_name}/{name}"),
                                    **_choice_scoring(option, f"choice list '{list_name}': option '{name}'",
                                                      self.problems)))
            lists[str(list_name)] = tuple(items)
        return lists

    def choice_data(self, value, label: str) -> dict:
        """An option's other columns (read by choice filters): a mapping of column to text."""
        if value is None:
            return {}
        if not isinstance(value, dict) or not all(isinstance(v, (str, int, float)) for v in value.values()):
            self.problems.append(f"{label}: data must be a mapping of column to text")
            return {}
        return {str(key): str(item) for key, item in value.items() if str(item) != ""}

    def items(self, raw, where: str) -> tuple[Question, ...]:
        if not isinstance(raw, list) or not raw:
            self.problems.append(f"{where} must be a non-empty list of questions")
            return ()
        return tuple(q for q in (self.question(item, where) for item in raw) if q)

    def media(self, value, label: str) -> dict:
        """Read {"image"|"audio"|"video": {lang: file name}}; a bare file name is in the default language."""
        if not value:
            return {}
        if not isinstance(value, dict) or set(value) - set(MEDIA_KINDS):
            self.problems.append(f"{label}: media must map image, audio or video to file names")
            return {}
        return {kind: names for kind in MEDIA_KINDS if (names := self.text(value.get(kind), label))}

    def parameters(self, value, label: str) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problems.append(f"{label}: parameters must be a mapping such as {{max: 5}}")
            return {}
        return dict(value)

    def question(self, raw, where: str) -> Question | None:
        if not isinstance(raw, dict):
            self.problems.append(f"{where}: each question must be a mapping")
            return None
        name = str(raw.get("name") or "")
        label = f"question '{name}'" if name else f"a question in {where}"
        if not NAME_RE.match(name):
            self.problems.append(f"{label}: the name is missing or not a simple name")
        elif name in self.seen:
            self.problems.append(f"{label}: the name is used twice")
        elif name.startswith("__"):
            self.problems.append(f"{label}: names starting with '__' are kept for choice filters")
        self.seen.add(name)
        for key in sorted(str(k) for k in set(raw) - KNOWN_KEYS):
            self.problems.append(f"{label}: unknown key '{key}'")
        kind, _, list_name = str(raw.get("type") or "").partition(" ")
        if kind not in ALL_TYPES:
            self.problems.append(f"{label}: unknown type '{raw.get('type')}'")
        if kind in ("select_one", "select_multiple") and not list_name.strip():
            self.problems.append(f"{label}: {kind} needs a choice list, e.g. '{kind} yes_no'")
        return Question(
            name=name, type=kind, list_name=list_name.strip() or None,
            label=self.text(raw.get("label"), label), hint=self.text(raw.get("hint"), label),
            required=_condition(raw.get("required")),
            required_message=self.text(raw.get("required_message"), label),
            relevant=_condition(raw.get("relevant")), constraint=_condition(raw.get("constraint")),
            constraint_message=self.text(raw.get("constraint_message"), label),
            calculation=_condition(raw.get("calculation")),
            media=self.media(raw.get("media"), label), read_only=_condition(raw.get("read_only")),
            default=None if raw.get("default") in (None, "") else str(raw.get("default")),
            appearance=str(raw.get("appearance") or ""), parameters=self.parameters(raw.get("parameters"), label),
            children=self.items(raw.get("children"), label) if kind in CONTAINER_TYPES else (),
            choice_filter=_condition(raw.get("choice_filter")), repeat_count=_condition(raw.get("repeat_count")),
            objective=str(raw["objective"]) if raw.get("objective") not in (None, "") else None,
            points=_number(raw.get("points"), f"{label}: points", self.problems),
        )


def _choice_scoring(option: dict, label: str, problems: list[str]) -> dict:
    """Read an option's assessment keys: `correct: true` and `score: <number>`."""
    correct = option.get("correct", False)
    if isinstance(correct, str) and correct.strip().lower() in ("yes", "true", "1", "no", "false", "0", ""):
        correct = correct.strip().lower() in ("yes", "true", "1")
    if not isinstance(correct, bool):
        problems.append(f"{label}: correct must be true or false")
        correct = False
    return {"correct": correct, "score": _number(option.get("score"), f"{label}: score", problems)}


def _number(value, label: str, problems: list[str]) -> float | None:
    """A finite number (points, a score), or None when absent."""
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if isinstance(value, bool) or number != number or abs(number) > 1_000_000:
        problems.append(f"{label} must be a number")
        return None
    return int(number) if number.is_integer() else number


def _condition(value) -> str | None:
    """Normalise yes/no/true() style conditions to an expression string, or None."""
    if value is None or value is False or value == "":
        return None
    if value is True:
        return "true()"
    text = str(value).strip()
    if text.lower() in ("yes", "true"):
        return "true()"
    if text.lower() in ("no", "false"):
        return None
    return text


def _check_references(form: FormDefinition, problems: list[str]) -> None:
    """Check choice lists exist and every expression parses and names real questions."""
    names = {q.name for q, _ in form.walk_all()}
    for question, parents in form.walk_all():
        if question.type in FILE_TYPES and any(parent.type == "repeat" for parent in parents):
            problems.append(f"question '{question.name}': a photo or file inside a repeat is not possible here")
        if question.list_name and question.list_name not in form.choices:
            problems.append(f"question '{question.name}': choice list '{question.list_name}' does not exist")
        if question.type == "rating" and not str(question.parameters.get("max", 5)).isdigit():
            problems.append(f"question '{question.name}': parameters.max must be a whole number")
        if question.type == "calculate" and not question.calculation:
            problems.append(f"question '{question.name}': a calculate needs a calculation")
        for key in EXPRESSION_FIELDS:
            expression = getattr(question, key)
            if not expression:
                continue
            try:
                missing = sorted(references(parse(expression)) - names)
            except ExpressionError as exc:
                problems.append(f"question '{question.name}': {key} '{expression}': {exc}")
                continue
            for name in missing:
                problems.append(f"question '{question.name}': {key} refers to ${{{name}}}, which is no question")
        if question.choice_filter:
            _check_choice_filter(form, question, names, problems)
        if question.repeat_count and question.type != "repeat":
            problems.append(f"question '{question.name}': repeat_count '{question.repeat_count}': "
                            "only a repeat takes a repeat_count")


def _check_choice_filter(form: FormDefinition, question: Question, names: set[str], problems: list[str]) -> None:
    """A filter must parse, name real questions, and read only columns its option list has."""
    where = f"question '{question.name}': choice_filter '{question.choice_filter}'"
    if not question.list_name:
        problems.append(f"{where}: only a question with a choice list can be filtered")
        return
    try:
        missing = sorted(references(parse(written(question.choice_filter))) - names)
        wanted = column_names(question.choice_filter)
    except ExpressionError as exc:
        problems.append(f"{where}: {exc}")
        return
    for name in missing:
        if not name.startswith("__choice."):
            problems.append(f"{where}: it refers to ${{{name}}}, which is no question")
    have = {"name"}.union(*(choice.data for choice in form.choices.get(question.list_name, ())))
    for column in sorted(wanted - have):
        problems.append(f"{where}: the list '{question.list_name}' has no column '{column}'")
