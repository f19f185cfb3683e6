"""Money: amounts are stored as whole minor units (cents) beside their ISO 4217 currency."""

import functools
from decimal import Decimal

from babel.numbers import get_currency_precision


@functools.cache
def _places(currency: str) -> int:
    return get_currency_precision(currency)


def amount(minor: int, currency: str) -> Decimal:
    """Return *minor* units of *currency* as a Decimal (340, "USD" → 3.40)."""
    return Decimal(minor).scaleb(-_places(currency))
