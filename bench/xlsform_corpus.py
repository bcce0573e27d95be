"""Run a folder of XLSForms through the product end to end and say, per form, where it stops.

For each .xlsx/.xls/.zip in the folder, in a fresh app (SQLite in a temporary folder):
import with `flask forms import`, render the participant page in every language, answer
without JavaScript the way tests/test_xlsform_real.py does (retrying values the server
refuses), check the answer is stored, send the stored answers again through POST /api/v1/sync,
and export CSV, XLSX and JSON (codes and labels). A form passes when every step does.

The forms are not part of the project: point it at any folder (published forms, a partner's
questionnaires). Output: one line per form (`ok`, or the step and the reason), the counts, and
with --json FILE the same as JSON lines.

Run: python bench/xlsform_corpus.py FOLDER [--json results.jsonl]
"""

import argparse
import json
import logging
import shutil
import signal
import sys
import tempfile
import traceback
import uuid
import warnings
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlmodel import Session  # noqa: E402
from sqlmodel import select  # noqa: E402

from survey_app import create_app  # noqa: E402
from survey_app.engine.xlsform import read_xlsform  # noqa: E402
from survey_app.models import Submission  # noqa: E402
from tests.test_xlsform_real import answer_until_accepted  # noqa: E402

SECONDS_PER_FORM = 180
SYNC_STORED = ("stored", "accepted", "created")


class TooSlow(Exception):
    """A form took longer than SECONDS_PER_FORM."""


def _too_slow(*_):
    raise TooSlow


def run_form(path: Path) -> dict:
    """Take one form through every step; return {"form", "step", "error"?}, step "ok" when all passed."""
    result = {"form": path.name}
    folder = Path(tempfile.mkdtemp())
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "INSTANCE_PATH": str(folder / "instance"),
                      "SURVEY_DATABASE_URL": f"sqlite:///{folder / 'survey.db'}",
                      "SURVEY_FORMS_DIR": str(folder / "no_forms"), "SURVEY_DEFAULT_LANGUAGE": "en",
                      "WTF_CSRF_ENABLED": False})
    runner, client = app.test_cli_runner(), app.test_client()
    step = "import"
    try:
        report = read_xlsform(path)
        imported = runner.invoke(args=["forms", "import", str(path)])
        result["rows_reported"] = len(report.warnings)
        if imported.exit_code != 0 or not report.ok:
            return {**result, "step": step, "error": "; ".join(report.errors)[:500] or imported.output[-500:]}
        definition = report.definition
        form_id = definition["form_id"]
        step = "render"
        for lang in definition["settings"]["languages"]:
            status = client.get(f"/forms/{form_id}?lang={lang}").status_code
            if status != 200:
                return {**result, "step": step, "error": f"{lang}: HTTP {status}"}
        step = "answer"
        accepted, refused = answer_until_accepted(client, form_id, definition)
        if not accepted:
            return {**result, "step": step, "error": f"refused at {refused}"}
        step = "stored"
        with Session(app.extensions["survey_engine"]) as session:
            rows = session.exec(select(Submission).where(Submission.form_id == form_id)).all()
            if len(rows) != 1:
                return {**result, "step": step, "error": f"{len(rows)} rows stored"}
            answers, version = rows[0].answers, rows[0].form_version
        step = "sync"
        record = {"uuid": str(uuid.uuid4()), "form_id": form_id, "form_version": version,
                  "lang": definition["settings"]["languages"][0], "started_at": "2026-01-05T09:00:00Z",
                  "submitted_at": "2026-01-05T09:07:30Z", "workshop": None, "answers": answers}
        response = client.post("/api/v1/sync", json={"source": "bench", "submissions": [record]})
        statuses = [item.get("status") for item in (response.get_json() or {}).get("results", [])]
        if response.status_code != 200 or statuses[:1] not in ([status] for status in SYNC_STORED):
            return {**result, "step": step, "error": f"HTTP {response.status_code} {statuses}"}
        for fmt in ("csv", "xlsx", "json"):
            step = f"export {fmt}"
            for labels in ([], ["--labels"]):
                target = folder / f"answers.{fmt}"
                exported = runner.invoke(args=["export", form_id, "--format", fmt, *labels, "-o", str(target)])
                if exported.exit_code != 0 or not target.exists():
                    return {**result, "step": step, "error": (exported.output or repr(exported.exception))[-500:]}
        return {**result, "step": "ok"}
    except TooSlow:
        return {**result, "step": step, "error": f"more than {SECONDS_PER_FORM} s"}
    except Exception:  # noqa: BLE001 - the point is to report any failure by form and step
        return {**result, "step": step, "error": traceback.format_exc()[-800:]}
    finally:
        app.extensions["survey_engine"].dispose()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--json", type=Path, help="also write one JSON line per form here")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # openpyxl's notes about workbook styles
    logging.disable(logging.CRITICAL)
    signal.signal(signal.SIGALRM, _too_slow)
    files = sorted(p for p in args.folder.iterdir() if p.suffix.lower() in (".xlsx", ".xls", ".zip"))
    results = []
    out = args.json.open("w", encoding="utf-8") if args.json else None
    for path in files:
        signal.alarm(SECONDS_PER_FORM)
        result = run_form(path)
        signal.alarm(0)
        results.append(result)
        print(f"{path.name}: {result['step']}" + (f" - {result['error'][-200:]}" if result.get("error") else ""),
              flush=True)
        if out:
            out.write(json.dumps(result) + "\n")
    if out:
        out.close()
    counts = Counter(result["step"] for result in results)
    print(f"\n{len(results)} forms: {counts.pop('ok', 0)} passed every step; "
          + ", ".join(f"{n} stopped at {step}" for step, n in counts.most_common()))


if __name__ == "__main__":
    main()
