"""The ``flask`` commands; each one wraps a service."""

import datetime as dt
import json
import sys
from pathlib import Path

import click
from flask import Flask
from flask import current_app
from flask.cli import AppGroup
from flask.cli import with_appcontext
from sqlmodel import select

from app import audit
from app import db
from app import security
from app.services import accounts
from app.services import backup
from app.services import campaigns
from app.services import demo
from app.services import deploy
from app.services import postage
from app.services import rates
from app.services import reports
from app.services import retention
from app.services import totals
from app.services.errors import NotFound
from app.services.errors import ValidationFailed
from models import MailingQuery
from models import Role
from models import User

users_cli = AppGroup("users", help="Manage accounts.")
totals_cli = AppGroup("totals", help="Check or recount the dashboard tallies.")
export_cli = AppGroup("export", help="Export mailings and summaries.")
import_cli = AppGroup("import", help="Import mailings.")
postage_cli = AppGroup("postage", help="Price pieces of post.")
rates_cli = AppGroup("rates", help="Check the published rate tables.")


def init_app(app: Flask) -> None:
    """Add Lettertrail's commands to *app*'s ``flask`` command."""
    app.cli.add_command(demo_command)
    app.cli.add_command(check_deploy)
    app.cli.add_command(users_cli)
    app.cli.add_command(totals_cli)
    app.cli.add_command(export_cli)
    app.cli.add_command(import_cli)
    app.cli.add_command(postage_cli)
    app.cli.add_command(rates_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(purge_command)


def _fail(failure: ValidationFailed) -> None:
    for error in failure.errors:
        click.echo(f"Error: {error.field}: {error.text}", err=True)
    raise SystemExit(1)


@click.command("demo")
@with_appcontext
def demo_command():
    """Load the demo campaign for Azimjan Askarov (safe to run again)."""
    with db.new_session() as session:
        result = demo.load_demo(session=session)
    click.echo(f"Demo campaign: {result.campaign.title} ({result.batches_created} new batches)")
    if result.staff_password:
        click.echo(f"Staff sign-in: {result.staff_email}")
        click.echo(f"One-time password: {result.staff_password}  (you choose a new one)")
    else:
        click.echo(f"Staff account {result.staff_email} exists already.")


@click.command("check-deploy")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    envvar="WEB_CONCURRENCY",
    show_default=True,
    help="How many processes will serve the app (default: WEB_CONCURRENCY, else 1).",
)
@with_appcontext
def check_deploy(workers: int):
    """Check the configuration for production; exit 1 listing each problem."""
    config = dict(current_app.config)
    config["DEBUG"] = current_app.debug or current_app.extensions.get(security.CONFIGURED_DEBUG)
    problems = deploy.deploy_problems(config, workers=workers)
    for problem in problems:
        click.echo(f"Problem: {problem}", err=True)
    if problems:
        raise SystemExit(1)
    click.echo("The configuration is fit for production.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["staff", "coordinator"]), required=True)
@click.option("--chapter", "chapter_slug", help="The coordinator's chapter (its short name).")
@click.password_option("--password", prompt="Password", help="Read from a prompt or stdin.")
def create_user(email: str, role: str, chapter_slug: str | None, password: str):
    """Add an account; the password comes from a prompt (or stdin)."""
    with db.new_session() as session:
        try:
            user = accounts.create_user(
                session=session,
                email=email,
                password=password,
                role=role,
                chapter_slug=chapter_slug,
            )
        except ValidationFailed as failure:
            _fail(failure)
    audit.record("user_created", target=user.id, role=user.role, chapter=chapter_slug)
    click.echo(f"Created {user.role} {user.email}.")


@users_cli.command("token")
@click.argument("email")
@click.option("--label", default="", help="A note saying what the token is for.")
def token(email: str, label: str):
    """Print a new API token for the account with EMAIL."""
    with db.new_session() as session:
        user = session.exec(
            select(User).where(User.email == accounts.normalize_email(email))
        ).first()
        if user is None or not user.active:
            raise click.ClickException(f"No active account {email}.")
        secret = accounts.issue_token(session=session, user=user, label=label)
        audit.record("token_created", target=user.id, label=label)
        click.echo(secret)


# --- reports ---------------------------------------------------------------------------


def _operator() -> User:
    """The person at the command line: they may see everything, as staff may.

    Not stored; a batch it imports has no creator account.
    """
    return User(email="command line", role=Role.STAFF, password_hash="", session_token="")


def _user(email: str | None) -> User:
    if email is None:
        return _operator()
    with db.new_session() as session:
        user = session.exec(
            select(User).where(User.email == accounts.normalize_email(email))
        ).first()
    if user is None or not user.active:
        raise click.ClickException(f"No active account {email}.")
    return user


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
        return reports.resolve(session, user, query)
    except ValidationFailed as failure:
        _fail(failure)
    except NotFound:
        raise click.ClickException(f"There is no chapter {query.chapter}.") from None


def _query(**raw) -> MailingQuery:
    try:
        return reports.parse_query({k: v for k, v in raw.items() if v is not None})
    except ValidationFailed as failure:
        _fail(failure)


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
    user = _operator()
    with db.new_session() as session:
        filters = _resolve(session, user, query)
        rows = reports.export_rows(
            session, user=user, filters=filters, with_created_at=fmt == "osdi"
        )
        audit.record("export", file=f"mailings.{fmt}", filters=_given(raw))
        if fmt == "xlsx":
            path = output or reports.filename("mailings", query, dt.date.today(), "xlsx")
            count = reports.write_xlsx(rows, path)
            click.echo(f"Wrote {count} mailings to {path}.", err=True)
            return
        chunks = {
            "csv": reports.csv_chunks,
            "json": reports.json_chunks,
            "osdi": lambda r: reports.outreach_chunks(
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
    user = _operator()
    with db.new_session() as session:
        filters = _resolve(session, user, query)
        lines = reports.summarize(session, user=user, filters=filters)
    audit.record("export", file=f"summary.{fmt}", filters=_given(raw))
    if fmt == "xlsx":
        path = output or reports.filename("summary", query, dt.date.today(), "xlsx")
        reports.write_summary_xlsx(lines, path)
        click.echo(f"Wrote the summary to {path}.", err=True)
        return
    stream = _open_output(output)
    stream.write(reports.summary_csv(lines))
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
    user = _user(as_email)
    if file == "-":
        data = sys.stdin.buffer.read(reports.MAX_IMPORT_BYTES + 1)
    else:
        with Path(file).open("rb") as handle:
            data = handle.read(reports.MAX_IMPORT_BYTES + 1)
    with db.new_session() as session:
        try:
            result = reports.import_mailings(session=session, data=data, user=user, dry_run=dry_run)
        except reports.ImportRefused as refused:
            raise click.ClickException(str(refused)) from None
        except reports.ImportFailed as failed:
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


@postage_cli.command("quote")
@click.option("--from", "origin", required=True, help="Country posted from (ISO code).")
@click.option("--to", "destination", required=True, help="Destination country (ISO code).")
@click.option("--kind", required=True, type=click.Choice(["postcard", "letter", "large_envelope"]))
@click.option("--weight-g", help="Weight in grams.")
@click.option("--weight-oz", help="Weight in ounces.")
@click.option("--on", "on", help="Posting date, YYYY-MM-DD (default: today).")
@click.option("--nonmachinable", is_flag=True, help="Square, stiff or lumpy envelope.")
@click.option("--option", "options", multiple=True, help="e.g. class=second")
def quote_command(origin, destination, kind, weight_g, weight_oz, on, nonmachinable, options):
    """Print the postage for one piece as JSON (the API's body)."""
    try:
        if weight_g and weight_oz:
            raise ValidationFailed.one("weight_g", "Give --weight-g or --weight-oz, not both.")
        weight = postage.grams_from_ounces(weight_oz) if weight_oz else weight_g
        result = postage.quote(
            origin=origin,
            destination=destination,
            kind=kind,
            weight_g=weight,
            on=on or dt.date.today(),
            nonmachinable=nonmachinable,
            options=postage.parse_options(options),
        )
    except ValidationFailed as failure:
        errors = [{"field": e.field, "message": e.text} for e in failure.errors]
        click.echo(json.dumps({"errors": errors}, ensure_ascii=False), err=True)
        raise SystemExit(1) from None
    except ArithmeticError:
        click.echo(
            json.dumps({"errors": [{"field": "weight_oz", "message": "Not a number."}]}), err=True
        )
        raise SystemExit(1) from None
    click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))


@rates_cli.command("check")
def check_command():
    """Validate every rate table and list the destinations each operator leaves uncovered."""
    report = rates.check_rate_tables()
    click.echo(f"{len(report.tables)} price lists, {len(report.zone_maps)} zone maps.")
    for problem in report.problems:
        click.echo(f"PROBLEM {problem.path}: {problem.message}")
    for table, note in report.notes:
        click.echo(f"note {table}: {note}")
    for operator, missing in report.uncovered.items():
        if missing:
            listed = ", ".join(f"{u.code} ({u.reason})" for u in missing[:40])
            more = f" and {len(missing) - 40} more" if len(missing) > 40 else ""
            click.echo(f"{operator} does not cover {len(missing)}: {listed}{more}")
        else:
            click.echo(f"{operator} covers every destination.")
    if not report.ok:
        raise SystemExit(1)
    click.echo("All rate tables are valid.")


def _campaign_id(session, slug: str | None) -> int | None:
    if not slug:
        return None
    try:
        return campaigns.get_campaign(session, slug).id
    except NotFound:
        raise click.ClickException(f"No campaign {slug}.") from None


@totals_cli.command("check")
@click.option("--campaign", "slug", help="Only this campaign (its short name).")
def totals_check(slug: str | None):
    """Compare the tallies with a direct count of the mailings; exit 1 if they differ."""
    with db.new_session() as session:
        found = totals.differences(session, _campaign_id(session, slug))
    for line in found:
        click.echo(line, err=True)
    if found:
        raise SystemExit(1)
    click.echo("The tallies match the mailings.")


@totals_cli.command("rebuild")
@click.option("--campaign", "slug", help="Only this campaign (its short name).")
def totals_rebuild(slug: str | None):
    """Recount the tallies from the mailings (after a bulk load or a restore)."""
    with db.new_session() as session:
        totals.rebuild(session, _campaign_id(session, slug))
    audit.record("totals_rebuilt", campaign=slug)
    click.echo("Tallies recounted.")


@click.command("backup")
@click.argument("dest", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Replace DEST if it exists.")
@with_appcontext
def backup_command(dest: str, force: bool):
    """Copy the SQLite database to DEST while the app keeps running.

    The copy is consistent (SQLite's online backup API) and passes an integrity check
    before it gets its name. On PostgreSQL this exits 1 and points to pg_dump.
    """
    try:
        source = backup.sqlite_path(current_app.config["DATABASE_URL"])
        result = backup.backup_sqlite(source, Path(dest), force=force)
    except backup.BackupRefused as refused:
        raise click.ClickException(str(refused)) from None
    audit.record("backup", path=str(result.path))
    click.echo(f"Backed up {source} to {result.path} ({result.bytes} bytes); integrity ok.")


@click.command("purge")
@click.option(
    "--older-than",
    "age",
    required=True,
    metavar="AGE",
    help="Delete mailings sent before this age: 24m (months) or 365d (days).",
)
@click.option("--dry-run", is_flag=True, help="Say what would be deleted; delete nothing.")
@with_appcontext
def purge_command(age: str, dry_run: bool):
    """Delete old mailings, their events and emptied batches; keep every total.

    One transaction. The campaign and chapter totals (counters, dashboard, API) do not
    change, and `flask totals check` / `rebuild` keep counting the purged mailings.
    """
    try:
        before = retention.cutoff(age, dt.datetime.now(dt.UTC).date())
    except ValidationFailed as failure:
        _fail(failure)
    with db.new_session() as session:
        result = retention.purge(session, before=before, dry_run=dry_run)
    if not dry_run:
        audit.record(
            "purge",
            before=result.before,
            mailings=result.mailings,
            events=result.events,
            batches=result.batches,
        )
    verb = "Would delete" if dry_run else "Deleted"
    click.echo(
        f"{verb} {result.mailings} mailings sent before {result.before.isoformat()},"
        f" {result.events} status events and {result.batches} emptied batches."
    )
    for slug, count in result.by_campaign.items():
        click.echo(f"  {slug}: {count} mailings")
    click.echo("Campaign and chapter totals are unchanged.")
