"""The questionnaire loader: every problem is reported with its file and question, good files still load."""

import copy
from pathlib import Path

import pytest
import yaml
from sqlmodel import Session

from survey_app import create_app
from survey_app.engine.definition import definition_to_dict
from survey_app.engine.loader import DefinitionError
from survey_app.engine.loader import load_dict
from survey_app.engine.loader import load_directory
from survey_app.engine.loader import load_file
from survey_app.forms_store import get_version

ROOT = Path(__file__).resolve().parent.parent
# The feedback questionnaires; the knowledge checks have their own tests (test_sample_knowledge_checks.py).
SHIPPED_FORMS = sorted(path for path in (ROOT / "forms").glob("*.yaml") if not path.stem.endswith("_knowledge_check"))
SAMPLE = Path(__file__).parent / "data" / "forms" / "sample_feedback.yaml"

BASE = {
    "form_id": "demo",
    "title": {"en": "Demo", "fa": "نمونه"},
    "settings": {"default_language": "en", "languages": ["en", "fa"]},
    "survey": [
        {"type": "integer", "name": "age", "label": {"en": "Age", "fa": "سن"}},
        {"type": "select_one yes_no", "name": "agree", "label": {"en": "Agree?", "fa": "موافقید؟"}},
    ],
    "choices": {
        "yes_no": [
            {"name": "yes", "label": {"en": "Yes", "fa": "بله"}},
            {"name": "no", "label": {"en": "No", "fa": "نه"}},
        ],
    },
}


def _document(*questions, **top) -> dict:
    """The valid base document with extra questions appended and top-level keys replaced."""
    data = copy.deepcopy(BASE)
    data["survey"].extend(copy.deepcopy(list(questions)))
    data.update(copy.deepcopy(top))
    return data


def _without(key: str) -> dict:
    data = _document()
    del data[key]
    return data


def _write(folder: Path, name: str, data) -> Path:
    path = folder / name
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def _problem_of(path: Path) -> DefinitionError:
    with pytest.raises(DefinitionError) as info:
        load_file(path)
    return info.value


def _duplicate_option_choices() -> dict:
    choices = copy.deepcopy(BASE["choices"])
    choices["yes_no"].append({"name": "yes", "label": {"en": "Yes again"}})
    return choices


# (document, fragments the message must contain: the question (or list) and what is wrong)
PROBLEMS = {
    "missing_form_id": (_without("form_id"), ["form_id is missing"]),
    "unknown_type": (_document({"type": "slider", "name": "speed"}), ["question 'speed'", "unknown type 'slider'"]),
    "duplicate_question_name": (_document({"type": "text", "name": "age"}), ["question 'age'", "used twice"]),
    "group_and_question_share_a_name": (
        _document({"type": "group", "name": "block", "children": [{"type": "text", "name": "block"}]}),
        ["question 'block'", "used twice"],
    ),
    "group_named_like_an_earlier_question": (
        _document({"type": "group", "name": "agree", "children": [{"type": "text", "name": "inner"}]}),
        ["question 'agree'", "used twice"],
    ),
    "select_one_without_list": (
        _document({"type": "select_one", "name": "pick"}),
        ["question 'pick'", "select_one needs a choice list"],
    ),
    "select_multiple_without_list": (
        _document({"type": "select_multiple", "name": "picks"}),
        ["question 'picks'", "select_multiple needs a choice list"],
    ),
    "choice_list_does_not_exist": (
        _document({"type": "select_one colours", "name": "colour"}),
        ["question 'colour'", "choice list 'colours' does not exist"],
    ),
    "duplicate_choice_option": (
        _document(choices=_duplicate_option_choices()),
        ["choice list 'yes_no'", "option 'yes' appears twice"],
    ),
    "reference_to_no_question": (
        _document({"type": "text", "name": "why", "relevant": "${agre} = 'no'"}),
        ["question 'why'", "relevant refers to ${agre}", "no question"],
    ),
    "relevant_syntax_error": (
        _document({"type": "text", "name": "why", "relevant": "${age} >"}),
        ["question 'why'", "relevant '${age} >'", "unexpected end of expression"],
    ),
    "constraint_syntax_error": (
        _document({"type": "integer", "name": "kids", "constraint": ". = = 2"}),
        ["question 'kids'", "constraint '. = = 2'", "unexpected '='"],
    ),
    "required_syntax_error": (
        _document({"type": "text", "name": "why", "required": "(${age} = 1"}),
        ["question 'why'", "required '(${age} = 1'", "unexpected end of expression"],
    ),
    "calculation_syntax_error": (
        _document({"type": "calculate", "name": "total", "calculation": "if(1, 2)"}),
        ["question 'total'", "calculation 'if(1, 2)'", "takes 3 argument(s)"],
    ),
    "calculate_without_calculation": (
        _document({"type": "calculate", "name": "total"}),
        ["question 'total'", "a calculate needs a calculation"],
    ),
    "unknown_key_on_a_question": (
        _document({"type": "text", "name": "comment", "lable": {"en": "Comment"}}),
        ["question 'comment'", "unknown key 'lable'"],
    ),
    "rating_with_non_numeric_max": (
        _document({"type": "rating", "name": "stars", "parameters": {"max": "five"}}),
        ["question 'stars'", "parameters.max must be a whole number"],
    ),
    "title_missing_in_default_language": (
        _document(title={"fa": "نمونه"}),
        ["title has no text in the default language 'en'"],
    ),
}


