"""The ``flask`` commands; each one wraps a service."""

import click
from flask import Flask
from flask.cli import AppGroup
from flask.cli import with_appcontext
from sqlmodel import select

from app import db
from app.services import accounts
from app.services import campaigns
from app.services import demo
from app.services import totals
from app.services.errors import NotFound
from app.services.errors import ValidationFailed
from models import User

users_cli = AppGroup("users", help="Manage accounts.")
totals_cli = AppGroup("totals", help="Check or recount the dashboard tallies.")


def init_app(app: Flask) -> None:
    """Add Lettertrail's commands to *app*'s ``flask`` command."""
    app.cli.add_command(demo_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(totals_cli)


def _fail(failure: ValidationFailed) -> None:
    for error in failure.errors:
        click.echo(f"Error: {error.field}: {error.message}", err=True)
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
        click.echo(accounts.issue_token(session=session, user=user, label=label))


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
    click.echo("Tallies recounted.")
