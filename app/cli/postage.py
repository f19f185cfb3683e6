"""Postage commands: price one piece, check the published rate tables."""

import datetime as dt
import json

import click
from flask.cli import AppGroup

from app.services import postage
from app.services import rates
from app.services.errors import ValidationFailed

postage_cli = AppGroup("postage", help="Price pieces of post.")
rates_cli = AppGroup("rates", help="Check the published rate tables.")


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
