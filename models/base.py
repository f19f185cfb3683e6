"""Shared pieces of the SQLModel tables: the metadata naming convention and time helpers."""

import datetime as dt

from sqlmodel import SQLModel

# Constraint names must be stable for Alembic (and SQLite batch mode) to find them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = SQLModel.metadata


def N_(message: str) -> str:  # noqa: N802 - the name gettext's tools look for
    """Mark *message* for translation; the views translate it where it is shown."""
    return message


def utcnow() -> dt.datetime:
    """Return the current time, timezone-aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def storable_text(value):
    """Refuse text a database cannot store (a NUL, or a lone surrogate from JSON escapes).

    PostgreSQL refuses NUL in text, and neither backend can encode a lone surrogate:
    refused here, such input is a 422 at the boundary rather than a 500 at the insert.
    """
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError(N_("Remove the NUL character."))
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(N_("Use text without lone surrogate characters.")) from None
    return value
