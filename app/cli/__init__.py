"""The ``flask`` commands; each one wraps a service."""

from flask import Flask

from app.cli import admin
from app.cli import postage
from app.cli import reports
from app.cli import totals


def init_app(app: Flask) -> None:
    """Add Lettertrail's commands to *app*'s ``flask`` command."""
    app.cli.add_command(admin.demo_command)
    app.cli.add_command(admin.check_deploy)
    app.cli.add_command(admin.users_cli)
    app.cli.add_command(totals.totals_cli)
    app.cli.add_command(reports.export_cli)
    app.cli.add_command(reports.import_cli)
    app.cli.add_command(postage.postage_cli)
    app.cli.add_command(postage.rates_cli)
    app.cli.add_command(admin.backup_command)
    app.cli.add_command(admin.purge_command)
