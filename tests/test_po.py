"""Questionnaire .po files: export, import, and refusal of files that would do harm."""

import copy
import io
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from survey_app.engine.definition import definition_to_dict
from survey_app.engine.loader import load_file
from survey_app.engine.po import PoError
from survey_app.engine.po import export_po
from survey_app.engine.po import import_po
from survey_app.engine.translatable import texts

FORMS = Path(__file__).parent.parent / "forms"
CO_FORM = FORMS / "cultural_orientation_feedback.yaml"


@pytest.fixture
def definition():
    return definition_to_dict(load_file(CO_FORM))


def edit(po: bytes, old: str, new: str) -> bytes:
    text = po.decode("utf-8")
    assert old in text
    return text.replace(old, new, 1).encode("utf-8")


def without_language(document: dict, lang: str) -> dict:
    """Return a copy with one language removed from every text and from the settings."""
    document = copy.deepcopy(document)
    for text in texts(document).values():
        text.pop(lang, None)
    document["settings"]["languages"] = [code for code in document["settings"]["languages"] if code != lang]
    return document


def test_export_uses_text_keys_as_context_and_source_text_as_msgid(definition):
    catalog = read_po(io.BytesIO(export_po(definition, "ps")))
    assert str(catalog.locale) == "ps"
    message = catalog.get("لطفاً عددی بین ۱۵ و ۱۰۰ بنویسید.", context="age:constraint_message")
    assert message.string == "مهرباني وکړئ د ۱۵ او ۱۰۰ ترمنځ یوه شمېره ولیکئ."
    contexts = [m.context for m in list(catalog)[1:]]
    assert contexts == list(texts(definition))
    assert "choices/topics/housing:label" in contexts


def test_export_marks_chosen_keys_fuzzy_and_leaves_missing_translations_empty(definition):
    del definition["survey"][0]["label"]["ps"]
    catalog = read_po(io.BytesIO(export_po(definition, "ps", fuzzy_keys={"age:label"})))
    by_key = {m.context: m for m in list(catalog)[1:]}
    assert by_key["age:label"].fuzzy and not by_key["age:hint"].fuzzy
    assert by_key["intro:label"].string == ""


def test_export_refuses_the_source_language_and_unknown_languages(definition):
    with pytest.raises(ValueError, match="source language"):
        export_po(definition, "fa")
    with pytest.raises(ValueError, match="unknown language"):
        export_po(definition, "xx")


def test_importing_an_unchanged_export_changes_nothing(definition):
    result = import_po(definition, export_po(definition, "fa_AF"))
    assert not result.changed and result.definition == definition
    assert result.unchanged == len(texts(definition)) and not result.stale and not result.unknown


def test_import_applies_changed_translations(definition):
    po = edit(export_po(definition, "ps"), 'msgstr "ستاسو جنسیت"', 'msgstr "ستاسو جنس"')
    result = import_po(definition, po)
    assert [entry.key for entry in result.applied] == ["gender:label"]
    assert texts(result.definition)["gender:label"]["ps"] == "ستاسو جنس"
    assert texts(definition)["gender:label"]["ps"] == "ستاسو جنسیت"


def test_import_of_one_language_leaves_every_other_language_unchanged(definition):
    po = export_po(definition, "ps")
    po = edit(po, 'msgstr "ستاسو جنسیت"', 'msgstr "ستاسو جنس"')
    po = edit(po, 'msgstr "هو"', 'msgstr "هو، و"')
    result = import_po(definition, po)
    assert len(result.applied) >= 2
    assert without_language(result.definition, "ps") == without_language(definition, "ps")


def test_stale_entries_are_reported_not_applied(definition):
    po = export_po(definition, "ps")
    definition["survey"][1]["children"][1]["label"]["fa"] = "سن شما چقدر است؟"
    po = edit(po, 'msgstr "ستاسو عمر څو کاله دی؟"', 'msgstr "څو کلن یاست؟"')
    result = import_po(definition, po)
    assert [entry.key for entry in result.stale] == ["age:label"]
    assert texts(result.definition)["age:label"]["ps"] == "ستاسو عمر څو کاله دی؟"
    assert not result.changed


