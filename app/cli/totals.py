"""Tally commands: compare the dashboard tallies with the mailings, or recount them."""

import click
from flask.cli import AppGroup

from app import audit
from app import db
from app.services import campaigns
from app.services.errors import NotFound
from app.services.totals import tallies

totals_cli = AppGroup("totals", help="Check or recount the dashboard tallies.")


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
        found = tallies.differences(session, _campaign_id(session, slug))
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
        tallies.rebuild(session, _campaign_id(session, slug))
    audit.record("totals_rebuilt", campaign=slug)
    click.echo("Tallies recounted.")
