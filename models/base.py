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


# Characters that show nothing yet change the text. Zero-width spaces, the word joiner,
# a byte-order mark and soft hyphens split "Bish\u200bkek" from "Bishkek". The
# bidirectional controls reorder what a page shows around them: after U+202E (RIGHT-TO-
# LEFT OVERRIDE) the rest of a line reads backwards, so a town could disguise its
# neighbours. Control characters other than tab and line breaks print nothing. The
# joiners U+200C and U+200D stay: Persian, Indic scripts and emoji sequences need them.
_INVISIBLE = dict.fromkeys(
    [
        *range(0x01, 0x09),  # C0 controls, but NUL (refused below), tab and line breaks
        0x0B,
        0x0C,
        *range(0x0E, 0x20),
        *range(0x7F, 0xA0),  # DEL and the C1 controls
        0xAD,  # soft hyphen
        0x061C,  # Arabic letter mark
        0x180E,  # Mongolian vowel separator
        0x200B,  # zero-width space
        0x200E,  # left-to-right mark
        0x200F,  # right-to-left mark
        *range(0x202A, 0x202F),  # embeddings, overrides and their end (PDF)
        *range(0x2060, 0x2065),  # word joiner, invisible operators
        *range(0x2066, 0x206A),  # isolates and their end (PDI)
        0xFEFF,  # byte-order mark, zero-width no-break space
    ]
)


def drop_invisible(value):
    """Remove the characters that show nothing but split or reorder text (see above).

    Applied to every free-text field before it is checked, so a name made only of such
    characters is as empty as a blank one.
    """
    return value.translate(_INVISIBLE) if isinstance(value, str) else value


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
