"""Publishing questionnaire files as immutable, content-addressed versions."""

import shutil
from pathlib import Path

import pytest
from sqlmodel import select

from survey_app.forms_store import current_versions
from survey_app.forms_store import get_version
from survey_app.forms_store import load_forms_folder
from survey_app.models import FormVersion

SAMPLE = Path(__file__).parent / "data" / "forms" / "sample_feedback.yaml"
ORIGINAL_TITLE = 'en: "Sample feedback"'
CHANGED_TITLE = 'en: "Sample feedback (revised)"'


@pytest.fixture
def folder(tmp_path):
    forms = tmp_path / "forms"
    forms.mkdir()
    shutil.copy(SAMPLE, forms / SAMPLE.name)
    return forms


def _edit(folder: Path, old: str, new: str) -> None:
    path = folder / SAMPLE.name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _versions(session, form_id: str = "sample_feedback") -> list[FormVersion]:
    statement = select(FormVersion).where(FormVersion.form_id == form_id).order_by(FormVersion.number)
    return list(session.exec(statement))


def test_loading_an_unchanged_folder_twice_publishes_nothing_new(session, folder):
    load_forms_folder(session=session, folder=folder)
    before = [(v.version, v.number) for v in _versions(session)]
    report = load_forms_folder(session=session, folder=folder)
    assert report.published == []
    assert [line.split()[0] for line in report.unchanged] == ["sample_feedback"]
    assert [(v.version, v.number) for v in _versions(session)] == before


def test_changed_file_publishes_version_two_and_makes_it_current(session, folder):
    load_forms_folder(session=session, folder=folder)
    first = get_version(session=session, form_id="sample_feedback")
    _edit(folder, ORIGINAL_TITLE, CHANGED_TITLE)
    report = load_forms_folder(session=session, folder=folder)
    current = get_version(session=session, form_id="sample_feedback")
    assert (first.number, current.number) == (1, 2)
    assert current.version != first.version
    assert report.published == [f"sample_feedback {current.version}"]
    assert current.definition["title"]["en"] == "Sample feedback (revised)"


def test_older_version_stays_readable_after_a_change(session, folder):
    load_forms_folder(session=session, folder=folder)
    first_id = get_version(session=session, form_id="sample_feedback").version
    _edit(folder, ORIGINAL_TITLE, CHANGED_TITLE)
    load_forms_folder(session=session, folder=folder)
    old = get_version(session=session, form_id="sample_feedback", version=first_id)
    assert old.number == 1
    assert old.definition["title"]["en"] == "Sample feedback"


def test_reverted_file_makes_the_old_version_current_without_a_third(session, folder):
    load_forms_folder(session=session, folder=folder)
    first_id = get_version(session=session, form_id="sample_feedback").version
    _edit(folder, ORIGINAL_TITLE, CHANGED_TITLE)
    load_forms_folder(session=session, folder=folder)
    _edit(folder, CHANGED_TITLE, ORIGINAL_TITLE)
    load_forms_folder(session=session, folder=folder)
    current = get_version(session=session, form_id="sample_feedback")
    assert (current.version, current.number) == (first_id, 1)
    assert [v.number for v in _versions(session)] == [1, 2]


def test_current_versions_lists_one_per_form(session, folder):
    other = (folder / SAMPLE.name).read_text(encoding="utf-8").replace(
        "form_id: sample_feedback", "form_id: another_feedback")
    (folder / "another_feedback.yaml").write_text(other, encoding="utf-8")
    load_forms_folder(session=session, folder=folder)
    _edit(folder, ORIGINAL_TITLE, CHANGED_TITLE)
    load_forms_folder(session=session, folder=folder)
    listed = current_versions(session=session)
    assert [(v.form_id, v.number) for v in listed] == [("another_feedback", 1), ("sample_feedback", 2)]


def test_get_version_of_unknown_form_or_version_is_none(session):
    assert get_version(session=session, form_id="no_such_form") is None
    assert get_version(session=session, form_id="sample_feedback", version="000000000000") is None