@pytest.mark.parametrize(("document", "fragments"), PROBLEMS.values(), ids=PROBLEMS.keys())
def test_problem_is_reported_with_file_question_and_reason(tmp_path, document, fragments):
    path = _write(tmp_path, "demo.yaml", document)
    error = _problem_of(path)
    message = str(error)
    assert error.source == str(path)
    assert message.startswith(f"{path}: ")
    for fragment in fragments:
        assert fragment in message


def test_invalid_yaml_is_reported(tmp_path):
    path = _write(tmp_path, "demo.yaml", "form_id: demo\nsurvey: [unclosed\n")
    error = _problem_of(path)
    assert error.source == str(path)
    assert "not valid YAML" in str(error)


@pytest.mark.parametrize("text", ["- a list\n- of items\n", "just a sentence\n", "", "42\n"],
                         ids=["list", "string", "empty", "number"])
def test_document_that_is_not_a_mapping_is_reported(tmp_path, text):
    path = _write(tmp_path, "demo.yaml", text)
    error = _problem_of(path)
    assert error.source == str(path)
    assert "must be a mapping" in str(error)


def test_form_id_not_matching_file_name_is_reported(tmp_path):
    path = _write(tmp_path, "demo.yaml", _document(form_id="other_name"))
    error = _problem_of(path)
    assert "form_id 'other_name' must match the file name 'demo'" in str(error)


def test_several_problems_in_one_file_are_all_reported(tmp_path):
    document = _document(
        {"type": "slider", "name": "speed"},
        {"type": "text", "name": "age"},
        {"type": "select_one", "name": "pick"},
        {"type": "text", "name": "why", "relevant": "${nobody} = 1"},
    )
    error = _problem_of(_write(tmp_path, "demo.yaml", document))
    assert len(error.problems) == 4
    message = str(error)
    for fragment in ("unknown type 'slider'", "question 'age': the name is used twice",
                     "select_one needs a choice list", "${nobody}"):
        assert fragment in message


def test_form_id_mismatch_is_reported_with_the_other_problems(tmp_path):
    document = _document({"type": "slider", "name": "speed"}, form_id="other_name")
    error = _problem_of(_write(tmp_path, "demo.yaml", document))
    message = str(error)
    assert "unknown type 'slider'" in message
    assert "must match the file name 'demo'" in message


def _question_with(**fields) -> dict:
    return _document({"type": "rating", "name": "stars", **fields})


MALFORMED = {
    "survey_not_a_list": _document(survey=5),
    "question_not_a_mapping": _document("just text"),
    "label_is_a_list": _document({"type": "text", "name": "comment", "label": ["a", "b"]}),
    "choice_list_is_a_string": _document(choices={"yes_no": "yes no"}),
    "settings_is_a_list": _document(settings=["en"]),
    "parameters_is_a_list": _question_with(parameters=[5]),
    "choice_list_is_a_number": _document(choices={"yes_no": 5}),
    "yaml_boolean_key_on_a_question": (
        "form_id: demo\ntitle: Demo\nsettings: {default_language: en}\n"
        "survey:\n  - {type: text, name: comment, yes: 1, colour: red}\n"),
}


