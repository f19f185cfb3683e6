"""ISO 3166-1 alpha-2 country codes and their names; the only module that imports pycountry.

Codes are stored inside the app; names appear only at the edges, in the reader's
language (Babel's CLDR names), falling back to pycountry's English name.
"""

import functools
import unicodedata

import pycountry
from babel import Locale

# Kosovo has no ISO 3166-1 entry but a user-assigned code that postal operators use.
_EXTRA = {"XK": "Kosovo"}


@functools.cache
def _english_names() -> dict[str, str]:
    names = {c.alpha_2: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    names.update(_EXTRA)
    return names


def is_country(code: str | None) -> bool:
    """Tell whether *code* is a known alpha-2 country code (upper case)."""
    return bool(code) and code in _english_names()


def normalize(code: str | None) -> str | None:
    """Return *code* upper-cased and stripped if it names a country, else ``None``."""
    if not code:
        return None
    code = code.strip().upper()
    return code if is_country(code) else None


def country_name(code: str, locale: str = "en") -> str:
    """Return the name of a country in *locale*, or the code itself if unknown."""
    try:
        name = Locale.parse(locale).territories.get(code)
    except (ValueError, TypeError):
        name = None
    return name or _english_names().get(code, code)


@functools.cache
def country_choices(locale: str = "en") -> tuple[tuple[str, str], ...]:
    """Return ``(code, name)`` pairs for every country, sorted by name in *locale*."""

    def key(pair: tuple[str, str]) -> str:
        folded = unicodedata.normalize("NFKD", pair[1].casefold())
        return "".join(ch for ch in folded if not unicodedata.combining(ch))

    return tuple(sorted(((c, country_name(c, locale)) for c in _english_names()), key=key))


def all_codes() -> frozenset[str]:
    """Return every country code Lettertrail accepts."""
    return frozenset(_english_names())
