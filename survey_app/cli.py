"""Command-line groups: `flask --app survey_app sync push|pull-forms|export|import`, `results rebuild`."""

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlmodel import Session

from . import form_media
from . import sync_client
from . import sync_files
from . import tallies
from .db import get_engine

sync = AppGroup("sync", help="Move submissions and questionnaires between servers, by network or by file.")
results_cli = AppGroup("results", help="Look after the running counts the results pages read.")


def init_app(app) -> None:
    """Register the command groups on an app."""
    app.cli.add_command(sync)
    app.cli.add_command(results_cli)


def _source() -> str:
    return sync_client.server_id(current_app.instance_path)


def _echo_counts(counts) -> None:
    for status in sync_client.STATUSES:
        click.echo(f"{status}: {counts.get(status, 0)}")
    for status in sorted(set(counts) - set(sync_client.STATUSES)):  # refused: kept aside here, not there
        click.echo(f"{status}: {counts[status]}")


def _base_url(_ctx, _param, value):
    try:
        return sync_client.normalise_url(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


def _say_retry(exc, wait, attempt, attempts) -> None:
    click.echo(f"\nAttempt {attempt} of {attempts} failed ({exc}); trying again in {wait:.1f} s.", err=True)


token_option = click.option("--token", envvar="SURVEY_SYNC_TOKEN", metavar="TOKEN",
                            help="Bearer token the other server accepts (or set SURVEY_SYNC_TOKEN).")
attempts_option = click.option("--attempts", type=click.IntRange(1, 100), default=6, show_default=True,
                               help="Tries per request on network errors, timeouts and 5xx answers.")
delay_option = click.option("--retry-delay", type=click.FloatRange(0), default=1.0, show_default=True,
                            help="First wait between tries in seconds; doubles each time, at most 60.")
timeout_option = click.option("--timeout", type=click.FloatRange(1), default=60.0, show_default=True,
                              help="Seconds to wait for an answer.")


@sync.command("push")
@click.option("--to", "url", required=True, metavar="URL", callback=_base_url,
              help="Address of the receiving server, e.g. https://central.example.org")
@token_option
@click.option("--batch-size", type=click.IntRange(1, 1000), default=500, show_default=True,
              help="Submissions per request (halved when the server says too large).")
@attempts_option
@delay_option
@timeout_option
def push_command(url, token, batch_size, attempts, retry_delay, timeout):
    """Send the submissions another server has not acknowledged."""
    policy = sync_client.RetryPolicy(attempts=attempts, first_delay=retry_delay)
    with Session(get_engine()) as session:
        pending = sync_client.count_submissions(session, destination=url)
        click.echo(f"{pending} submissions to send to {url}")
        with click.progressbar(length=pending, label="Sending") as bar:
            report = sync_client.push(session=session, url=url, source=_source(), token=token,
                                      batch_size=batch_size, policy=policy, timeout=timeout,
                                      progress=bar.update, on_retry=_say_retry)
    _echo_counts(report.counts)
    if report.error:
        raise click.ClickException(f"push stopped after {report.acknowledged} of {pending}: {report.error}")


@sync.command("pull-forms")
@click.option("--from", "url", required=True, metavar="URL", callback=_base_url,
              help="Address of the server whose questionnaires to publish here.")
@token_option
@attempts_option
@delay_option
@timeout_option
def pull_forms_command(url, token, attempts, retry_delay, timeout):
    """Publish here the questionnaires of another server."""
    policy = sync_client.RetryPolicy(attempts=attempts, first_delay=retry_delay)
    with Session(get_engine()) as session:
        try:
            report = sync_client.pull_forms(session=session, url=url, token=token, timeout=timeout, policy=policy,
                                            media_folder=form_media.folder())
        except sync_client.SyncError as exc:
            raise click.ClickException(str(exc)) from exc
    for line in report.lines() or ["no questionnaires there"]:
        click.echo(line)
    if report.errors:
        raise click.ClickException(f"{len(report.errors)} questionnaire(s) not pulled")


@sync.command("export")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="File to write (gzip JSON Lines, with a checksum).")
@click.option("--all", "include_acknowledged", is_flag=True,
              help="Include submissions another server has already acknowledged.")
def export_command(output, include_acknowledged):
    """Write submissions to a file, for where no network reaches."""
    partial = output.with_name(output.name + ".part")
    try:
        with Session(get_engine()) as session:
            total = sync_client.count_submissions(session, only_unacknowledged=not include_acknowledged)
            with partial.open("wb") as fileobj, click.progressbar(length=total, label="Writing") as bar:
                count, digest = sync_files.export_submissions(session=session, fileobj=fileobj, source=_source(),
                                                              include_acknowledged=include_acknowledged,
                                                              progress=bar.update)
                fileobj.flush()
                os.fsync(fileobj.fileno())
        os.replace(partial, output)  # never leave a half-written file under the real name
    finally:
        partial.unlink(missing_ok=True)
    click.echo(f"Wrote {count} submissions to {output} (sha256 {digest})")


@sync.command("import")
@click.argument("file", type=click.File("rb"))
def import_command(file):
    """Check and store an export or a phone's answers file."""
    try:
        submissions = sync_files.read_submission_file(file)
    except sync_files.SubmissionFileError as exc:
        raise click.ClickException(f"{file.name}: {exc}") from exc
    kind = "export" if submissions.kind == "export" else "phone answers file"
    click.echo(f"{file.name}: {kind} from {submissions.source or 'an unnamed source'}, "
               f"{submissions.count} submissions, checked")
    with Session(get_engine()) as session, click.progressbar(length=submissions.count, label="Storing") as bar:
        counts = sync_files.import_submission_file(session=session, submissions=submissions, progress=bar.update)
    _echo_counts(counts)


@results_cli.command("rebuild")
def rebuild_command():
    """Recount the results tallies from the stored submissions (after a repair or a raw import)."""
    with get_engine().begin() as connection:
        read = tallies.rebuild(connection=connection)
    click.echo(f"recounted the tallies of {read} submissions")