def test_unknown_keys_are_reported_not_applied(definition):
    po = edit(export_po(definition, "ps"), 'msgctxt "gender:label"', 'msgctxt "sex:label"')
    po = edit(po, 'msgstr "ستاسو جنسیت"', 'msgstr "ستاسو جنس"')
    result = import_po(definition, po)
    assert [entry.key for entry in result.unknown] == ["sex:label"]
    assert result.definition == definition


def test_fuzzy_entries_are_applied_and_reported_for_review(definition):
    po = edit(export_po(definition, "ps", fuzzy_keys={"gender:label"}),
              'msgstr "ستاسو جنسیت"', 'msgstr "ستاسو جنس"')
    result = import_po(definition, po)
    assert [entry.key for entry in result.fuzzy] == ["gender:label"]
    assert texts(result.definition)["gender:label"]["ps"] == "ستاسو جنس"
    assert any(line.startswith("needs review (fuzzy) line") for line in result.lines())


def test_a_new_language_is_added_to_the_form(definition):
    definition = without_language(definition, "ps")
    po = edit(export_po(definition, "ps"), 'msgctxt "gender:label"\nmsgid "جنسیت شما"\nmsgstr ""',
              'msgctxt "gender:label"\nmsgid "جنسیت شما"\nmsgstr "ستاسو جنسیت"')
    result = import_po(definition, po)
    assert result.definition["settings"]["languages"] == ["fa", "fa_AF", "en", "ps"]
    assert result.untranslated == len(texts(definition)) - 1


@pytest.mark.parametrize(("source", "translation", "problem"), [
    ("Hello ${name}", "سلام", "placeholder ${name} is missing from the translation"),
    ("%(count)s answers", "پاسخ‌ها", "placeholder %(count)s is missing from the translation"),
    ("{count} answers", "{total} پاسخ", "placeholder {count} is missing from the translation"),
    ("Answers", "%(count)s پاسخ", "placeholder %(count)s is not in the source text"),
])
def test_mismatched_placeholders_refuse_the_file_naming_the_line(definition, source, translation, problem):
    definition["survey"][0]["label"]["fa"] = source
    definition["survey"][0]["label"]["ps"] = "x"
    po = edit(export_po(definition, "ps"), 'msgstr "x"', f'msgstr "{translation}"')
    line = po.decode().splitlines().index(f'msgid "{source}"') + 1
    with pytest.raises(PoError) as caught:
        import_po(definition, po)
    assert f"line {line} (intro:label): {problem}" in caught.value.problems


@pytest.mark.parametrize(("old", "new", "message"), [
    ('msgstr "ستاسو جنسیت"', 'msgstr "ستاسو جنسیت', "not valid .po syntax"),
    ('msgstr "ستاسو جنسیت"', "msgstr ستاسو", "not valid .po syntax"),
    ('msgstr "ستاسو جنسیت"', 'msgstr "ستاسو جنسیت"\nmsgfoo "x"', "not valid .po syntax"),
    ('msgstr "ستاسو جنسیت"\n', '', "missing msgstr"),
])
def test_syntax_errors_refuse_the_file_naming_the_line(definition, old, new, message):
    po = edit(export_po(definition, "ps"), old, new)
    with pytest.raises(PoError, match=message) as caught:
        import_po(definition, po)
    assert caught.value.problems[0].startswith("line ")


def test_a_key_given_twice_is_refused(definition):
    po = export_po(definition, "ps")
    po = po + b'\nmsgctxt "gender:label"\nmsgid "other text"\nmsgstr "x"\n'
    with pytest.raises(PoError, match="gender:label\\): the key also appears on line"):
        import_po(definition, po)


@pytest.mark.parametrize(("language", "message"), [
    ("xx", "the Language header 'xx' is not a language Babel knows"),
    ("fa", "the source language of this questionnaire"),
])
def test_unknown_or_source_languages_are_refused(definition, language, message):
    po = edit(export_po(definition, "ps"), '"Language: ps\\n"', f'"Language: {language}\\n"')
    with pytest.raises(PoError, match=message):
        import_po(definition, po)


def test_a_file_that_is_not_utf8_is_refused(definition):
    with pytest.raises(PoError, match="not UTF-8"):
        import_po(definition, "msgid \"é\"".encode("latin-1"))
