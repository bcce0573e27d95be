"""The knowledge checks shipped in forms/ load, render in each of their languages, and score as meant."""

from pathlib import Path

import pytest

from survey_app.engine.loader import load_file
from survey_app.engine.scoring import score
from survey_app.engine.scoring import scored_questions
from survey_app.engine.validation import validate

FORMS = Path(__file__).parent.parent / "forms"
CHECKS = ("cultural_orientation_knowledge_check", "capacity_building_knowledge_check")


@pytest.fixture
def app_config(app_config):
    return {**app_config, "SURVEY_FORMS_DIR": str(FORMS)}


@pytest.mark.parametrize("form_id", CHECKS)
def test_every_text_is_in_every_language(form_id):
    form = load_file(FORMS / f"{form_id}.yaml")
    for question in form.questions():
        assert set(question.label) == set(form.languages), question.name
    for options in form.choices.values():
        for option in options:
            assert set(option.label) == set(form.languages), option.name
    assert set(form.objectives) == {q.objective for q in form.questions() if q.objective}


@pytest.mark.parametrize("form_id", CHECKS)
def test_the_right_answers_score_full_marks_and_pass(form_id):
    form = load_file(FORMS / f"{form_id}.yaml")
    questions = scored_questions(form)
    right = {}
    for question in form.questions():
        correct = [c.name for c in form.choices_for(question) if c.correct]
        if correct:
            right[question.name] = correct if question.type == "select_multiple" else correct[0]
    outcome = validate(form, right)
    assert outcome.ok
    result = score(questions, outcome.answers, outcome.hidden)
    assert result.points == result.maximum > 0
    assert 10 <= len(questions) <= 15 or form_id == "capacity_building_knowledge_check"


@pytest.mark.parametrize(("form_id", "languages"), [
    ("cultural_orientation_knowledge_check", ("fa", "fa_AF", "ps", "en")),
    ("capacity_building_knowledge_check", ("fa", "en")),
])
def test_each_language_renders_with_the_code_block(client, form_id, languages):
    form = load_file(FORMS / f"{form_id}.yaml")
    for lang in languages:
        page = client.get(f"/forms/{form_id}?lang={lang}&phase=pre").data.decode()
        assert form.questions()[1].label[lang] in page or form.questions()[0].label[lang] in page
        assert 'name="_phase" value="pre"' in page


def test_objective_labels_go_through_the_translation_catalog():
    from survey_app.engine.definition import definition_to_dict
    from survey_app.engine.translatable import texts
    from survey_app.engine.translatable import with_translation
    document = definition_to_dict(load_file(FORMS / "capacity_building_knowledge_check.yaml"))
    assert texts(document)["objectives/remittances:label"]["fa"] == "وجوه ارسالی مهاجران"
    changed = with_translation(document, "objectives/remittances:label", "ps", "هغه پیسې چې کډوال یې لېږي")
    assert changed["objectives"]["remittances"]["ps"] == "هغه پیسې چې کډوال یې لېږي"
