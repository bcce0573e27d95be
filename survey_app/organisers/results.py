"""Organisers' results pages: what the answers to a questionnaire say, filtered and compared.

    GET  /organise/results                                  results_index
    GET  /organise/results/<form_id>                        results
    GET  /organise/results/<form_id>/compare?a=CODE&b=CODE  compare
    GET  /organise/results/<form_id>/answers/<question>     text_answers (photos and files: links to them)

Who sees what: a questionnaire is shared by many workshops and its answers are anonymous,
so an organiser sees every answer to a questionnaire, including answers given outside any
workshop. The workshop filter and the comparison offer only the workshops the account may
manage (admins: all of them), so an organiser can single out their own workshops' answers.
"""


from flask import abort
from flask import g
from flask import render_template
from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Form
from wtforms import SelectField
from wtforms import ValidationError

from .. import results as data
from ..accounts import role_required
from ..accounts import staff_link
from ..charts import Bar
from ..charts import bar_chart
from ..charts import column_chart
from ..charts import percent
from ..charts import stacked_bars
from ..db import get_session
from ..engine.definition import FILE_TYPES
from ..engine.expressions import instance_namer
from ..engine.scoring import is_assessment
from ..engine.texts import language_name
from ..engine.texts import local_number
from ..engine.texts import localise_digits
from ..engine.texts import resolve
from ..forms_store import current_versions
from ..forms_store import definition_of
from ..forms_store import get_version
from ..i18n import current_language
from ..i18n import format_date
from ..paging import page_number
from ..workshops import visible_workshops
from . import bp
from .workshops import LocalDateField
from .workshops import date_example

FILTER_FIELDS = ("workshop", "date_from", "date_to", "answer_lang", "version")
TEXT_PREVIEW = 3
TEXT_PAGE_SIZE = 20
CHOICE_CHARS = 22  # of a workshop's title in a menu: with its code, about what a 360 px phone shows

staff_link("organisers.results_index", _l("Results"),
           _l("See what participants answered, compare workshops and download the answers."), ("organiser",))


class FilterForm(Form):
    """The filters of the results and export pages, sent as a GET query (works without JavaScript)."""

    workshop = SelectField(_l("Workshop"), validate_choice=False)
    date_from = LocalDateField(_l("From"))
    date_to = LocalDateField(_l("To"))
    answer_lang = SelectField(_l("Language of the answers"), validate_choice=False)
    version = SelectField(_l("Version of the questionnaire"), validate_choice=False)

    def validate_workshop(self, field):
        _one_of(field, _("Please choose one of your workshops."))

    def validate_answer_lang(self, field):
        _one_of(field, _("Please choose one of the languages listed."))

    def validate_version(self, field):
        _one_of(field, _("Please choose one of the versions listed."))

    def validate_date_to(self, field):
        if self.date_from.data and field.data and field.data < self.date_from.data:
            raise ValidationError(_("The last day cannot be before the first day."))

    def filters(self) -> data.Filters:
        """Return the filters that were given and are valid; a wrong one is shown, never applied."""
        valid = {name: self[name].data or None for name in FILTER_FIELDS if not self[name].errors}
        return data.Filters(workshop=valid.get("workshop"), date_from=valid.get("date_from"),
                            date_to=valid.get("date_to"), lang=valid.get("answer_lang"), version=valid.get("version"))


def workshop_choice(workshop) -> str:
    """A workshop in a menu: its title, shortened at its end, then its code, so that a phone's narrow
    menu shows how the title begins and which workshop it is (a long title was cut at its start)."""
    title = workshop.title if len(workshop.title) <= CHOICE_CHARS else workshop.title[: CHOICE_CHARS - 1].rstrip() + "…"
    return f"{title} ({workshop.code})"


def active_filters(form: FilterForm) -> list[str]:
    """Say which filters are on, as "Workshop: …", for the folded filters panel."""
    shown = []
    for name in FILTER_FIELDS:
        field = form[name]
        if field.errors or not field.data:
            continue
        value = dict(field.choices).get(field.data, field.data) if hasattr(field, "choices") else field._value()
        shown.append(f"{field.label.text}: {value}")
    return shown


def _one_of(field, message: str) -> None:
    if field.data and field.data not in {value for value, _label in field.choices}:
        raise ValidationError(message)


