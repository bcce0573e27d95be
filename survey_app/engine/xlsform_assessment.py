"""Knowledge-check columns of an XLSForm (scoring.py), read and written as a small hook.

survey sheet: `objective` (an objective id) and `points`; choices sheet: `correct` (yes) and
`score`; settings sheet: `pass_mark` and `show_score` (yes/no). The objectives and their
labels are rows of the choices sheet under the list name `objectives` (a workbook has no
other place for multilingual labels that XLSForm tools keep); a list of that name that a
question uses stays an ordinary choice list.
"""

OBJECTIVES_LIST = "objectives"
SURVEY_FIELDS = {("objective",): "objective", ("points",): "points"}
CHOICE_FIELDS = {("correct",): "correct", ("score",): "score"}
SETTINGS_FIELDS = {("pass_mark",): "pass_mark", ("show_score",): "show_score"}
QUESTION_KEYS = ("objective", "points")
YES, NO = frozenset({"yes", "true", "true()", "1"}), frozenset({"no", "false", "false()", "0", ""})


def choice_keys(option: dict) -> dict:
    """An option's correct/score cells as the definition keeps them (the loader checks them)."""
    found = {}
    if "correct" in option:
        value = str(option["correct"]).strip().lower()
        found["correct"] = True if value in YES else False if value in NO else option["correct"]
    if option.get("score") not in (None, ""):
        found["score"] = option["score"]
    return found


def settings_keys(values: dict) -> dict:
    """The settings row's pass_mark and show_score as `settings.assessment` (nothing when absent)."""
    found = {}
    if values.get("pass_mark") not in (None, ""):
        try:
            found["pass_mark"] = _number(values["pass_mark"])
        except ValueError:
            found["pass_mark"] = values["pass_mark"]  # the loader says what is wrong
    if values.get("show_score") not in (None, ""):
        value = str(values["show_score"]).strip().lower()
        found["show_score"] = True if value in YES else False if value in NO else values["show_score"]
    return {"assessment": found} if found else {}


def lift_objectives(survey: list[dict], choices: dict) -> dict:
    """Take the objectives list out of the choices, unless a question answers from it."""
    if OBJECTIVES_LIST not in choices or _uses(survey, OBJECTIVES_LIST):
        return {}
    return {option["name"]: option.get("label") or {} for option in choices.pop(OBJECTIVES_LIST)}


def _uses(items, list_name: str) -> bool:
    return any(item.get("type", "").split(" ")[1:2] == [list_name] or _uses(item.get("children", []), list_name)
               for item in items)


def _number(text) -> float:
    number = float(text)
    return int(number) if number.is_integer() else number


def choice_cells(option: dict) -> dict:
    """The correct/score cells of one written option."""
    cells = {}
    if option.get("correct"):
        cells["correct"] = "yes"
    if option.get("score") is not None:
        cells["score"] = option["score"]
    return cells


def settings_cells(data: dict) -> dict:
    settings = data["settings"].get("assessment") or {}
    cells = {}
    if "pass_mark" in settings:
        cells["pass_mark"] = settings["pass_mark"]
    if "show_score" in settings:
        cells["show_score"] = "yes" if settings["show_score"] else "no"
    return cells


def objective_rows(data: dict) -> list[tuple[str, dict]]:
    """(name, label) of each objective, written as rows of the `objectives` list."""
    return [(key, label) for key, label in (data.get("objectives") or {}).items()]
