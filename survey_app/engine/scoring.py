"""Score a knowledge check: points per question, per learning objective, and the pass mark.

A questionnaire is an assessment when its settings carry `assessment:` or one of its choice
questions has an option marked `correct: true` or given a `score`. Only select_one and
select_multiple questions are scored:

- select_one: the chosen option's `score` when it has one, else the question's `points`
  (default 1) when the option is correct, else 0;
- select_multiple: all or nothing by default (the question's points when exactly the correct
  options are picked); when its options carry `score`, the sum of the picked options' scores
  (a wrong pick may be negative), never below 0;
- an unanswered question scores 0; a question hidden by `relevant` is left out of the maximum;
- a question inside a repeat is scored in every instance: the instances' points and maxima are
  summed into the submission's (and its objective's) total, and each instance counts as one
  answer in the per-question figures. Its entry in `Score.questions` is then
  [points, maximum, instances, instances with full points] (`counts` reads both shapes). The
  repeat must fix its number of instances (`repeat_count`): where each participant chose how many
  times to answer, one who added no instance would have nothing to score and one who added a
  single right one would get everything, so such a questionnaire is refused at import.

Scoring reads answers already checked by validation (codes of real options).
"""

import re
from dataclasses import dataclass

from .definition import FormDefinition
from .definition import Question

SCORED_TYPES = ("select_one", "select_multiple")
ASSESSMENT_KEYS = frozenset({"pass_mark", "show_score"})
OBJECTIVE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class ScoredQuestion:
    """What one question is worth: its maximum and each option's points."""

    name: str
    type: str
    objective: str | None
    maximum: float
    option_points: dict  # select_one, or select_multiple with scores: option -> points
    correct: frozenset  # select_multiple all-or-nothing: the exact set to pick
    points: float
    repeats: tuple[str, ...] = ()  # the repeats it is inside, outermost first

    def score(self, answer) -> float:
        """Points for one answer (None when unanswered)."""
        if answer in (None, "", []):
            return 0
        if self.type == "select_one":
            return self.option_points.get(answer, 0)
        picked = set(answer) if isinstance(answer, list) else {answer}
        if self.option_points:
            return max(0, sum(self.option_points.get(code, 0) for code in picked))
        return self.points if picked == self.correct else 0


@dataclass(frozen=True)
class Score:
    """One submission's score: total, maximum and per question (points, maximum)."""

    points: float
    maximum: float
    questions: dict

    @property
    def percent(self) -> float | None:
        return None if not self.maximum else 100 * self.points / self.maximum


def scored_questions(form: FormDefinition) -> tuple[ScoredQuestion, ...]:
    """The questions that carry points, in document order, those inside repeats too."""
    found = []
    for question, parents in form.walk_all():
        if question.type not in SCORED_TYPES:
            continue
        options = form.choices_for(question)
        if not any(c.correct or c.score is not None for c in options):
            continue
        points = 1 if question.points is None else question.points
        repeats = tuple(parent.name for parent in parents if parent.type == "repeat")
        found.append(_scored(question, options, points, repeats))
    return tuple(found)


def _scored(question: Question, options, points: float, repeats: tuple[str, ...]) -> ScoredQuestion:
    scores = {c.name: c.score if c.score is not None else (points if c.correct else 0) for c in options}
    correct = frozenset(c.name for c in options if c.correct)
    if question.type == "select_one":
        maximum = max(scores.values(), default=0)
    elif any(c.score is not None for c in options):
        maximum = sum(v for v in scores.values() if v > 0)
    else:
        maximum, scores = points, {}
    return ScoredQuestion(question.name, question.type, question.objective, maximum, scores, correct, points,
                          repeats)


def is_assessment(form: FormDefinition) -> bool:
    return bool(form.assessment) or bool(scored_questions(form))


def score(questions: tuple[ScoredQuestion, ...], answers: dict, hidden=frozenset()) -> Score:
    """Score checked answers; questions in `hidden` (not relevant) count for nothing either way."""
    got, maximum, per_question = 0, 0, {}
    for question in questions:
        if question.repeats:
            entry = _in_instances(question, answers, hidden)
            if entry is None:
                continue
        elif question.name in hidden:
            continue
        else:
            entry = [question.score(answers.get(question.name)), question.maximum]
        per_question[question.name] = entry
        got += entry[0]
        maximum += entry[1]
    return Score(got, maximum, per_question)