def filter_form(form_id: str, form_class=FilterForm, offer=None) -> FilterForm:
    """Read the filters from the query string, offering this account's workshops and the form's versions."""
    session, lang = get_session(), current_language()
    form = form_class(request.args)
    form.workshop.choices = [("", _("All answers"))] + [(w.code, workshop_choice(w)) for w in workshops_for(form_id)]
    versions = data.versions_of(session=session, form_id=form_id)
    languages = sorted({code for v in versions for code in definition_of(v).languages})
    form.answer_lang.choices = [("", _("All languages"))] + [(code, language_name(code)) for code in languages]
    form.version.choices = [("", _("All versions"))] + [
        (v.version, _("Version %(number)s of %(day)s", number=localise_digits(v.number, lang),
                      day=format_date(v.created_at.date(), lang))) for v in versions]
    if offer:
        offer(form)
    form.validate()
    return form


def workshops_for(form_id: str) -> list:
    """The account's workshops that offer this questionnaire or have answers to it."""
    session = get_session()
    used = data.workshops_answered(session=session, form_id=form_id)
    return [w for w in visible_workshops(session=session, user=g.user) if form_id in w.form_ids or w.code in used]


def filter_args() -> dict:
    """The filters of this request, to carry over to links (other pages, export, next page)."""
    return {name: request.args[name] for name in FILTER_FIELDS if request.args.get(name)}


def questionnaire(form_id: str):
    """Return the current version of a questionnaire, or 404."""
    return get_version(session=get_session(), form_id=form_id) or abort(404)


@bp.get("/results")
@role_required("organiser")
def results_index():
    """List the questionnaires with how many answers each has."""
    lang, counts = current_language(), data.response_counts(session=get_session())
    forms = []
    for version in current_versions(session=get_session()):
        definition = definition_of(version)
        forms.append({"form_id": version.form_id, "count": counts.get(version.form_id, 0),
                      "title": resolve(definition.title, lang, definition.default_language)})
    return render_template("organisers/results_index.html", forms=forms)


@bp.get("/results/<form_id>")
@role_required("organiser")
def results(form_id):
    """Show the responses so far, per day and per question, with the filters applied."""
    version, form, lang = questionnaire(form_id), filter_form(form_id), current_language()
    summary = data.summarise(session=get_session(), form_id=form_id, filters=form.filters())
    days = [(format_date(day, lang), number) for day, number in summary.per_day]
    chart = column_chart(days, lang=lang, title=_("Responses per day")) if days else None
    questions = [question_view(s, form_id, form.filters()) for s in summary.questions]
    return render_template("organisers/results.html", form_id=form_id, title=title_of(version), form=form,
                           summary=summary, per_day=chart, questions=questions, args=filter_args(),
                           date_example=date_example(), can_compare=len(form.workshop.choices) > 2,
                           active=active_filters(form), assessment=is_assessment(definition_of(version)))


@bp.get("/results/<form_id>/compare")
@role_required("organiser")
def compare(form_id):
    """Put two workshops' answers to one questionnaire side by side."""
    version, lang = questionnaire(form_id), current_language()
    workshops = {w.code: w for w in workshops_for(form_id)}
    choices = [(code, workshop_choice(w)) for code, w in workshops.items()]
    form = CompareForm(request.args)
    form.a.choices = form.b.choices = [("", _("Choose a workshop"))] + choices
    pairs, totals, names = [], None, None
    if (form.a.data or form.b.data) and form.validate():
        session = get_session()
        left, right = (data.summarise(session=session, form_id=form_id, filters=data.Filters(workshop=code))
                       for code in (form.a.data, form.b.data))
        titles = [workshops[code].title for code in (form.a.data, form.b.data)]
        names = tuple(titles) if titles[0] != titles[1] else tuple(
            f"{workshops[code].title} ({code})" for code in (form.a.data, form.b.data))
        pairs = [compare_view(a, b, names, lang) for a, b in zip(left.questions, right.questions, strict=True)]
        totals = (localise_digits(left.total, lang), localise_digits(right.total, lang))
    return render_template("organisers/results_compare.html", form_id=form_id, title=title_of(version), form=form,
                           pairs=pairs, totals=totals, names=names)


class CompareForm(Form):
    a = SelectField(_l("First workshop"), validate_choice=False)
    b = SelectField(_l("Second workshop"), validate_choice=False)

    def validate_a(self, field):
        _required_choice(field)

    def validate_b(self, field):
        _required_choice(field)
        if field.data and field.data == self.a.data:
            raise ValidationError(_("Please choose two different workshops."))


def _required_choice(field) -> None:
    if not field.data:
        raise ValidationError(_("Please choose a workshop."))
    _one_of(field, _("Please choose one of your workshops."))


