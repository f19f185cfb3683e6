"""``GET /api/v1/postage/quote``: the price of one piece, as the calculator gives it."""

import datetime as dt
from decimal import Decimal
from decimal import InvalidOperation

from flask import jsonify
from flask import request

from app.api import bp
from app.services import postage
from app.services.errors import N_
from app.services.errors import ValidationFailed


def _decimal(field: str, raw: str) -> Decimal:
    try:
        value = Decimal(raw)
        if not value.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        raise ValidationFailed.one(field, N_("Give the weight as a number, e.g. 20.")) from None
    return value


def quote_from_args(args) -> postage.Quote:
    """Price the piece the query string describes.

    :raises ValidationFailed: for bad input, naming the parameter (a
        :class:`~app.services.postage.NoPublishedPrice` when no published price covers it).
    """
    grams, ounces = args.get("weight_g"), args.get("weight_oz")
    if grams and ounces:
        raise ValidationFailed.one("weight_g", N_("Give weight_g or weight_oz, not both."))
    if ounces:
        weight = postage.grams_from_ounces(_decimal("weight_oz", ounces))
    else:
        weight = _decimal("weight_g", grams) if grams else None
    return postage.quote(
        origin=args.get("from"),
        destination=args.get("to"),
        kind=args.get("kind"),
        weight_g=weight,
        on=args.get("on") or dt.date.today(),
        nonmachinable=args.get("nonmachinable", "") in ("1", "true", "yes", "on"),
        options=postage.parse_options(args.getlist("option")),
    )


@bp.get("/postage/quote")
def postage_quote():
    """Quote the postage for one piece (public)."""
    response = jsonify(quote_from_args(request.args).to_dict())
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response
