"""Price one piece of post from the published rate tables: pure, and quick enough per mailing.

:func:`quote` is what the JSON API (``GET /api/v1/postage/quote``), ``flask postage
quote``, the calculator pages and mailing logging call. Bad input raises
:class:`~app.services.errors.ValidationFailed` naming the API parameter; a valid piece that
no published price covers raises :class:`NoPublishedPrice`, which mailing logging catches
to store the piece as "postage unknown" with its message.

Every message is an English template marked with ``N_`` and filled from its error's
params (see :mod:`app.services.errors`): ``operator`` is the operator's name (a proper
noun), ``from_country``/``to_country`` ISO codes, dates ISO strings, weights neutral
strings ("3.5 oz"), and ``value`` what was typed. A sentence that names the kind of piece
is written out once per kind, so translators can agree articles and plurals. A quote's
``stamps`` and ``weight_step`` are English (the API's body); ``stamp_advice`` (for
:func:`app.services.stamp_advice.stamps_text`) and ``weight_step_message`` are the same in
a form to translate.
"""

import bisect
import datetime as dt
import functools
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from decimal import InvalidOperation
from decimal import localcontext

from app.services import countries
from app.services.errors import N_
from app.services.errors import FieldError
from app.services.errors import ValidationFailed
from app.services.rates import OUNCE_G
from app.services.rates import Operator
from app.services.rates import RateBook
from app.services.rates import RateTable
from app.services.rates import Stamp
from app.services.rates import load_rate_book
from app.services.rates import step_message
from app.services.stamp_advice import Money
from app.services.stamp_advice import StampAdvice
from app.services.stamp_advice import advise
from models.mailing import Channel
from models.mailing import Kind

# The heaviest piece the app accepts at all, as models.mailing.MailingBatchCreate does;
# heavier than an operator takes but lighter than this is "no published price".
MAX_WEIGHT_G = Decimal(5000)
NONMACHINABLE = "nonmachinable"

_KINDS = {k.value: k.value for k in Kind}

# A card in an envelope weighs about 15-20 g; an A4 drawing sent flat in a C4 envelope with
# a stiffener about 50 g. Coordinators change these on the form when they know better.
_DEFAULT_PIECES = {
    Channel.LETTER: (Kind.LETTER, Decimal(20)),
    Channel.POSTCARD: (Kind.POSTCARD, Decimal(5)),
    Channel.CARD: (Kind.LETTER, Decimal(20)),
    Channel.DRAWING: (Kind.LARGE_ENVELOPE, Decimal(50)),
}


class NoPublishedPrice(ValidationFailed):
    """The input is valid, but no published price covers the piece: too heavy for its
    kind, no service to that country, no table for that date or origin, or a partial table
    without it. ``errors[0]`` says which, as a template and params to translate;
    ``message`` is that in English, as a mailing stores it in ``postage_note``."""

    @property
    def message(self) -> str:
        return self.errors[0].text


@dataclass(frozen=True, slots=True)
class Quote:
    """The price of one piece, and the published table it comes from."""

    amount: Decimal
    amount_minor: int
    currency: str
    operator: str  # "usps"
    product: str  # "First-Class Mail International letter"
    zone: str  # "6", "domestic", "international"
    weight_step: str  # "up to 1 oz"
    effective_from: dt.date
    source: str
    confidence: str  # "A" or "B", as FACTS.md rates the figure
    table: str  # "usps/2025-07-13": what a mailing stores with its price
    stamps: str  # "1 Global Forever stamp": stamp_advice in English
    stamp_advice: StampAdvice  # for stamp_advice.stamps_text() in the reader's language
    weight_limit: str | None  # "1 oz", the step's bound; None for a step of any weight

    @property
    def weight_step_message(self) -> tuple[str, dict[str, str]]:
        """``weight_step`` as a template and params, for ``app.i18n.translate(*…)``."""
        return step_message(self.weight_limit)

    def to_dict(self) -> dict[str, str | int]:
        """Return the quote body of DESIGN.md §4 (plus ``table`` and ``confidence``)."""
        return {
            "amount": str(self.amount),
            "amount_minor": self.amount_minor,
            "currency": self.currency,
            "operator": self.operator,
            "product": self.product,
            "zone": self.zone,
            "weight_step": self.weight_step,
            "effective_from": self.effective_from.isoformat(),
            "source": self.source,
            "stamps": self.stamps,
            "table": self.table,
            "confidence": self.confidence,
        }


