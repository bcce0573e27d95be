"""Each corpus questionnaire exported by `flask forms export` and imported again is the same questionnaire.

A form that came with media or CSV files goes out as a zip (`--format zip`) of its workbook and files;
the others as a workbook. The re-import must publish nothing new: same questions, types, choices,
languages, conditions, media names and files, pulldata() tables. The YAML export loads back equal too.
"""

import io
import zipfile

import pytest

from survey_app import forms_store
from survey_app.engine.definition import definition_to_dict
from survey_app.engine.loader import load_file
from survey_app.engine.xlsform import needs_zip
from survey_app.engine.xlsform import read_xlsform
from survey_app.engine.xlsform import write_xlsform
from survey_app.engine.xlsform import write_xlsform_zip
from tests.test_xlsform_corpus import CORPUS
from tests.test_xlsform_corpus import EXPECTED

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the files, not the database, are tested


def current(session, form_id):
    """The current definition, read in a transaction that ends before the next command writes."""
    session.expire_all()
    definition = forms_store.get_version(session=session, form_id=form_id).definition
    session.rollback()
    return definition


def import_form(runner, path) -> str:
    result = runner.invoke(args=["forms", "import", str(path)])
    assert result.exit_code == 0, result.output
    return result.output


@SQLITE
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_exported_corpus_form_imports_back_as_the_same_questionnaire(name, runner, session, tmp_path):
    import_form(runner, CORPUS / name)
    form_id = read_xlsform(CORPUS / name).definition["form_id"]
    before = current(session, form_id)
    fmt = "zip" if needs_zip(before) else "xlsx"
    target = tmp_path / f"{form_id}.{fmt}"
    result = runner.invoke(args=["forms", "export", form_id, "--format", fmt, "-o", str(target)])
    assert result.exit_code == 0, result.output

    again = read_xlsform(target)
    assert again.ok, again.lines()
    assert again.definition == before
    assert "is already the current version" in import_form(runner, target)

    yaml_target = tmp_path / f"{form_id}.yaml"
    result = runner.invoke(args=["forms", "export", form_id, "--format", "yaml", "-o", str(yaml_target)])
    assert result.exit_code == 0, result.output
    assert definition_to_dict(load_file(yaml_target)) == before


@SQLITE
def test_a_workbook_export_of_a_form_with_files_says_what_it_leaves_out(runner, tmp_path):
    import_form(runner, CORPUS / "media_pictures.zip")
    result = runner.invoke(args=["forms", "export", "media_pictures", "-o", str(tmp_path / "out.xlsx")])
    assert result.exit_code == 0
    assert "--format zip writes them with it" in result.output


@SQLITE
def test_the_zip_export_carries_the_stored_media_files(runner, session, tmp_path):
    import_form(runner, CORPUS / "media_pictures.zip")
    target = tmp_path / "out.zip"
    result = runner.invoke(args=["forms", "export", "media_pictures", "--format", "zip", "-o", str(target)])
    assert result.exit_code == 0, result.output
    original = zipfile.ZipFile(CORPUS / "media_pictures.zip")
    exported = zipfile.ZipFile(target)
    media = current(session, "media_pictures")["media_files"]
    assert set(exported.namelist()) == {"media_pictures.xlsx", *media}
    for name in media:
        assert exported.read(name) == next(original.read(info) for info in original.infolist()
                                           if info.filename.endswith(name))


def test_a_pulldata_table_without_its_file_is_written_back_as_csv():
    definition = read_xlsform(CORPUS / "pulldata_trainers.zip").definition
    package = zipfile.ZipFile(io.BytesIO(write_xlsform_zip(definition, {})))
    assert package.read("trainers.csv").decode() == "code,name\nT1,Maryam\nT2,Ahmad\n"
    assert read_xlsform(package.fp.getvalue()).definition == definition


def test_a_list_from_a_csv_file_is_attached_again_from_the_zip_and_kept_by_the_workbook_alone():
    definition = read_xlsform(CORPUS / "csv_choices.zip").definition
    provinces = zipfile.ZipFile(CORPUS / "csv_choices.zip").read("media/provinces.csv")
    from_zip = read_xlsform(write_xlsform_zip(definition, {"provinces.csv": provinces}))
    assert from_zip.definition == definition
    alone = read_xlsform(write_xlsform(definition))
    assert alone.definition["survey"][0]["type"] == "select_one provinces.csv"
    assert alone.definition["choices"] == definition["choices"]
    assert "the choices file 'provinces.csv' is not in the upload; the options listed" in "\n".join(alone.lines())
