"""Organisers' assessment results: before and after, the gain, per objective, question, workshop, language.

    GET /organise/results/<form_id>/assessment?workshop=CODE       assessment_results
    GET /organise/results/<form_id>/assessment.csv?workshop=CODE   assessment_export (streamed)

Who sees what follows the other results pages: every scored answer to the questionnaire, the
workshop filter and the per-workshop rows only for the workshops the account may manage.
"""

import functools

from flask import Response
from flask import abort
from flask import render_template
from flask import request
from flask import stream_with_context
from flask import url_for
from flask_babel import gettext as _

from ..accounts import audit
from ..accounts import role_required
from ..db import get_session
from ..engine.scoring import is_assessment
from ..engine.texts import language_name
from ..engine.texts import resolve
from ..forms_store import current_versions
from ..forms_store import definition_of
from ..i18n import current_language
from ..organisers import bp
from ..organisers.results import questionnaire
from ..organisers.results import title_of
from ..organisers.results import workshops_for
from .charts import before_after
from .export import csv_chunks
from .export import pair_rows
from .numbers import figure
from .summary import summary


def _scope(form_id: str):
    """The questionnaire, its definition, the account's workshops and the workshop filter."""
    version = questionnaire(form_id)
    definition = definition_of(version)
    if not is_assessment(definition):
        abort(404)
    workshops = workshops_for(form_id)
    code = request.args.get("workshop") or None
    if code is not None and code not in {w.code for w in workshops}:
        abort(404)
    return version, definition, workshops, code


@bp.context_processor
def _assessment_links() -> dict:
    return {"assessment_links": assessment_links}


def assessment_links(workshop) -> list[dict]:
    """A workshop's knowledge checks with their before/after links (and one for a shared phone)."""
    found = []
    for version in current_versions(session=get_session()):
        definition = definition_of(version)
        if version.form_id not in workshop.form_ids or not is_assessment(definition):
            continue
        link = functools.partial(url_for, "participants.form_page", form_id=version.form_id, w=workshop.code,
                                 _external=True)
        found.append({"title": resolve(definition.title, current_language(), definition.default_language).text,
                      "pre": link(phase="pre"), "post": link(phase="post"),
                      "facilitator_pre": link(phase="pre", mode="facilitator"),
                      "facilitator_post": link(phase="post", mode="facilitator"),
                      "results": url_for(".assessment_results", form_id=version.form_id, workshop=workshop.code)})
    return found


@bp.get("/results/<form_id>/assessment")
@role_required("organiser")
def assessment_results(form_id):
    """Show the knowledge check's figures: before, after, gain, and where people still go wrong."""
    version, definition, workshops, code = _scope(form_id)
    lang = current_language()
    objective_of = {q.name: q.objective or "" for q, _ in definition.walk_all() if q.type.startswith("select")}
    found, by_workshop, by_language = summary(session=get_session(), form_id=form_id, objective_of=objective_of,
                                              workshops=[code] if code else None)
    labels = {q.name: resolve(q.label, lang, definition.default_language).text for q, _ in definition.walk_all()}
    objectives = [(_objective_label(definition, item.key, lang), item) for item in found.objectives]
    series = (_("Before the course"), _("After the course"))
    chart = before_after([(label, item.pre, item.post) for label, item in objectives], lang=lang,
                         title=_("Share of points per learning objective"), series=series) if objectives else None
    questions = sorted(found.questions, key=lambda item: -(item.still_wrong or 0))
    visible = {w.code: w for w in workshops}
    per_workshop = [(visible[key], group) for key, group in by_workshop.items() if key in visible]
    per_language = [(language_name(key), group) for key, group in by_language.items()]
    return render_template("organisers/assessment.html", form_id=form_id, title=title_of(version), figures=found,
                           chart=chart, objectives=objectives, questions=questions, labels=labels,
                           per_workshop=per_workshop, per_language=per_language, workshops=workshops, code=code,
                           pass_mark=definition.assessment.get("pass_mark"), fmt=_formatter(lang))


def _objective_label(definition, key: str, lang: str) -> str:
    if not key:
        return _("Without an objective")
    return resolve(definition.objectives.get(key, {}), lang, definition.default_language).text or key


def _formatter(lang: str):
    """Turn figures into text in the reader's digits: percentages, shares, gains in points, counts."""
    def fmt(value, kind="percent"):
        return figure(value, lang, kind)
    return fmt


@bp.get("/results/<form_id>/assessment.csv")
@role_required("organiser")
def assessment_export(form_id):
    """Stream one row per participant: pre-test, post-test and gain (UTF-8 CSV, see export.py)."""
    _version, _definition, _workshops, code = _scope(form_id)
    audit("export", form_id=form_id, format="assessment_csv", filters={"workshop": code} if code else {})
    get_session().commit()
    rows = pair_rows(session=get_session(), form_id=form_id, workshops=[code] if code else None)
    name = f"{form_id}-{code or 'all'}-assessment.csv"
    return Response(stream_with_context(csv_chunks(rows)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