def quote(
    *,
    origin: str,
    destination: str,
    kind: str,
    weight_g: Decimal,
    on: dt.date,
    nonmachinable: bool = False,
    options: Mapping[str, str] | None = None,
    book: RateBook | None = None,
) -> Quote:
    """Price one piece posted in *origin* to *destination* on the day *on*.

    *origin* and *destination* are ISO alpha-2 codes (any case); *kind* is ``postcard``,
    ``letter`` or ``large_envelope``; *weight_g* is grams as a ``Decimal`` (an ``int`` or a
    numeric string is accepted too), compared exactly with each "weight not over" step, so
    a weight equal to a step's bound belongs to that step. *nonmachinable* adds the
    operator's surcharge for letters where it has one (USPS) and changes nothing
    elsewhere. *options* such as ``{"class": "second"}`` (Royal Mail) or
    ``{"purchase": "single"}`` (Canada Post) override the operator's defaults; see
    :func:`parse_options` for ``class=second`` strings. *book* defaults to the tables
    shipped in ``app/data/rates``.

    :raises ValidationFailed: for bad input, one error per field, named ``from``, ``to``,
        ``kind``, ``weight_g``, ``on`` or ``option``.
    :raises NoPublishedPrice: if the piece is valid but no published price covers it;
        the field is the input that would have to change.
    """
    errors = []
    origin = _country(errors, "from", origin)
    destination = _country(errors, "to", destination)
    kind = _kind(errors, kind)
    weight_g = _weight(errors, weight_g)
    on = _date(errors, on)
    if errors:
        raise ValidationFailed(errors)
    if book is None:
        book = load_rate_book()

    op = book.by_origin.get(origin)
    if op is None:
        raise NoPublishedPrice.one(
            "from",
            N_("Lettertrail has no postage prices for post from %(from_country)s"),
            from_country=origin,
        )
    combo = _combo(op, options) if options else op.default_options
    table = op.table_on(on)
    if table is None:
        raise NoPublishedPrice.one(
            "on",
            N_("Lettertrail has no %(operator)s prices for %(date)s; they start on %(first_date)s"),
            operator=op.name,
            date=on.isoformat(),
            first_date=op.dates[0].isoformat(),
        )
    if table.valid_until is not None and on > table.valid_until:
        raise NoPublishedPrice.one(
            "on",
            N_(
                "Lettertrail has no %(operator)s prices for %(date)s; the table of "
                "%(table_date)s is known to hold only until %(until_date)s"
            ),
            operator=op.name,
            date=on.isoformat(),
            table_date=table.effective_from.isoformat(),
            until_date=table.valid_until.isoformat(),
        )
    zone = table.zone_map.lookup.get(destination)
    if zone is None:
        raise _no_zone(op, table, destination)
    prices = table.prices.get((kind, zone, combo))
    if prices is None:
        raise _not_priced(op, table, kind, zone, combo, destination, on)
    i = bisect.bisect_left(prices.bounds, weight_g)
    if i == len(prices.steps):
        raise _too_heavy(op, table, kind, zone, combo, destination, on, weight_g)
    step = prices.steps[i]

    amount_minor, amount, product = step.amount_minor, step.amount, step.product
    if nonmachinable and kind in op.surcharge_kinds.get(NONMACHINABLE, ()):
        surcharge = table.surcharges.get((NONMACHINABLE, kind, zone))
        if surcharge is None:
            raise NoPublishedPrice.one(
                "nonmachinable",
                _NO_SURCHARGE[kind],
                operator=op.name,
                to_country=destination,
                date=on.isoformat(),
            )
        amount_minor += surcharge.amount_minor
        amount = Decimal(amount_minor).scaleb(-op.exponent)
        extra = _money(surcharge.amount_minor, op.currency, op.exponent)
        product = f"{product}, nonmachinable (+{extra})"
    advice, stamps = _stamps(step.stamp, amount_minor, op.currency, op.exponent)
    return Quote(
        amount=amount,
        amount_minor=amount_minor,
        currency=op.currency,
        operator=op.id,
        product=product,
        zone=zone,
        weight_step=step.label,
        effective_from=table.effective_from,
        source=step.source,
        confidence=step.confidence,
        table=table.id,
        stamps=stamps,
        stamp_advice=advice,
        weight_limit=step.limit,
    )


