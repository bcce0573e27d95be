"""Command-line groups: `flask --app survey_app forms import|export|import-po` and `translations check`."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlmodel import Session

from . import form_media
from . import forms_store
from .catalog_check import check_catalogs
from .catalog_check import table as catalog_table
from .config import INTERFACE_LANGUAGES
from .db import get_engine
from .engine.loader import DefinitionError
from .engine.po import PoError
from .engine.po import export_po
from .engine.po import import_po
from .engine.xlsform import needs_zip
from .engine.xlsform import read_xlsform
from .engine.xlsform import write_xlsform
from .engine.xlsform import write_xlsform_zip
from .engine.yaml_export import to_yaml
from .models import AuditEvent

forms = AppGroup("forms", help="Import and export questionnaires as XLSForm, YAML and gettext .po files.")
translations = AppGroup("translations", help="Check the interface's gettext catalogs.")


def init_app(app) -> None:
    """Register the command groups on an app."""
    app.cli.add_command(forms)
    app.cli.add_command(translations)


@forms.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--default-language", metavar="CODE",
              help="Language of text columns that name none, when the settings sheet does not say (e.g. fa); "
                   "without it the language is told from the text's script.")
def import_command(file, default_language):
    """Check an XLSForm (.xlsx, .xls, or .zip with media and CSV files) and publish it as the current version."""
    report = read_xlsform(file, default_language=default_language)
    for line in report.lines():
        click.echo(line)
    if not report.ok:
        raise click.ClickException(
            f"{file.name} was not imported ({len(report.errors)} errors); nothing was published."
        )
    definition = report.definition
    form_media.store(report.files, definition.get("media_files", {}))
    with Session(get_engine()) as session:
        _publish(session, definition, action="form_imported", file=file.name, warnings=len(report.warnings))


def _publish(session: Session, definition: dict, *, action: str, **detail) -> None:
    """Publish a definition unless it already is the current version, with an audit event."""
    form_id, version_id = definition["form_id"], forms_store.content_hash(definition)[:12]
    current = forms_store.get_version(session=session, form_id=form_id)
    if current is not None and current.version == version_id:
        click.echo(f"{form_id} version {version_id} is already the current version; nothing was published.")
        return
    session.add(AuditEvent(actor="cli", action=action,
                           detail={"form_id": form_id, "version": version_id, **detail}))
    version = forms_store.publish(session=session, definition=definition)
    click.echo(f"published {form_id} version {version.version} (number {version.number})")


@forms.command("export")
@click.argument("form_id")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "zip", "yaml", "po"]), default="xlsx",
              show_default=True)
@click.option("--lang", metavar="CODE", help="Language to translate into (needed for po), e.g. fa_AF.")
@click.option("--fuzzy", "fuzzy_keys", multiple=True, metavar="KEY",
              help="Mark this text key as needing review in the .po (repeatable).")
@click.option("--version", "version_id", metavar="VERSION", help="A published version (default: the current one).")
@click.option("-o", "--output", metavar="FILE",
              help="Where to write (default FORM_ID.xlsx, FORM_ID.zip, FORM_ID.yaml or FORM_ID.LANG.po; "
                   "'-' for stdout).")
def export_command(form_id, fmt, lang, fuzzy_keys, version_id, output):
    """Write a published questionnaire as XLSForm (zip: with its media and CSV files), YAML (for forms/)
    or one language as .po."""
    if fmt == "po" and not lang:
        raise click.UsageError("--format po needs --lang, the language to translate into.")
    with Session(get_engine()) as session:
        version = _version(session, form_id, version_id)
    if fmt == "xlsx" and needs_zip(version.definition):
        click.echo("warning: the workbook alone leaves out the form's media and CSV files; "
                   "--format zip writes them with it", err=True)
    try:
        data = _export(version, fmt, lang, set(fuzzy_keys))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    target = output or (f"{form_id}.{lang}.po" if fmt == "po" else f"{form_id}.{fmt}")
    if target == "-":
        click.echo(data, nl=False)  # bytes go to the binary stream as they are
        return
    Path(target).write_bytes(data)
    click.echo(f"wrote {target} ({form_id} version {version.version})")


def _version(session: Session, form_id: str, version_id: str | None):
    version = forms_store.get_version(session=session, form_id=form_id, version=version_id)
    if version is None:
        which = f"version {version_id} of " if version_id else ""
        raise click.ClickException(f"there is no {which}questionnaire '{form_id}'.")
    return version


def _export(version, fmt: str, lang: str | None, fuzzy_keys: set) -> bytes:
    if fmt == "xlsx":
        return write_xlsform(version.definition)
    if fmt == "zip":
        return write_xlsform_zip(version.definition, _media_bytes(version.definition))
    if fmt == "yaml":
        comment = (f"Exported from version {version.version} (number {version.number}).\n"
                   f"Save as forms/{version.form_id}.yaml to make it the questionnaire's source.")
        return to_yaml(version.definition, comment=comment).encode("utf-8")
    return export_po(version.definition, lang, fuzzy_keys=fuzzy_keys, version=version.version)


def _media_bytes(definition: dict) -> dict[str, bytes]:
    """The stored bytes of the form's media files, by name (a file missing from the store is left out)."""
    files = {}
    for name, meta in definition.get("media_files", {}).items():
        if path := form_media.path_of(meta["sha256"]):
            files[name] = path.read_bytes()
    return files


