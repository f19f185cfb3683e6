"""Export and import commands: mailings and summaries out, batches of mailings in."""

import datetime as dt
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app import audit
from app import db
from app.cli.common import fail
from app.cli.common import find_user
from app.cli.common import operator
from app.services import scope
from app.services.errors import NotFound
from app.services.errors import ValidationFailed
from app.services.reports import formats
from app.services.reports import imports
from app.services.reports import rows as report_rows
from app.services.reports import summary
from models import MailingQuery
from models import User

export_cli = AppGroup("export", help="Export mailings and summaries.")
import_cli = AppGroup("import", help="Import mailings.")


def _filter_options(command):
    for option in reversed(
        (
            click.option("--campaign", help="A campaign's short name (slug)."),
            click.option("--chapter", help="A chapter's short name (slug)."),
            click.option("--channel", help="letter, postcard, card, drawing, fax or email."),
            click.option("--status", help="logged, posted or void."),
            click.option("--since", help="Sent on or after this day (YYYY-MM-DD)."),
            click.option("--until", help="Sent on or before this day (YYYY-MM-DD)."),
            click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE."),
        )
    ):
        command = option(command)
    return command


def _given(raw: dict) -> dict:
    """The filters given on the command line, for the audit log."""
    return {name: value for name, value in raw.items() if value is not None}


def _resolve(session, user: User, query: MailingQuery):
    """Turn *query*'s names into the filters an export reads; exit 1 if one is wrong."""
    try:
        return scope.resolve(session, user, query)
    except ValidationFailed as failure:
        fail(failure)
    except NotFound:
        raise click.ClickException(f"There is no chapter {query.chapter}.") from None


def _query(**raw) -> MailingQuery:
    try:
        return scope.parse_query({k: v for k, v in raw.items() if v is not None})
    except ValidationFailed as failure:
        fail(failure)


def _open_output(output: str | None):
    return open(output, "wb") if output else sys.stdout.buffer


@export_cli.command("mailings")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx", "json", "osdi"]),
    default="csv",
    show_default=True,
    help="osdi: OSDI outreaches (JSON) for Action Network or CiviCRM.",
)
@_filter_options
def export_mailings(fmt: str, output: str | None, **raw):
    """Export mailings, one per row, in id order.

    CSV and JSON go to standard output unless -o names a file; XLSX always goes
    to a file (by default named after the campaign and today's date).
    """
    query = _query(**raw)
    user = operator()
    with db.new_session() as session:
        filters = _resolve(session, user, query)
        rows = report_rows.export_rows(
            session, user=user, filters=filters, with_created_at=fmt == "osdi"
        )
        audit.record("export", file=f"mailings.{fmt}", filters=_given(raw))
        if fmt == "xlsx":
            path = output or formats.filename("mailings", query, dt.date.today(), "xlsx")
            count = formats.write_xlsx(rows, path)
            click.echo(f"Wrote {count} mailings to {path}.", err=True)
            return
        chunks = {
            "csv": formats.csv_chunks,
            "json": formats.json_chunks,
            "osdi": lambda r: formats.outreach_chunks(
                r, base_url=current_app.config.get("PUBLIC_BASE_URL") or ""
            ),
        }[fmt](rows)
        stream = _open_output(output)
        try:
            for chunk in chunks:
                stream.write(chunk)
        finally:
            if output:
                stream.close()
            else:
                stream.flush()


@export_cli.command("summary")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv")
@_filter_options
def export_summary(fmt: str, output: str | None, **raw):
    """Export totals per campaign by chapter, channel, country, and postage per currency."""
    query = _query(**raw)
    user = operator()
    with db.new_session() as session:
        filters = _resolve(session, user, query)
        lines = summary.summarize(session, user=user, filters=filters)
    audit.record("export", file=f"summary.{fmt}", filters=_given(raw))
    if fmt == "xlsx":
        path = output or formats.filename("summary", query, dt.date.today(), "xlsx")
        summary.write_summary_xlsx(lines, path)
        click.echo(f"Wrote the summary to {path}.", err=True)
        return
    stream = _open_output(output)
    stream.write(summary.summary_csv(lines))
    if output:
        stream.close()


@import_cli.command("mailings")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--dry-run", is_flag=True, help="Check every line and say what would be made.")
@click.option(
    "--as",
    "as_email",
    metavar="EMAIL",
    help="Import as this account (a coordinator: their chapter only). Default: as staff.",
)
def import_mailings(file: str, dry_run: bool, as_email: str | None):
    """Import a CSV of batches: all lines or none, every bad line named.

    The first line names the columns: campaign, recipient, channel, sender_town,
    sender_country, sent_on, count, and optionally chapter, kind, weight_g. Each
    further line is one batch. Importing the same file again adds nothing.
    """
    user = find_user(as_email)
    if file == "-":
        data = sys.stdin.buffer.read(imports.MAX_IMPORT_BYTES + 1)
    else:
        with Path(file).open("rb") as handle:
            data = handle.read(imports.MAX_IMPORT_BYTES + 1)
    with db.new_session() as session:
        try:
            result = imports.import_mailings(session=session, data=data, user=user, dry_run=dry_run)
        except imports.ImportRefused as refused:
            raise click.ClickException(str(refused)) from None
        except imports.ImportFailed as failed:
            for error in failed.errors:
                click.echo(f"Error: {error}", err=True)
            lines = len({e.line for e in failed.errors})
            click.echo(f"Nothing imported: {lines} of {failed.rows} lines have problems.", err=True)
            raise SystemExit(1) from None
    if not dry_run:
        audit.record(
            "import",
            user_id=user.id,
            file=Path(file).name,
            batches=result.batches,
            mailings=result.mailings,
        )
    verb = "Would create" if dry_run else "Created"
    click.echo(
        f"{verb} {result.batches} batches, {result.mailings} mailings, from {result.rows} lines."
    )
    if result.repeated:
        click.echo(f"{result.repeated} lines were imported before from this file; left alone.")
    for plan in result.plan:
        chapter = plan.chapter or "no chapter"
        click.echo(
            f"  {plan.campaign}  {plan.recipient}  {plan.channel}  {chapter}:"
            f" {plan.lines} lines, {plan.mailings} mailings"
        )