def grams_from_ounces(ounces: Decimal) -> Decimal:
    """Convert avoirdupois ounces to grams exactly (1 oz = 28.349523125 g).

    *ounces* is a ``Decimal`` (an ``int`` or a numeric string is accepted too), e.g. the
    API's ``weight_oz``; the result is never rounded.

    :raises TypeError: if *ounces* is a float, which cannot hold most weights exactly.
    :raises decimal.InvalidOperation: if *ounces* is a string that is not a number.
    """
    if isinstance(ounces, float):
        raise TypeError("give ounces as a Decimal, an int or a string, not a float")
    ounces = Decimal(ounces)
    with localcontext() as ctx:
        # Enough digits that the product is never rounded.
        ctx.prec = len(ounces.as_tuple().digits) + len(OUNCE_G.as_tuple().digits) + 2
        return ounces * OUNCE_G


def default_piece(channel: Channel | str) -> tuple[Kind, Decimal] | None:
    """Return the kind and weight (g) to price a mailing of *channel* by default.

    A letter is a 20 g letter, a greeting card a letter too (a card in an envelope), a
    postcard a bare card, a drawing a large envelope; fax and email have no postage (None).

    :raises ValidationFailed: if *channel* is not a channel (field ``channel``).
    """
    try:
        channel = Channel(channel)
    except ValueError:
        raise ValidationFailed.one(
            "channel", N_("“%(value)s” is not a channel"), value=channel
        ) from None
    return _DEFAULT_PIECES.get(channel)


def parse_options(pairs: Iterable[str]) -> dict[str, str]:
    """Turn ``["class=second"]`` (the API's and CLI's ``option``) into ``{"class": "second"}``.

    Names and values are checked against the operator by :func:`quote`, not here.

    :raises ValidationFailed: if a pair is not ``name=value`` or names an option twice
        (field ``option``).
    """
    options = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name, value = name.strip().lower(), value.strip().lower()
        if not sep or not name or not value:
            raise ValidationFailed.one(
                "option", N_("“%(value)s” is not name=value, e.g. class=second"), value=pair
            )
        if name in options:
            raise ValidationFailed.one("option", N_("%(option)s is given twice"), option=name)
        options[name] = value
    return options


# Input ------------------------------------------------------------------------------------


def _country(errors: list[FieldError], field: str, value) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.append(FieldError(field, N_("Give a country (an ISO code such as KG)")))
        return None
    code = countries.normalize(value) if isinstance(value, str) else None
    if code is None:
        # Not "*country": what was typed is not a code to look a name up by.
        message = N_("“%(value)s” is not a country code Lettertrail knows")
        errors.append(FieldError(field, message, {"value": value}))
    return code


def _kind(errors: list[FieldError], value) -> str | None:
    kind = _KINDS.get(value) if isinstance(value, str) else None
    if kind is None:
        # The kinds are named as the API spells them, so they stay as they are.
        message = N_("“%(value)s” is not a kind of post: postcard, letter or large_envelope")
        errors.append(FieldError("kind", message, {"value": value}))
    return kind


def _weight(errors: list[FieldError], value) -> Decimal | None:
    weight = None
    # Floats cannot hold most gram weights exactly, and booleans are not weights.
    if isinstance(value, Decimal):
        weight = value
    elif isinstance(value, int | str) and not isinstance(value, bool):
        try:
            weight = Decimal(value.strip() if isinstance(value, str) else value)
        except InvalidOperation:
            weight = None
    if weight is None or not weight.is_finite():
        errors.append(FieldError("weight_g", N_("Give the weight in grams as a number, e.g. 20")))
        return None
    if weight <= 0:
        errors.append(FieldError("weight_g", N_("The weight must be more than 0 g")))
        return None
    if weight > MAX_WEIGHT_G:
        message = N_("No letter or card weighs over %(max_g)s g")
        errors.append(FieldError("weight_g", message, {"max_g": str(MAX_WEIGHT_G)}))
        return None
    return weight


def _date(errors: list[FieldError], value) -> dt.date | None:
    # A timestamp's date depends on a time zone; the posting day is a calendar date.
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors.append(FieldError("on", N_("Give the day of posting as a date (YYYY-MM-DD)")))
    return None


