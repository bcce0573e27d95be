"""Password rules and checks, without HTTP."""

import pytest

from survey_app import passwords


@pytest.mark.parametrize(("password", "email", "problem"), [
    ("short", "", "short"),
    ("x" * 501, "", "long"),
    (" " * 10, "", "blank"),
    ("\t\n \u3000" * 3, "", "blank"),
    ("aaaaaaaaaa", "", "common"),
    ("1234567890", "", "common"),
    ("password12", "", "common"),
    ("qwertyuiop", "", "common"),
    ("iloveyou2026", "", "common"),
    ("Fatemeh.Rahimi99", "fatemeh.rahimi@example.org", "email"),
    ("my FATEMEH secret words", "Fatemeh@example.org", "email"),
    ("lantern quietly orbit saffron", "fatemeh@example.org", None),
    ("باغ انار کنار رودخانه", "fatemeh@example.org", None),
    ("al-lantern orbit saffron", "al@example.org", None),  # a two-letter name is too short to rule out
])
def test_password_rules(password, email, problem):
    assert passwords.problem(password, email) == problem


def test_a_long_password_is_judged_quickly_on_its_start():
    assert passwords.problem("lantern quietly orbit saffron " * 16) is None


def test_every_problem_has_a_message():
    codes = {passwords.problem(p) for p in ("short", "x" * 501, " " * 10, "password12")}
    assert codes <= set(passwords.PROBLEMS)


def test_the_stand_in_hash_costs_as_much_as_a_real_one():
    """Unknown accounts are checked against it: its method and cost must be hash_password's."""
    assert passwords.STAND_IN_HASH.split("$")[0] == passwords.hash_password("x").split("$")[0]
    assert not passwords.verify(None, "anything at all")
