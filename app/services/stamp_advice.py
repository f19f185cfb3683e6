"""Stamp advice: which stamps pay a price, as a sentence to write in any language.

:func:`advise` works it out for a price (``Quote.stamp_advice``): an English template
marked with ``N_``, filled from a count, a stamp name as the rate table writes it and sums
of money. :attr:`StampAdvice.text` is the English sentence (``Quote.stamps``, in the JSON
API and CLI bodies); :func:`stamps_text` writes it in the reader's language with the
gettext functions the views pass in, and the money formatted by Babel for their locale.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from babel.numbers import format_currency

from app.services import stamp_names
from app.services.errors import N_
from app.services.rates import Stamp

# Fields: ``total`` (the whole price), ``value`` (what one face-value stamp pays) and
# ``rest`` (what other stamps must add) are sums of money; ``count`` is how many stamps;
# ``stamp`` is a stamp's name from app/services/stamp_names.py, singular or plural by count.
# TRANSLATORS: "€1.25 in stamps": no particular stamp pays this price.
IN_STAMPS = N_("%(total)s in stamps")
# TRANSLATORS: "CA$0.87 postage meter imprint".
IMPRINT = N_("%(total)s %(stamp)s")
# TRANSLATORS: "3 Global Forever stamps".
COUNTED = N_("%(count)s %(stamp)s")
# TRANSLATORS: "1 Global Forever stamp + $0.30 in other stamps".
COUNTED_AND_REST = N_("%(count)s %(stamp)s + %(rest)s in other stamps")
# TRANSLATORS: "£3.20 international stamp": one stamp of that face value.
ONE_FACE = N_("%(value)s %(stamp)s")
# TRANSLATORS: "£3.20 international stamp + £0.40 in other stamps".
ONE_FACE_AND_REST = N_("%(value)s %(stamp)s + %(rest)s in other stamps")
# TRANSLATORS: "2 × £3.20 international stamps".
MANY_FACE = N_("%(count)s × %(value)s %(stamp)s")
# TRANSLATORS: "2 × £3.20 international stamps + £0.40 in other stamps".
MANY_FACE_AND_REST = N_("%(count)s × %(value)s %(stamp)s + %(rest)s in other stamps")


@dataclass(frozen=True, slots=True)
class Money:
    """A sum in one currency, written out only for a reader's locale."""

    amount: Decimal
    currency: str  # ISO 4217

    def format(self, locale: str) -> str:
        """Write the sum as *locale* writes money: "$1.70", "1,70 $US", "1,70 US$"."""
        return format_currency(self.amount, self.currency, locale=locale)


@dataclass(frozen=True, slots=True)
class StampAdvice:
    """Which stamps pay a price: ``message`` (an ``N_`` template above) and its fields."""

    message: str
    count: int = 1  # how many stamps; picks the stamp name's singular or plural
    stamp: str | None = None  # the name as the rate table writes it: "Global Forever stamp"
    total: Money | None = None
    value: Money | None = None
    rest: Money | None = None

    @property
    def params(self) -> dict[str, object]:
        """The fields that fill ``message``, as they are: sums as :class:`Money`, the stamp
        by its English name. :func:`stamps_text` writes them for a locale."""
        fields = {
            # A count says how many of a named stamp; without one there is nothing to count.
            "count": self.count if self.stamp is not None else None,
            "stamp": self.stamp,
            "total": self.total,
            "value": self.value,
            "rest": self.rest,
        }
        return {name: value for name, value in fields.items() if value is not None}

    @property
    def text(self) -> str:
        """The advice in English: "2 Global Forever stamps"."""
        return _english(self)


class Advised(Protocol):
    """Anything that carries stamp advice, such as ``app.services.postage.Quote``."""

    @property
    def stamp_advice(self) -> StampAdvice: ...


def stamps_text(
    advice: StampAdvice | Advised,
    *,
    gettext: Callable[[str], str],
    ngettext: Callable[[str, str, int], str],
    locale: str,
) -> str:
    """Write *advice* (a :class:`StampAdvice`, or a quote's) in the reader's language.

    *gettext* and *ngettext* translate into that language, and *locale* ("fr") formats its
    money; in a view, Flask-Babel's::

        stamps_text(quote, gettext=gettext, ngettext=ngettext, locale=str(get_locale()))
    """
    if not isinstance(advice, StampAdvice):
        advice = advice.stamp_advice
    shown = {
        name: value.format(locale) if isinstance(value, Money) else value
        for name, value in advice.params.items()
    }
    if advice.stamp is not None:
        singular, plural = stamp_names.forms(advice.stamp)
        shown["stamp"] = ngettext(singular, plural, advice.count)
    return gettext(advice.message) % shown


def advise(stamp: Stamp | None, *, amount_minor: int, currency: str, exponent: int) -> StampAdvice:
    """Say which stamps pay *amount_minor* (in the currency's minor unit), given the stamp
    the rate table names for the product, if any."""

    def money(minor: int) -> Money:
        return Money(Decimal(minor).scaleb(-exponent), currency)

    total = money(amount_minor)
    if stamp is None:
        return StampAdvice(IN_STAMPS, total=total)
    if stamp.style == "imprint":
        return StampAdvice(IMPRINT, stamp=stamp.name, total=total)
    count, rest = divmod(amount_minor, stamp.value_minor)
    if count == 0:
        # The stamp alone pays more than the price: say the price, not which stamp.
        return StampAdvice(IN_STAMPS, total=total)
    if stamp.style == "face":
        value = money(stamp.value_minor)
        if count == 1:
            message = ONE_FACE_AND_REST if rest else ONE_FACE
        else:
            message = MANY_FACE_AND_REST if rest else MANY_FACE
        return StampAdvice(
            message, count=count, stamp=stamp.name, value=value, rest=money(rest) if rest else None
        )
    message = COUNTED_AND_REST if rest else COUNTED
    return StampAdvice(message, count=count, stamp=stamp.name, rest=money(rest) if rest else None)


def _as_written(message: str) -> str:
    return message


def _english_plural(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


def _english(advice: StampAdvice) -> str:
    return stamps_text(advice, gettext=_as_written, ngettext=_english_plural, locale="en")