def _combo(op: Operator, options: Mapping[str, str]) -> tuple[str, ...]:
    chosen = dict(zip(op.options, op.default_options, strict=True))
    for name, value in options.items():
        # Forms and the command line may send "Second" or " second".
        name, value = str(name).strip().lower(), str(value).strip().lower()
        option = op.options.get(name)
        if option is None:
            if not op.options:
                raise ValidationFailed.one(
                    "option",
                    N_("%(operator)s has no option “%(option)s”"),
                    operator=op.name,
                    option=name,
                )
            raise ValidationFailed.one(
                "option",
                N_("%(operator)s has no option “%(option)s”; it has %(options)s"),
                operator=op.name,
                option=name,
                # Option names are API words (class=second), listed as they are typed.
                options=", ".join(op.options),
            )
        if value not in option.values:
            raise _bad_option_value(op, name, option.values, value)
        chosen[name] = value
    return tuple(chosen.values())


# "first or second": a sentence per number of values, as "or" is a word to translate. The
# shipped operators have two or three; more are listed with commas.
_MUST_BE = {
    1: N_("%(operator)s %(option)s must be %(choice1)s, not “%(value)s”"),
    2: N_("%(operator)s %(option)s must be %(choice1)s or %(choice2)s, not “%(value)s”"),
    3: N_(
        "%(operator)s %(option)s must be %(choice1)s or %(choice2)s or %(choice3)s, not “%(value)s”"
    ),
}
_MUST_BE_ONE_OF = N_("%(operator)s %(option)s must be one of %(choices)s, not “%(value)s”")


def _bad_option_value(op: Operator, name: str, values: tuple[str, ...], value: str):
    params = {"operator": op.name, "option": name, "value": value}
    if len(values) in _MUST_BE:
        params |= {f"choice{i}": v for i, v in enumerate(values, start=1)}
        return ValidationFailed.one("option", _MUST_BE[len(values)], **params)
    return ValidationFailed.one("option", _MUST_BE_ONE_OF, choices=", ".join(values), **params)


# Refusals (the slow path: only here are sentences chosen and weights written) ---------------

_NO_SERVICE = N_("%(operator)s has no service to %(to_country)s")
_NOT_MAPPED = N_("Lettertrail has no %(operator)s price for post to %(to_country)s")
_NO_PRICE_TO = N_("%(operator)s publishes no price for post to %(to_country)s on %(date)s")

# Sentences that name the kind of piece, one per kind ("a letter", "une lettre", "un sobre").
_NO_SURCHARGE = {
    "postcard": N_(
        "%(operator)s publishes no nonmachinable surcharge for a postcard to %(to_country)s "
        "on %(date)s"
    ),
    "letter": N_(
        "%(operator)s publishes no nonmachinable surcharge for a letter to %(to_country)s "
        "on %(date)s"
    ),
    "large_envelope": N_(
        "%(operator)s publishes no nonmachinable surcharge for a large envelope to "
        "%(to_country)s on %(date)s"
    ),
}
_NO_PRICE_WITH_OPTIONS = {
    "postcard": N_(
        "%(operator)s publishes no price for a postcard to %(to_country)s with %(options)s "
        "on %(date)s"
    ),
    "letter": N_(
        "%(operator)s publishes no price for a letter to %(to_country)s with %(options)s "
        "on %(date)s"
    ),
    "large_envelope": N_(
        "%(operator)s publishes no price for a large envelope to %(to_country)s with "
        "%(options)s on %(date)s"
    ),
}
_NO_PRICE_FOR_KIND = {
    "postcard": N_("%(operator)s publishes no price for a postcard to %(to_country)s on %(date)s"),
    "letter": N_("%(operator)s publishes no price for a letter to %(to_country)s on %(date)s"),
    "large_envelope": N_(
        "%(operator)s publishes no price for a large envelope to %(to_country)s on %(date)s"
    ),
}
_NOT_CARRIED = {
    "postcard": N_("%(operator)s does not carry postcards to %(to_country)s"),
    "letter": N_("%(operator)s does not carry letters to %(to_country)s"),
    "large_envelope": N_("%(operator)s does not carry large envelopes to %(to_country)s"),
}
_TOO_HEAVY_FOR_KNOWN = {
    "postcard": N_(
        "%(operator)s publishes no price for a postcard of %(weight)s to %(to_country)s on "
        "%(date)s; the prices known from %(table_date)s go up to %(heaviest)s"
    ),
    "letter": N_(
        "%(operator)s publishes no price for a letter of %(weight)s to %(to_country)s on "
        "%(date)s; the prices known from %(table_date)s go up to %(heaviest)s"
    ),
    "large_envelope": N_(
        "%(operator)s publishes no price for a large envelope of %(weight)s to "
        "%(to_country)s on %(date)s; the prices known from %(table_date)s go up to "
        "%(heaviest)s"
    ),
}
_TOO_HEAVY = {
    "postcard": N_(
        "%(operator)s takes postcards to %(to_country)s up to %(heaviest)s; "
        "this one weighs %(weight)s"
    ),
    "letter": N_(
        "%(operator)s takes letters to %(to_country)s up to %(heaviest)s; "
        "this one weighs %(weight)s"
    ),
    "large_envelope": N_(
        "%(operator)s takes large envelopes to %(to_country)s up to %(heaviest)s; "
        "this one weighs %(weight)s"
    ),
}
_LETTER_TOO_HEAVY_SEND_LARGE = N_(
    "%(operator)s takes letters to %(to_country)s up to %(heaviest)s; "
    "this one weighs %(weight)s: send it as a large envelope"
)


