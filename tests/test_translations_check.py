"""`flask translations check`: counts per language, and failure on a broken interface catalog."""

from pathlib import Path

import pytest

from survey_app import create_app
from survey_app.config import PROJECT_ROOT

TEST_FORMS = Path(__file__).parent / "data" / "forms"
HEADER = '''msgid ""
msgstr ""
"Language: {lang}\\n"
"Plural-Forms: {plurals}\\n"
"Content-Type: text/plain; charset=utf-8\\n"

'''
PLURALS = {"fa": "nplurals=1; plural=0;", "ps": "nplurals=2; plural=(n != 1);"}
TEMPLATE = '''msgid "Language"
msgstr ""

#, python-format
msgid "Hello %(name)s"
msgstr ""

#, python-format
msgid "Please check the answer marked below."
msgid_plural "Please check the %(num)s answers marked below."
msgstr[0] ""
msgstr[1] ""
'''
GOOD_FA = '''msgid "Language"
msgstr "زبان"

#, fuzzy, python-format
msgid "Hello %(name)s"
msgstr "سلام %(name)s"

#, python-format
msgid "Please check the answer marked below."
msgid_plural "Please check the %(num)s answers marked below."
msgstr[0] ""
'''


@pytest.fixture
def app(tmp_path):
    app = create_app({
        "TESTING": True, "SECRET_KEY": "test", "INSTANCE_PATH": str(tmp_path / "instance"),
        "SURVEY_DATABASE_URL": f"sqlite:///{tmp_path / 'survey.db'}", "SURVEY_FORMS_DIR": str(TEST_FORMS),
    })
    yield app
    app.extensions["survey_engine"].dispose()


@pytest.fixture
def catalogs(tmp_path):
    """A catalog folder with a template and a good Persian catalog."""
    folder = tmp_path / "translations"
    folder.mkdir()
    (folder / "messages.pot").write_text(HEADER.format(lang="", plurals="") + TEMPLATE, encoding="utf-8")
    write_catalog(folder, "fa", GOOD_FA)
    return folder


def write_catalog(folder: Path, lang: str, body: str) -> None:
    path = folder / lang / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER.format(lang=lang, plurals=PLURALS[lang]) + body, encoding="utf-8")


COMPLETE_FA = GOOD_FA.replace("#, fuzzy, python-format", "#, python-format").replace(
    'msgstr[0] ""', 'msgstr[0] "لطفاً %(num)s پاسخ علامت‌خورده را بررسی کنید."')


def check(app, folder: Path, *options):
    return app.test_cli_runner().invoke(args=["translations", "check", "--dir", str(folder), *options])


def test_counts_messages_missing_and_fuzzy_per_language(app, catalogs):
    result = check(app, catalogs, "--allow-incomplete")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["language", "messages", "missing", "fuzzy", "not", "in", "catalog", "status"]
    assert lines[1].split() == ["fa", "3", "1", "1", "0", "INCOMPLETE"]


def test_missing_and_fuzzy_messages_are_listed_by_name(app, catalogs):
    lines = check(app, catalogs, "--allow-incomplete").output.splitlines()
    assert "fa: missing: Please check the answer marked below." in lines
    assert "fa: fuzzy: Hello %(name)s" in lines


def test_an_incomplete_catalog_of_an_offered_language_fails_unless_allowed(app, catalogs):
    result = check(app, catalogs)
    assert result.exit_code == 1
    assert "incomplete catalog(s): fa" in result.output


def test_a_complete_catalog_passes_the_strict_check(app, catalogs):
    write_catalog(catalogs, "fa", COMPLETE_FA)
    result = check(app, catalogs)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1].split() == ["fa", "3", "0", "0", "0", "ok"]


def test_a_language_the_interface_does_not_offer_may_be_incomplete(app, catalogs):
    (catalogs / "fa").rename(catalogs / "ur")
    result = check(app, catalogs)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1].split()[-1] == "INCOMPLETE"


def test_messages_of_the_template_missing_from_a_catalog_are_counted(app, catalogs):
    write_catalog(catalogs, "fa", COMPLETE_FA.split("\n\n", 1)[1])
    result = check(app, catalogs)
    assert result.exit_code == 1
    assert result.output.splitlines()[1].split() == ["fa", "2", "0", "0", "1", "INCOMPLETE"]
    assert "fa: not in catalog: Language" in result.output


def test_the_configured_catalog_folder_is_used_by_default(app, catalogs):
    app.config["SURVEY_TRANSLATIONS_DIR"] = str(catalogs)
    result = app.test_cli_runner().invoke(args=["translations", "check"])
    assert result.output.splitlines()[1].split()[0] == "fa"


@pytest.mark.parametrize(("body", "error"), [
    (GOOD_FA.replace('msgstr "سلام %(name)s"', 'msgstr "سلام"'),
     "placeholder %(name)s is missing from the translation"),
    (GOOD_FA.replace('msgstr "سلام %(name)s"', 'msgstr "سلام %(name)s %(title)s"'),
     "unknown named placeholder 'title'"),
    (GOOD_FA.replace('msgstr[0] ""', 'msgstr[0] "لطفاً پاسخ‌های علامت‌خورده را بررسی کنید."'),
     "placeholder %(num)s is missing from the translation"),
    (GOOD_FA.replace('msgstr "زبان"', 'msgstr "زبان'), "not valid .po syntax"),
    (GOOD_FA.replace('msgstr[0] ""', 'msgstr[0] "%(num)s"\nmsgstr[1] "%(num)s"'),
     "more translations than num_plurals"),
])
def test_a_broken_catalog_fails_the_check_naming_file_and_line(app, catalogs, body, error):
    write_catalog(catalogs, "fa", body)
    result = check(app, catalogs)
    assert result.exit_code == 1
    assert result.output.splitlines()[1].split()[-1] == "BROKEN"
    assert error in result.output
    assert "fa/LC_MESSAGES/messages.po" in result.output


def test_one_broken_language_does_not_hide_the_others(app, catalogs):
    write_catalog(catalogs, "ps", TEMPLATE.replace('msgid "Language"\nmsgstr ""', 'msgid "Language"\nmsgstr "ژبه'))
    write_catalog(catalogs, "fa", COMPLETE_FA)
    result = check(app, catalogs)
    assert result.exit_code == 1
    assert [line.split()[-1] for line in result.output.splitlines()[1:3]] == ["ok", "BROKEN"]
    assert "Error: 1 broken catalog(s)" in result.output


def test_a_folder_without_catalogs_fails(app, tmp_path):
    result = check(app, tmp_path)
    assert result.exit_code == 1
    assert "no catalogs" in result.output


def test_the_shipped_catalogs_are_not_broken(app):
    result = check(app, PROJECT_ROOT / "translations", "--allow-incomplete")
    assert result.exit_code == 0, result.output
