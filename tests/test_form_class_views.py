"""What the template reads of each question: labels through Markdown, options made once."""

import pytest

from survey_app.engine.definition import Choice
from survey_app.engine.definition import Question
from survey_app.engine.loader import load_dict
from survey_app.engine.texts import Resolved
from survey_app.form_class import QuestionView
from survey_app.form_class import page_assets


def view_with_options(count: int) -> QuestionView:
    question = Question(name="q", type="select_one", list_name="l")
    view = QuestionView(question=question, label=Resolved("**Pick** ${name}", "en"), hint=Resolved("", "en"),
                        answers={"name": "<Ali>"})
    view.options = [(str(n), Resolved(f"_option_ {n}", "en")) for n in range(count)]
    return view


def test_labels_and_options_are_rendered_safely_with_the_answers():
    view = view_with_options(2)
    assert view.label_html == '<strong>Pick</strong> <span class="ref" data-ref="name">&lt;Ali&gt;</span>'
    assert view.option_html["1"] == "<em>option</em> 1"


def test_option_labels_are_rendered_once_for_a_long_list():
    """The template reads option_html once per option: a list of 4000 must not be rendered 4000 times."""
    view = view_with_options(4000)
    assert view.option_html is view.option_html
    assert len(view.option_html) == 4000


def test_unused_choice_import_is_a_real_choice():
    assert Choice("a", {"en": "A"}).media == {}


@pytest.mark.parametrize("kind", ["time", "datetime", "acknowledge", "geopoint", "range", "rank"])
def test_a_form_with_a_widget_question_loads_the_script_that_reads_its_answer(kind):
    options = {"type": f"{kind} topics"} if kind == "rank" else {"type": kind}
    form = load_dict({"form_id": "w", "title": {"en": "W"}, "settings": {"default_language": "en", "languages": ["en"]},
                      "survey": [{**options, "name": "q", "label": {"en": "Q"}}],
                      "choices": {"topics": [{"name": name, "label": {"en": name}} for name in "ab"]}})
    assert "js/xlsform-page.js" in page_assets(form)


def test_a_plain_form_loads_no_widget_script():
    form = load_dict({"form_id": "p", "title": {"en": "P"}, "settings": {"default_language": "en", "languages": ["en"]},
                      "survey": [{"type": "text", "name": "q", "label": {"en": "Q"}}], "choices": {}})
    assert page_assets(form) == []