@bp.get("/results/<form_id>/answers/<question>")
@role_required("organiser")
def text_answers(form_id, question):
    """List the written answers to one question, newest first, a page at a time."""
    version, form, lang = questionnaire(form_id), filter_form(form_id), current_language()
    session = get_session()
    item = next((i for i in data.items_of(session=session, form_id=form_id) if i.name == question), None)
    if item is None or item.kind != data.TEXT:
        abort(404)
    page = page_number()
    total = data.count_answered(session=session, form_id=form_id, filters=form.filters(), name=question)
    # Without any written answer the query would walk every submission to find none.
    definition = definition_of(version)
    namer = instance_namer(definition) if definition.instance_name else None
    answers = data.text_answers(session=session, form_id=form_id, filters=form.filters(), name=question,
                                page=page, per_page=TEXT_PAGE_SIZE, namer=namer,
                                files=item.question.type in FILE_TYPES) if total else []
    pages = max(1, -(-total // TEXT_PAGE_SIZE))
    return render_template("organisers/results_text.html", form_id=form_id, title=title_of(version), form=form,
                           label=item.label(lang), answers=answers, total=total, page=min(page, pages),
                           pages=pages, args=filter_args(), question=question)


def title_of(version):
    definition = definition_of(version)
    return resolve(definition.title, current_language(), definition.default_language)


def question_view(summary: data.QuestionSummary, form_id: str, filters: data.Filters) -> dict:
    """Word and draw one question's summary in the reader's language."""
    lang, item = current_language(), summary.item
    view = {"summary": summary, "kind": summary.kind, "label": item.label(lang)}
    title = view["label"].text
    if summary.counts:
        view["rows"] = [(_option(item, name, lang), localise_digits(count, lang), percent(summary.share(count), lang))
                        for name, count in summary.counts]
        labels, counts = [row[0] for row in view["rows"]], [count for _name, count in summary.counts]
        if summary.kind == data.LIKERT:
            view["chart"] = stacked_bars([("", counts)], labels, lang=lang, title=title)
        else:
            bars = [Bar(label, (count,), (summary.share(count),)) for label, count in zip(labels, counts, strict=True)]
            view["chart"] = bar_chart(bars, lang=lang, title=title)
    if summary.stats:
        view["stats"] = _stats(summary.stats, lang)
    if summary.bins:
        bars = [Bar(_range(low, high, lang), (count,), (summary.share(count),)) for low, high, count in summary.bins]
        view["chart"] = bar_chart(bars, lang=lang, title=title)
    if summary.kind == data.TEXT and summary.written and not item.in_repeat:  # a repeat's texts: in the exports
        view["texts"] = data.text_answers(session=get_session(), form_id=form_id, filters=filters, name=item.name,
                                          per_page=TEXT_PREVIEW, files=item.question.type in FILE_TYPES)
    if summary.kind == data.DATE and summary.first:
        view["dates"] = (format_date(summary.first, lang), format_date(summary.last, lang))
    return view


def compare_view(left: data.QuestionSummary, right: data.QuestionSummary, names, lang) -> dict:
    """Word and draw one question for two workshops."""
    item = left.item
    view = {"label": item.label(lang), "kind": left.kind, "answered": (left.answered, right.answered)}
    if left.counts:
        counts = list(zip(left.counts, right.counts, strict=True))
        view["rows"] = [(_option(item, a[0], lang), (a[1], percent(left.share(a[1]), lang)),
                         (b[1], percent(right.share(b[1]), lang))) for a, b in counts]
        if left.kind == data.LIKERT:
            rows = [(names[0], [a[1] for a, _b in counts]), (names[1], [b[1] for _a, b in counts])]
            view["chart"] = stacked_bars(rows, [row[0] for row in view["rows"]], lang=lang, title=view["label"].text)
        else:
            view["chart"] = bar_chart(
                [Bar(row[0], (a[1], b[1]), (left.share(a[1]), right.share(b[1])))
                 for row, (a, b) in zip(view["rows"], counts, strict=True)],
                lang=lang, title=view["label"].text, series=names)
    if left.stats or right.stats:
        view["stats"] = (_stats(left.stats, lang), _stats(right.stats, lang))
    return view


def _option(item, name: str, lang: str) -> str:
    return localise_digits(name, lang) if item.question.type == "rating" else item.option_label(name, lang)


def _stats(stats: data.NumberStats | None, lang: str) -> dict:
    stats = stats or data.NumberStats()
    return {"count": localise_digits(stats.count, lang), "mean": number(stats.mean, lang),
            "median": number(stats.median, lang), "minimum": number(stats.minimum, lang),
            "maximum": number(stats.maximum, lang)}


def number(value: float | None, lang: str) -> str:
    """Write a number with at most two decimals, in the reader's digits and decimal sign."""
    return local_number(value, lang)


def _range(low: float, high: float, lang: str) -> str:
    if low == high:
        return number(low, lang)
    return f"{number(low, lang)}–{number(high, lang)}"
