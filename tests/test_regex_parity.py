"""regex() gives the same answer on the server (RE2) and the phone (our state machine) for any pattern.

Random patterns built from every construct the language has (and some it refuses), random
answers over a small alphabet so that matches happen, both engines asked the same questions.
"""

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from survey_app.engine import expression_regex

ROOT = Path(__file__).resolve().parent.parent
ATOMS = ["a", "b", ".", r"\d", r"\w", r"\s", r"\W", "[ab]", "[^a]", "[a-c]", r"[\d.]", r"\.", r"\-", r"\@",
         "1", " ", "é", "۱", "\n", "^", "$", r"\b", r"\B", "]", "}", r"\u0061", "(?<n>a)"]
REFUSED = ["(?=a)", r"\1", "[", "{2}", "[]", r"\p", "(?i)", "a**"]
QUANTIFIERS = ["", "", "", "*", "+", "?", "{2}", "{1,3}", "{0,}", "*?"]
ALPHABET = "ab1 .@-é۱\n_"


def _pattern(rng: random.Random, depth: int = 0) -> str:
    parts = []
    for _ in range(rng.randint(1, 4)):
        if depth < 2 and rng.random() < 0.25:
            inner = "|".join(_pattern(rng, depth + 1) for _ in range(rng.randint(1, 3)))
            atom = f"({rng.choice(['', '?:'])}{inner})"
        else:
            atom = rng.choice(REFUSED if rng.random() < 0.03 else ATOMS)
        quantifier = "{2,1}" if rng.random() < 0.01 else rng.choice(QUANTIFIERS)
        parts.append(atom + ("" if atom in "^$" or atom in (r"\b", r"\B") else quantifier))
    return "".join(parts)


def test_both_engines_accept_the_same_patterns_and_give_the_same_answers():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    rng = random.Random(20261122)
    cases = []
    for _ in range(600):
        pattern = _pattern(rng)
        for _ in range(4):
            cases.append([pattern, "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 8)))])
    module = (ROOT / "survey_app/static/js/expression_regex.js").as_uri()
    script = (f"import {{ check, matches }} from '{module}';"
              "const cases = JSON.parse(require_input());"
              "console.log(JSON.stringify(cases.map(([p, t]) => [check(p) === null, matches(t, p)])));")
    script = script.replace("require_input()", "(await import('node:fs')).readFileSync(0, 'utf-8')")
    done = subprocess.run([node, "--input-type=module", "-e", script], input=json.dumps(cases),
                          capture_output=True, text=True, timeout=120, check=True)
    phone = json.loads(done.stdout)
    server = [[expression_regex.check(p) is None, expression_regex.matches(t, p)] for p, t in cases]
    differing = [(case, s, b) for case, s, b in zip(cases, server, phone, strict=True) if s != b]
    assert differing == [], differing[:10]
    assert 1500 < sum(accepted for accepted, _ in server) < len(cases)  # most patterns are accepted...
    assert sum(matched for _, matched in server) > 100  # ...and some of them match