def _in_instances(question: ScoredQuestion, answers: dict, hidden) -> list | None:
    """[points, maximum, instances, full marks] over every instance where the question is shown."""
    points = maximum = count = full = 0
    for path, instance in _instances(answers, question.repeats, ""):
        if path + question.name in hidden:
            continue
        got = question.score(instance.get(question.name))
        points, maximum, count, full = points + got, maximum + question.maximum, count + 1, full + (
            got >= question.maximum)
    return [points, maximum, count, full] if count else None


def _instances(answers: dict, repeats: tuple[str, ...], path: str):
    """Yield (path prefix as validation names hidden items, answers) of each innermost instance."""
    if not repeats:
        yield path, answers
        return
    rows = answers.get(repeats[0])
    for number, row in enumerate(rows if isinstance(rows, list) else ()):
        if isinstance(row, dict):
            yield from _instances(row, repeats[1:], f"{path}{repeats[0]}/{number}/")


def counts(entry) -> tuple[float, float, int, int]:
    """(points, maximum, answers, answers with full points) of a `Score.questions` entry."""
    points, maximum, *rest = entry
    if rest:
        return points, maximum, rest[0], rest[1]
    return points, maximum, 1, int(points >= maximum)


def passed(form: FormDefinition, result: Score) -> bool | None:
    """Whether a score reaches the pass mark (a percentage), or None without one."""
    mark = form.assessment.get("pass_mark")
    if mark is None or result.percent is None:
        return None
    return result.percent >= mark


def read_assessment(data: dict, settings: dict, text, problems: list[str]) -> dict:
    """Read the form-level assessment keys: `objectives` and `settings.assessment`."""
    raw = settings.get("assessment")
    assessment = {}
    if raw is not None and not isinstance(raw, dict):
        problems.append("settings.assessment must be a mapping such as {pass_mark: 70, show_score: true}")
    elif raw:
        for key in sorted(str(k) for k in set(raw) - ASSESSMENT_KEYS):
            problems.append(f"settings.assessment: unknown key '{key}'")
        mark = raw.get("pass_mark")
        if mark is not None:
            if isinstance(mark, bool) or not isinstance(mark, int | float) or not 0 <= mark <= 100:
                problems.append("settings.assessment.pass_mark must be a percentage from 0 to 100")
            else:
                assessment["pass_mark"] = mark
        show = raw.get("show_score", False)
        if not isinstance(show, bool):
            problems.append("settings.assessment.show_score must be true or false")
        else:
            assessment["show_score"] = show
    objectives = {}
    raw_objectives = data.get("objectives")
    if raw_objectives is not None and not isinstance(raw_objectives, dict):
        problems.append("objectives must be a mapping of objective id to its label")
    for key, label in (raw_objectives or {}).items() if isinstance(raw_objectives, dict) else ():
        if not OBJECTIVE_RE.match(str(key)):
            problems.append(f"objective '{key}': the id is not a simple name")
        objectives[str(key)] = text(label, f"objective '{key}'")
    return {"objectives": objectives, "assessment": assessment}


def assessment_problems(form: FormDefinition) -> list[str]:
    """Check the scoring keys: objectives that exist, points only where answers are scored."""
    problems = []
    scored = {q.name for q in scored_questions(form)}
    for question, parents in form.walk_all():
        label = f"question '{question.name}'"
        open_repeat = next((p for p in parents if p.type == "repeat" and not p.repeat_count), None)
        if question.name in scored and open_repeat is not None:
            problems.append(f"{label}: is scored inside the repeat '{open_repeat.name}', where each participant "
                            "chooses how many times to answer; give the repeat a repeat_count so that everyone "
                            "answers it the same number of times, or move the question out of the repeat")
        if question.objective is not None and question.objective not in form.objectives:
            problems.append(f"{label}: objective '{question.objective}' is not listed under objectives")
        marked = question.objective is not None or question.points is not None
        if marked and question.type not in SCORED_TYPES:
            problems.append(f"{label}: only select_one and select_multiple questions are scored "
                            f"(objective and points do not apply to {question.type})")
        elif marked and question.name not in scored:
            problems.append(f"{label}: has points or an objective but no option is marked correct or given a score")
        if question.points is not None and question.points < 0:
            problems.append(f"{label}: points must not be negative")
    for list_name, options in form.choices.items():
        if any(c.correct or c.score is not None for c in options) and not any(
                q.list_name == list_name and q.type in SCORED_TYPES for q, _ in form.walk_all()):
            problems.append(f"choice list '{list_name}': correct or score is set, but no select_one or "
                            "select_multiple question uses the list")
    if form.assessment and not scored:
        problems.append("settings.assessment is set, but no question has a correct answer or a score")
    return problems
