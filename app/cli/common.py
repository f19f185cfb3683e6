"""What every command shares: failing with the service's messages, and who runs it."""

import click
from sqlmodel import select

from app import db
from app.services import accounts
from app.services.errors import ValidationFailed
from models import Role
from models import User


def fail(failure: ValidationFailed) -> None:
    for error in failure.errors:
        click.echo(f"Error: {error.field}: {error.text}", err=True)
    raise SystemExit(1)


def operator() -> User:
    """The person at the command line: they may see everything, as staff may.

    Not stored; a batch it imports has no creator account.
    """
    return User(email="command line", role=Role.STAFF, password_hash="", session_token="")


def find_user(email: str | None) -> User:
    if email is None:
        return operator()
    with db.new_session() as session:
        user = session.exec(
            select(User).where(User.email == accounts.normalize_email(email))
        ).first()
    if user is None or not user.active:
        raise click.ClickException(f"No active account {email}.")
    return user
