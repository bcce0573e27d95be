"""What checking one record costs: the compiled questionnaire against the rule-by-rule walk.

In one process, the same records of the test questionnaire (as bench/ingest.py sends them) are
checked by `validation.validate` (each questionnaire compiled once into one function) and by
`tests/validation_reference.py` (the plain walk validation did before, kept as the tests' oracle),
in alternate rounds so both see the same machine load. Each figure is µs per record, the best
and the median of the rounds; the two must agree on every record's outcome.

Run: python bench/validation_cost.py [--records 5000] [--rounds 7]
"""

import argparse
import datetime
import statistics
import time

from _common import FORMS
from _common import ROOT
from _common import load
from _common import records

from survey_app.engine.loader import load_file
from survey_app.engine.validation import validate
from tests.validation_reference import reference_validate


def per_record(check, form, rows: list[dict], today: datetime.date) -> float:
    started = time.perf_counter()
    for row in rows:
        check(form, row["answers"], today=today)
    return (time.perf_counter() - started) / len(rows) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    form = load_file(FORMS / "sample_feedback.yaml")
    rows, today = records("v", args.records), datetime.date(2026, 11, 22)
    for row in rows:
        compiled, walked = (check(form, row["answers"], today=today) for check in (validate, reference_validate))
        assert (compiled.answers, compiled.errors, compiled.hidden) == (walked.answers, walked.errors, walked.hidden)
    times: dict = {validate: [], reference_validate: []}
    for round_ in range(args.rounds):
        for check in (validate, reference_validate) if round_ % 2 else (reference_validate, validate):
            times[check].append(per_record(check, form, rows, today))
    print(f"checking a record of {FORMS.relative_to(ROOT)}/sample_feedback.yaml, µs "
          f"({args.records} records, {args.rounds} rounds; {load()})")
    for label, check in (("compiled questionnaire", validate), ("rule-by-rule walk", reference_validate)):
        print(f"  {label:24s} best {min(times[check]):6.1f}   median {statistics.median(times[check]):6.1f}")
    ratio = statistics.median(times[reference_validate]) / statistics.median(times[validate])
    print(f"  walk / compiled (medians)  x{ratio:.1f}")


if __name__ == "__main__":
    main()
