"""`flask forms import|export|import-po`: thin commands over the engine's interchange formats."""

import copy
from pathlib import Path

import pytest
from sqlmodel import select

from survey_app import forms_store
from survey_app.engine.definition import definition_to_dict
from survey_app.engine.loader import load_file
from survey_app.engine.po import export_po
from survey_app.engine.translatable import texts
from survey_app.engine.xlsform import read_xlsform
from survey_app.engine.xlsform import write_xlsform
from survey_app.engine.yaml_export import to_yaml
from survey_app.models import AuditEvent
from survey_app.models import FormVersion

DATA = Path(__file__).parent / "data"
KOBO_FIXTURE = DATA / "xlsform" / "cultural_orientation_kobo.xlsx"
SAMPLE = "sample_feedback"


def current(session, form_id=SAMPLE):
    """Return the current version, detached, ending the read so the command can write (SQLite)."""
    session.expire_all()
    version = forms_store.get_version(session=session, form_id=form_id)
    if version is not None:
        session.expunge(version)
    session.rollback()
    return version


def versions(session, form_id):
    found = session.exec(select(FormVersion.version).where(FormVersion.form_id == form_id)).all()
    session.rollback()
    return found


def audit_actions(session):
    found = [(event.actor, event.action) for event in session.exec(select(AuditEvent)).all()]
    session.rollback()
    return found


def test_import_publishes_the_spreadsheet_and_records_an_audit_event(runner, session):
    result = runner.invoke(args=["forms", "import", str(KOBO_FIXTURE)])
    assert result.exit_code == 0, result.output
    version = current(session, "co_course_feedback")
    assert f"published co_course_feedback version {version.version} (number 1)" in result.output
    assert version.definition == read_xlsform(KOBO_FIXTURE).definition
    assert ("cli", "form_imported") in audit_actions(session)


def test_importing_the_same_spreadsheet_twice_publishes_one_version(runner, session):
    runner.invoke(args=["forms", "import", str(KOBO_FIXTURE)])
    result = runner.invoke(args=["forms", "import", str(KOBO_FIXTURE)])
    assert result.exit_code == 0
    assert "is already the current version; nothing was published" in result.output
    assert len(versions(session, "co_course_feedback")) == 1


def test_a_spreadsheet_with_rows_reported_is_published_with_the_report(runner, session):
    result = runner.invoke(args=["forms", "import", str(DATA / "xlsform" / "unsupported_rows.xlsx")])
    assert result.exit_code == 0, result.output
    assert ("warning: survey row 8: the choices file 'districts.csv' is not in the upload; the answer is typed as "
            "text") in result.output
    assert len(versions(session, "unsupported_rows")) == 1