@forms.command("import-po")
@click.argument("form_id")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_po_command(form_id, file):
    """Apply a .po file's translations to a questionnaire; publish a new version if anything changed."""
    with Session(get_engine()) as session:
        version = _version(session, form_id, None)
        try:
            result = import_po(version.definition, file.read_bytes())
        except (PoError, DefinitionError) as exc:
            for problem in getattr(exc, "problems", [str(exc)]):
                click.echo(f"error: {problem}", err=True)
            raise click.ClickException(f"{file.name} was not imported; nothing was changed.") from exc
        click.echo(f"{result.language}: {len(result.applied)} applied, {result.unchanged} unchanged, "
                   f"{len(result.stale)} stale, {len(result.unknown)} unknown, {len(result.fuzzy)} fuzzy, "
                   f"{result.untranslated} untranslated")
        for line in result.lines():
            click.echo(line)
        if not result.changed:
            click.echo("nothing changed; no new version was published.")
            return
        _publish(session, result.definition, action="translations_imported", file=file.name,
                 language=result.language, previous_version=version.version, applied=len(result.applied),
                 stale=len(result.stale), unknown=len(result.unknown), fuzzy=len(result.fuzzy))


@translations.command("check")
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="Catalog folder (default: the SURVEY_TRANSLATIONS_DIR setting).")
@click.option("--allow-incomplete", is_flag=True,
              help="Only fail on a broken catalog, not on missing or fuzzy translations.")
def check_command(folder, allow_incomplete):
    """List missing and fuzzy interface translations; fail on a broken or incomplete catalog."""
    folder = folder or Path(current_app.config["SURVEY_TRANSLATIONS_DIR"])
    reports = check_catalogs(folder)
    if not reports:
        raise click.ClickException(f"no catalogs (*/LC_MESSAGES/messages.po) in {folder}")
    for line in catalog_table(reports) + [gap for r in reports for gap in r.gaps()]:
        click.echo(line)
    errors = [error for r in reports for error in r.errors]
    for error in errors:
        click.echo(f"error: {error}", err=True)
    if errors:
        raise click.ClickException(f"{sum(not r.ok for r in reports)} broken catalog(s) in {folder}")
    incomplete = [r.language for r in reports if r.language in INTERFACE_LANGUAGES and not r.complete]
    if incomplete and not allow_incomplete:
        raise click.ClickException(f"incomplete catalog(s): {', '.join(incomplete)} (English shows on their pages)")
