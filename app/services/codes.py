"""Mailing codes: 10 characters of Crockford base32 (50 random bits from ``secrets``)."""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 10
# Crockford's decoding: look-alike letters read as the digits people meant.
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0", "-": None, " ": None})


def new_code() -> str:
    """Return a fresh random code, e.g. ``7KQ2M9XA3P``."""
    bits = secrets.randbits(5 * LENGTH)
    return "".join(ALPHABET[(bits >> (5 * i)) & 31] for i in range(LENGTH))


def normalize_code(text: str) -> str | None:
    """Read a code as typed or scanned: any case, with or without dashes or spaces.

    Returns the canonical code, or ``None`` if *text* cannot be one.
    """
    code = text.strip().upper().translate(_READ_AS)
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def format_code(code: str) -> str:
    """Group a code for reading aloud and typing: ``7KQ2-M9XA-3P``."""
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"