@pytest.mark.parametrize("document", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_document_raises_only_definition_error(tmp_path, document):
    path = _write(tmp_path, "demo.yaml", document)
    error = _problem_of(path)
    assert error.source == str(path)


def _two_files(folder: Path) -> tuple[Path, Path]:
    folder.mkdir()
    good = _write(folder, "good.yaml", _document(form_id="good"))
    broken = _write(folder, "broken.yaml", _document({"type": "slider", "name": "speed"}, form_id="broken"))
    (folder / "README.txt").write_text("not a questionnaire", encoding="utf-8")
    return good, broken


def test_load_directory_loads_good_files_and_reports_broken_ones(tmp_path):
    _, broken = _two_files(tmp_path / "forms")
    forms, errors = load_directory(tmp_path / "forms")
    assert [form.form_id for form in forms] == ["good"]
    assert [error.source for error in errors] == [str(broken)]


def test_app_starts_with_a_broken_questionnaire(app_config, tmp_path):
    _, broken = _two_files(tmp_path / "forms")
    app = create_app({**app_config, "SURVEY_FORMS_DIR": str(tmp_path / "forms")})
    try:
        errors = app.extensions["survey_form_errors"]
        assert [error.source for error in errors] == [str(broken)]
        with Session(app.extensions["survey_engine"]) as session:
            assert get_version(session=session, form_id="good") is not None
            assert get_version(session=session, form_id="broken") is None
    finally:
        app.extensions["survey_engine"].dispose()


def test_plain_string_texts_are_in_the_default_language():
    form = load_dict({
        "form_id": "demo",
        "title": "Demo",
        "description": "About it",
        "settings": {"default_language": "fa", "languages": ["fa", "en"]},
        "survey": [{"type": "select_one yes_no", "name": "agree", "label": "Agree?", "hint": "Pick one",
                    "constraint": ". = 'yes'", "constraint_message": "Say yes", "required": True,
                    "required_message": "Answer it"}],
        "choices": {"yes_no": [{"name": "yes", "label": "Yes"}]},
    })
    question = form.question("agree")
    assert form.title == {"fa": "Demo"}
    assert form.description == {"fa": "About it"}
    assert (question.label, question.hint) == ({"fa": "Agree?"}, {"fa": "Pick one"})
    assert (question.constraint_message, question.required_message) == ({"fa": "Say yes"}, {"fa": "Answer it"})
    assert form.choices["yes_no"][0].label == {"fa": "Yes"}


def _required_of(tmp_path, literal: str):
    text = (
        "form_id: demo\ntitle: Demo\nsettings: {default_language: en}\n"
        f"survey:\n  - type: text\n    name: comment\n    required: {literal}\n"
    )
    return load_file(_write(tmp_path, "demo.yaml", text)).question("comment").required


@pytest.mark.parametrize("literal", ["yes", "'yes'", "true", "'true'", "True", "'True'", "'YES'", "'true()'"])
def test_yes_and_true_required_become_true_function(tmp_path, literal):
    assert _required_of(tmp_path, literal) == "true()"


@pytest.mark.parametrize("literal", ["no", "'no'", "false", "'False'", "''"])
def test_no_and_false_required_mean_not_required(tmp_path, literal):
    assert _required_of(tmp_path, literal) is None


def test_shipped_questionnaires_all_load():
    forms, errors = load_directory(ROOT / "forms")
    assert errors == []
    assert len(forms) == len(SHIPPED_FORMS) + 2 == 4


@pytest.fixture(params=SHIPPED_FORMS, ids=[path.stem for path in SHIPPED_FORMS])
def shipped(request):
    return load_file(request.param)


def test_shipped_questionnaire_has_at_least_twelve_questions_to_answer(shipped):
    assert len([q for q in shipped.questions() if q.is_input]) >= 12


@pytest.mark.parametrize("feature", ["relevant", "constraint", "likert", "select_multiple", "text"])
def test_shipped_questionnaire_uses_feature(shipped, feature):
    questions = shipped.questions()
    uses = {
        "relevant": any(q.relevant for q in questions),
        "constraint": any(q.constraint for q in questions),
        "likert": any("likert" in q.appearance.split() for q in questions),
        "select_multiple": any(q.type == "select_multiple" for q in questions),
        "text": any(q.type == "text" for q in questions),
    }
    assert uses[feature]


def _texts(form):
    """Every text of a form with where it is; a question shown to people must have a label."""
    yield "title", form.title
    if form.description:
        yield "description", form.description
    for question in form.questions():
        if question.type != "calculate":
            yield f"{question.name}.label", question.label
        for key in ("hint", "constraint_message", "required_message"):
            if getattr(question, key):
                yield f"{question.name}.{key}", getattr(question, key)
    for list_name, options in form.choices.items():
        for choice in options:
            yield f"{list_name}/{choice.name}", choice.label


def test_shipped_questionnaire_has_every_text_in_persian_and_english(shipped):
    missing = [where for where, text in _texts(shipped) if not (text.get("fa") and text.get("en"))]
    assert missing == []


ROUND_TRIPS = {path.stem: path for path in [SAMPLE, *SHIPPED_FORMS]}


@pytest.mark.parametrize("path", ROUND_TRIPS.values(), ids=ROUND_TRIPS.keys())
def test_definition_to_dict_round_trip_gives_an_equal_definition(path):
    form = load_file(path)
    assert load_dict(definition_to_dict(form), source="copy") == form


EMPTY_STRINGS = [
    pytest.param({"hint": ""}, id="empty_hint"),
    pytest.param({"default": ""}, id="empty_default"),
]


@pytest.mark.parametrize("field", EMPTY_STRINGS)
def test_round_trip_keeps_empty_strings_equal(field):
    form = load_dict(_document({"type": "text", "name": "comment", **field}))
    assert load_dict(definition_to_dict(form)) == form
