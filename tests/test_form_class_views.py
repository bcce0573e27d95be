"""What the template reads of each question: labels through Markdown, options made once."""

from survey_app.engine.definition import Choice
from survey_app.engine.definition import Question
from survey_app.engine.texts import Resolved
from survey_app.form_class import QuestionView


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