def test_a_spreadsheet_that_cannot_be_read_publishes_nothing(runner, session, tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    result = runner.invoke(args=["forms", "import", str(broken)])
    assert result.exit_code != 0
    assert "error: broken.xlsx is not an Excel workbook" in result.output
    assert "nothing was published" in result.output
    assert ("cli", "form_imported") not in audit_actions(session)


def test_import_takes_the_default_language_from_the_option(runner, session):
    result = runner.invoke(args=["forms", "import", str(DATA / "xlsform" / "corpus" / "no_title_no_settings.xlsx"),
                                 "--default-language", "fa_AF"])
    assert result.exit_code == 0, result.output
    assert current(session, "no_title_no_settings").definition["settings"]["default_language"] == "fa_AF"


def test_export_xlsx_writes_the_current_version(runner, session, tmp_path):
    target = tmp_path / "sample.xlsx"
    result = runner.invoke(args=["forms", "export", SAMPLE, "--format", "xlsx", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert read_xlsform(target).definition == current(session).definition


def test_export_yaml_loads_back_as_the_same_definition(runner, session, tmp_path):
    target = tmp_path / f"{SAMPLE}.yaml"
    result = runner.invoke(args=["forms", "export", SAMPLE, "--format", "yaml", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith("# Exported from version ")
    assert definition_to_dict(load_file(target)) == current(session).definition


@pytest.mark.parametrize("path", sorted((Path(__file__).parent.parent / "forms").glob("*.yaml")), ids=lambda p: p.stem)
def test_yaml_export_of_shipped_forms_loads_back_equal(path, tmp_path):
    definition = definition_to_dict(load_file(path))
    target = tmp_path / path.name
    target.write_text(to_yaml(definition), encoding="utf-8")
    assert definition_to_dict(load_file(target)) == definition
    assert "بین‌المللی" in target.read_text(encoding="utf-8") or "fa_AF" in definition["settings"]["languages"]


def test_export_po_needs_a_language(runner):
    result = runner.invoke(args=["forms", "export", SAMPLE, "--format", "po"])
    assert result.exit_code == 2
    assert "--format po needs --lang" in result.output


def test_export_po_writes_one_language_to_stdout(runner):
    result = runner.invoke(args=["forms", "export", SAMPLE, "--format", "po", "--lang", "fa", "-o", "-",
                                 "--fuzzy", "age:label"])
    assert result.exit_code == 0, result.output
    assert 'msgctxt "age:label"' in result.output and '"Language: fa\\n"' in result.output
    assert '#, fuzzy\nmsgctxt "age:label"' in result.output


def test_export_of_an_unknown_questionnaire_fails(runner):
    result = runner.invoke(args=["forms", "export", "nowhere", "--format", "yaml"])
    assert result.exit_code == 1
    assert "there is no questionnaire 'nowhere'" in result.output


def test_import_po_publishes_a_new_version_with_the_translations(runner, session, tmp_path):
    before = current(session)
    po = export_po(before.definition, "ps").decode()
    po = po.replace('msgctxt "age:label"\nmsgid "Age"\nmsgstr ""', 'msgctxt "age:label"\nmsgid "Age"\nmsgstr "عمر"')
    (tmp_path / "ps.po").write_text(po, encoding="utf-8")
    result = runner.invoke(args=["forms", "import-po", SAMPLE, str(tmp_path / "ps.po")])
    assert result.exit_code == 0, result.output
    assert "ps: 1 applied, 1 unchanged, 0 stale, 0 unknown, 0 fuzzy, 24 untranslated" in result.output
    after = current(session)
    assert after.version != before.version and after.number == before.number + 1
    assert texts(after.definition)["age:label"] == {"en": "Age", "fa": "سن", "ps": "عمر"}
    expected = copy.deepcopy(before.definition)
    texts(expected)["age:label"]["ps"] = "عمر"
    assert after.definition == expected
    assert ("cli", "translations_imported") in audit_actions(session)


def test_import_po_without_changes_publishes_nothing(runner, session, tmp_path):
    before = current(session)
    (tmp_path / "fa.po").write_bytes(export_po(before.definition, "fa"))
    result = runner.invoke(args=["forms", "import-po", SAMPLE, str(tmp_path / "fa.po")])
    assert result.exit_code == 0, result.output
    assert "nothing changed; no new version was published" in result.output
    assert current(session).version == before.version


def test_import_po_reports_stale_entries(runner, session, tmp_path):
    before = current(session)
    po = export_po(before.definition, "fa").decode()
    po = po.replace('msgid "Age"\nmsgstr "سن"', 'msgid "Your age"\nmsgstr "سن شما"')
    (tmp_path / "fa.po").write_text(po, encoding="utf-8")
    result = runner.invoke(args=["forms", "import-po", SAMPLE, str(tmp_path / "fa.po")])
    assert "0 applied" in result.output and "1 stale" in result.output
    assert "stale, not applied line" in result.output and "age:label" in result.output
    assert current(session).version == before.version


def test_a_broken_po_changes_nothing(runner, session, tmp_path):
    before = current(session)
    (tmp_path / "fa.po").write_text('msgid "unterminated\nmsgstr ""\n', encoding="utf-8")
    result = runner.invoke(args=["forms", "import-po", SAMPLE, str(tmp_path / "fa.po")])
    assert result.exit_code == 1
    assert "error: line 1: not valid .po syntax" in result.output
    assert "nothing was changed" in result.output
    assert current(session).version == before.version


def test_an_exported_workbook_imports_back_as_the_same_version(runner, session, tmp_path):
    before = current(session)
    (tmp_path / "sample.xlsx").write_bytes(write_xlsform(before.definition))
    result = runner.invoke(args=["forms", "import", str(tmp_path / "sample.xlsx")])
    assert "is already the current version" in result.output
    assert len(versions(session, SAMPLE)) == 1