def _no_zone(op: Operator, table: RateTable, destination: str) -> NoPublishedPrice:
    message = _NO_SERVICE if destination in table.zone_map.not_served else _NOT_MAPPED
    return NoPublishedPrice.one("to", message, operator=op.name, to_country=destination)


def _options_text(op: Operator, combo: tuple[str, ...]) -> str:
    # API words (class=second), written as they are typed.
    return ", ".join(f"{name}={value}" for name, value in zip(op.options, combo, strict=True))


def _not_priced(op, table: RateTable, kind, zone, combo, destination, on) -> NoPublishedPrice:
    params = {"operator": op.name, "to_country": destination, "date": on.isoformat()}
    if (kind, zone) in table.priced:
        message = _NO_PRICE_WITH_OPTIONS[kind]
        return NoPublishedPrice.one("option", message, options=_options_text(op, combo), **params)
    if any(z == zone for _k, z in table.priced):
        if table.partial:
            return NoPublishedPrice.one("kind", _NO_PRICE_FOR_KIND[kind], **params)
        return NoPublishedPrice.one(
            "kind", _NOT_CARRIED[kind], operator=op.name, to_country=destination
        )
    return NoPublishedPrice.one("to", _NO_PRICE_TO, **params)


def _too_heavy(op, table: RateTable, kind, zone, combo, destination, on, weight_g):
    params = {
        "operator": op.name,
        "to_country": destination,
        "weight": _weight_text(op, weight_g),
        # A step of any weight is last and takes every weight, so this one has a limit.
        "heaviest": table.prices[kind, zone, combo].steps[-1].limit,
    }
    if table.partial:
        message = _TOO_HEAVY_FOR_KNOWN[kind]
        params |= {"date": on.isoformat(), "table_date": table.effective_from.isoformat()}
    elif kind == "letter" and ("large_envelope", zone) in table.priced:
        message = _LETTER_TOO_HEAVY_SEND_LARGE
    else:
        message = _TOO_HEAVY[kind]
    return NoPublishedPrice.one("weight_g", message, **params)


def _weight_text(op: Operator, weight_g: Decimal) -> str:
    if op.unit == "oz":
        # Only for the message: the price was decided on the exact weight.
        ounces = (weight_g / OUNCE_G).quantize(Decimal("0.01"))
        return f"{format(ounces.normalize(), 'f')} oz"
    return f"{format(weight_g.normalize(), 'f')} g"


# Stamp advice --------------------------------------------------------------------------------


def _money(minor: int, currency: str, exponent: int) -> str:
    return Money(Decimal(minor).scaleb(-exponent), currency).format("en")


@functools.lru_cache(maxsize=4096)
def _stamps(
    stamp: Stamp | None, amount_minor: int, currency: str, exponent: int
) -> tuple[StampAdvice, str]:
    """Say which stamps pay *amount_minor*, to translate and in English."""
    # Cached, as before: Babel's money formatting is the slow part of a quote.
    advice = advise(stamp, amount_minor=amount_minor, currency=currency, exponent=exponent)
    return advice, advice.text
