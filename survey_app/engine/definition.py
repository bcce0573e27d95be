"""The in-memory shape of a questionnaire: questions, choices and their multilingual texts.

A definition is built from a plain dict (read from YAML, JSON or XLSForm) and can be
turned back into one, so a stored form version is one self-contained document.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from functools import cached_property

Text = dict[str, str]

INPUT_TYPES = frozenset(
    {"text", "integer", "decimal", "select_one", "select_multiple", "date", "rating"}
)
CONTAINER_TYPES = frozenset({"group", "repeat"})  # items with children; a repeat's are answered per instance
ALL_TYPES = INPUT_TYPES | CONTAINER_TYPES | {"note", "calculate"}
TRANSLATABLE_FIELDS = ("label", "hint", "constraint_message", "required_message")

# XLSForm's metadata rows: answers nobody types, filled by the phone or the server (see form_class).
META_TYPES = frozenset({"start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber",
                        "username", "email", "audit", "start-geopoint", "hidden"})
# Questions that need a widget of their own: a location, an OK box, a slider, an order of options, a time.
WIDGET_TYPES = frozenset({"geopoint", "acknowledge", "range", "rank", "time", "datetime"})
# Answers that are files: a photo (taken or picked on the phone, made smaller there) or another file.
# The answer is the file's name; its bytes travel with the record (see survey_app/answer_files.py).
FILE_TYPES = frozenset({"image", "file"})
INPUT_TYPES = INPUT_TYPES | META_TYPES | WIDGET_TYPES | FILE_TYPES
ALL_TYPES = ALL_TYPES | META_TYPES | WIDGET_TYPES | FILE_TYPES
MEDIA_KINDS = ("image", "audio", "video")


@dataclass(frozen=True)
class Choice:
    name: str
    label: Text
    data: dict = field(default_factory=dict)  # the choice sheet's other columns, read by choice filters
    correct: bool = False  # assessments (scoring.py): a right answer
    score: float | None = None  # assessments: points for picking it, overriding the question's
    media: dict = field(default_factory=dict)  # {"image"|"audio"|"video": {lang: file name}}


@dataclass(frozen=True)
class Question:
    name: str
    type: str
    label: Text = field(default_factory=dict)
    hint: Text = field(default_factory=dict)
    list_name: str | None = None
    required: str | None = None
    required_message: Text = field(default_factory=dict)
    relevant: str | None = None
    constraint: str | None = None
    constraint_message: Text = field(default_factory=dict)
    calculation: str | None = None
    default: str | None = None
    appearance: str = ""
    parameters: dict = field(default_factory=dict)
    media: dict = field(default_factory=dict)  # {"image"|"audio"|"video": {lang: file name}}
    read_only: str | None = None  # shown, never typed: its default or calculation is the answer
    children: tuple["Question", ...] = ()
    choice_filter: str | None = None  # which options to offer, evaluated per option (see engine.choice_filter)
    repeat_count: str | None = None  # a repeat's number of instances, fixed by an expression
    objective: str | None = None  # assessments: the learning objective it checks
    points: float | None = None  # assessments: points for a right answer (1 when unset)

    @property
    def is_input(self) -> bool:
        return self.type in INPUT_TYPES

    @property
    def is_choice(self) -> bool:
        return self.type in ("select_one", "select_multiple", "rating")

    @property
    def rating_max(self) -> int:
        return int(self.parameters.get("max", 5))


@dataclass(frozen=True)
class FormDefinition:
    form_id: str
    title: Text
    default_language: str
    languages: tuple[str, ...]
    survey: tuple[Question, ...]
    choices: dict[str, tuple[Choice, ...]]
    version: str = ""  # the author's own version label (settings `version`), shown on the page
    instance_name: str = ""  # expression naming each submission (settings `instance_name`)
    media_files: dict = field(default_factory=dict)  # pictures, sounds, videos: {file name: {"sha256", "size", "type"}}
    description: Text = field(default_factory=dict)
    style: str = ""  # "pages": one screen per top-level group or question
    # CSV files attached to the questionnaire, by file name: their rows as {column: text}; pulldata() reads them
    attachments: dict[str, tuple[dict[str, str], ...]] = field(default_factory=dict)
    # Assessments (scoring.py): learning objectives by id, and settings {pass_mark, show_score}
    objectives: dict[str, Text] = field(default_factory=dict)
    assessment: dict = field(default_factory=dict)

    def walk(self) -> Iterator[tuple[Question, tuple[Question, ...]]]:
        """Yield every question of the top level in document order with the groups that contain it.

        A repeat is yielded, its questions are not: they are answered per instance (``walk_all``).
        """
        return iter(self._walked)

    def walk_all(self) -> Iterator[tuple[Question, tuple[Question, ...]]]:
        """Yield every question, those inside repeats too, with the groups and repeats that contain it."""
        return iter(self._walked_all)

    @cached_property
    def _walked_all(self) -> tuple[tuple[Question, tuple[Question, ...]], ...]:
        return tuple(_walk(self.survey, (), into=CONTAINER_TYPES))

    @cached_property
    def has_repeats(self) -> bool:
        return any(question.type == "repeat" for question, _ in self._walked_all)

    @cached_property
    def file_questions(self) -> tuple[Question, ...]:
        """The questions whose answers are files (photos), wherever they are."""
        return tuple(question for question, _ in self._walked_all if question.type in FILE_TYPES)

    @cached_property
    def has_choice_filters(self) -> bool:
        return any(question.choice_filter for question, _ in self._walked_all)

    @cached_property
    def _walked(self) -> tuple[tuple[Question, tuple[Question, ...]], ...]:
        # A definition never changes, and validation walks it several times per answer.
        return tuple(_walk(self.survey, ()))

    def questions(self) -> list[Question]:
        return [question for question, _ in self.walk()]

    def question(self, name: str) -> Question | None:
        """The question of that name, wherever it is (names are unique, inside repeats too)."""
        return next((q for q, _ in self._walked_all if q.name == name), None)

    def choices_for(self, question: Question) -> tuple[Choice, ...]:
        """Return the options of a choice question; a rating gets 1..max."""
        if question.type == "rating":
            return tuple(Choice(str(n), {}) for n in range(1, question.rating_max + 1))
        return self.choices.get(question.list_name or "", ())


def _walk(items, parents, into=frozenset({"group"})):
    for item in items:
        yield item, parents
        if item.type in into:
            yield from _walk(item.children, parents + (item,), into)


def question_to_dict(question: Question) -> dict:
    """Serialise a question back to the definition vocabulary, leaving out empty keys."""
    data = {"type": f"{question.type} {question.list_name}" if question.list_name else question.type,
            "name": question.name}
    data.update((key, getattr(question, key)) for key in ("media", "read_only") if getattr(question, key))
    for key in ("label", "hint", "required", "required_message", "relevant", "constraint",
                "constraint_message", "calculation", "default", "appearance", "parameters", "choice_filter",
                "repeat_count", "objective", "points"):
        value = getattr(question, key)
        if value or (key == "points" and value == 0):
            data[key] = value
    if question.type in CONTAINER_TYPES:
        data["children"] = [question_to_dict(child) for child in question.children]
    return data


def choice_to_dict(choice: Choice) -> dict:
    data = {"name": choice.name, "label": choice.label}
    if choice.data:
        data["data"] = choice.data
    if choice.correct:
        data["correct"] = True
    if choice.score is not None:
        data["score"] = choice.score
    return data


def definition_to_dict(form: FormDefinition) -> dict:
    """Return the plain-data document a form version stores and the API serves."""
    data = {"form_id": form.form_id, "title": form.title}
    if form.description:
        data["description"] = form.description
    data["settings"] = {"default_language": form.default_language, "languages": list(form.languages)}
    if form.style:
        data["settings"]["style"] = form.style
    if form.assessment:  # assessment keys only when used, so other questionnaires keep their version hash
        data["settings"]["assessment"] = dict(form.assessment)
    if form.objectives:
        data["objectives"] = {key: dict(label) for key, label in form.objectives.items()}
    data["survey"] = [question_to_dict(q) for q in form.survey]
    data["choices"] = {
        name: [choice_to_dict(c) for c in options]
        for name, options in form.choices.items()
    }
    for name, options in form.choices.items():
        for option, choice in zip(data["choices"][name], options, strict=True):
            if choice.media:
                option["media"] = choice.media
    data["settings"].update((key, getattr(form, key)) for key in ("version", "instance_name") if getattr(form, key))
    if form.media_files:
        data["media_files"] = form.media_files
    if form.attachments:  # only when present, so questionnaires without them keep their version hash
        data["attachments"] = {name: [dict(row) for row in rows] for name, rows in form.attachments.items()}
    return data
