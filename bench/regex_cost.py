"""What regex() costs on a 10,000-character answer, on the server (RE2) and on the phone (our state machine).

The patterns are the worst the loader accepts: the ones that hold a backtracking engine for
minutes (nested and overlapping repetition), the widely copied e-mail patterns, and the largest
patterns the size limit lets through (many live states on every character). Each is timed on
answers that make it work hardest (a long run of 'a' ending in '!', and the like). Figures are
milliseconds per call: the first call with a pattern (read, compiled and its states built in that
call) and the best later call; Python in this process, JavaScript in node (one module, as on a
page, each pattern new to it).

Run: python bench/regex_cost.py [--rounds 5]
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from survey_app.engine import expression_regex  # noqa: E402

LENGTH = 10_000
PATTERNS = [
    r"(a+)+$",
    r"(a|a)*b",
    r"(a|aa)*c",
    r"^(\w+\s?)*$",
    r"(.*a){20}",
    r"^\w+([\.-]?\w+)*@\w+([\.-]?\w+)*(\.\w{2,3})+$",
    r"[A-Za-z0-9._%+\-]+\@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}",
    "(" + "|".join(["a"] * 240) + ")*!",
    "(" + "|".join(f"[a-{chr(ord('a') + i % 26)}]" for i in range(120)) + ")*!",
    r"(\w?){248}!",
    r"(a{1,21}){1,21}",
    r".{0,497}x",
]
ANSWERS = {
    "a...a!": "a" * (LENGTH - 1) + "!",
    "a...a": "a" * LENGTH,
    "words": ("word " * (LENGTH // 5))[:LENGTH - 1] + "!",
    "e-mail-ish": ("ab." * (LENGTH // 3))[:LENGTH - 1] + "@",
}
NODE_SCRIPT = """
const [url, patterns, answers, rounds] = JSON.parse(process.argv[1]);
const { matches } = await import(url);
const out = {};
let fresh = 0;
for (const p of patterns) {
  for (const [name, text] of Object.entries(answers)) {
    fresh += 1;  // the same pattern with empty groups added: nothing built for it before is reused
    const pattern = p + '(?:)'.repeat(fresh % 7 + 1) + (fresh >= 7 ? `(?:){${fresh}}` : '');
    const times = [];
    let result;
    for (let r = 0; r <= rounds; r += 1) {
      const start = process.hrtime.bigint();
      result = matches(text, pattern);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    out[`${p}\\u0000${name}`] = [times[0], Math.min(...times.slice(1)), result];
  }
}
console.log(JSON.stringify(out));
"""


def python_times(rounds: int) -> dict[str, tuple[float, float, bool]]:
    """(first call, pattern compiled in it; best later call; result) per pattern and answer."""
    out = {}
    for pattern in PATTERNS:
        for name, text in ANSWERS.items():
            expression_regex._compiled.cache_clear()
            times, result = [], None
            for _ in range(rounds + 1):
                started = time.perf_counter()
                result = expression_regex.matches(text, pattern)
                times.append((time.perf_counter() - started) * 1000)
            out[f"{pattern}\0{name}"] = (times[0], min(times[1:]), result)
    return out


def node_times(rounds: int) -> dict[str, tuple[float, float, bool]]:
    module = (ROOT / "survey_app/static/js/expression_regex.js").as_uri()
    args = json.dumps([module, PATTERNS, ANSWERS, rounds])
    done = subprocess.run(["node", "--input-type=module", "-e", NODE_SCRIPT, args],
                          capture_output=True, text=True, check=True)
    return {key: tuple(value) for key, value in json.loads(done.stdout).items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    for pattern in PATTERNS:
        assert expression_regex.check(pattern) is None, pattern  # the loader accepts every one
    python, node = python_times(rounds), node_times(rounds)
    print(f"regex() on {LENGTH:,}-character answers, ms per call: the first (the pattern read and")
    print(f"compiled in it, nothing reused) and the best of {rounds} later calls")
    print(f"{'pattern':40} {'answer':11} {'RE2 first':>10} {'later':>7} {'JS first':>9} {'later':>7}  match")
    worst = [0.0, 0.0]
    for key, (py_first, py_later, py_result) in python.items():
        js_first, js_later, js_result = node[key]
        assert py_result == js_result, f"the engines disagree on {key!r}"
        pattern, name = key.split("\0")
        shown = pattern if len(pattern) <= 38 else pattern[:35] + "..."
        print(f"{shown:40} {name:11} {py_first:10.3f} {py_later:7.3f} {js_first:9.3f} {js_later:7.3f}  {py_result}")
        worst = [max(worst[0], py_first), max(worst[1], js_first)]
    print(f"worst first call: server {worst[0]:.3f} ms, phone (node) {worst[1]:.3f} ms")


if __name__ == "__main__":
    main()
