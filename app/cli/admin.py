"""Administration commands: the demo, the deployment check, accounts, backups and purges."""

import datetime as dt
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask.cli import with_appcontext
from sqlmodel import select

from app import audit
from app import db
from app import security
from app.cli.common import fail
from app.services import accounts
from app.services import backup
from app.services import demo
from app.services import deploy
from app.services import retention
from app.services.errors import ValidationFailed
from models import User

users_cli = AppGroup("users", help="Manage accounts.")


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
            fail(failure)
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
        fail(failure)
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
