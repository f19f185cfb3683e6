"""The ``flask`` commands; each one wraps a service."""

import datetime as dt
import json

import click
from flask import Flask
from flask.cli import AppGroup
from flask.cli import with_appcontext
from sqlmodel import select

from app import db
from app.services import accounts
from app.services import demo
from app.services import postage
from app.services import rates
from app.services.errors import ValidationFailed
from models import User

users_cli = AppGroup("users", help="Manage accounts.")
postage_cli = AppGroup("postage", help="Price pieces of post.")
rates_cli = AppGroup("rates", help="Check the published rate tables.")


def init_app(app: Flask) -> None:
    """Add Lettertrail's commands to *app*'s ``flask`` command."""
    app.cli.add_command(demo_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(postage_cli)
    app.cli.add_command(rates_cli)


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
