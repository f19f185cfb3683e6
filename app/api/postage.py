"""``GET /api/v1/postage/quote``: the price of one piece, as the calculator gives it."""

import datetime as dt
from decimal import Decimal
from decimal import InvalidOperation

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

from app.api.base import bp
from app.api.base import operation
from app.services import postage
from app.services.errors import N_
from app.services.errors import ValidationFailed


class QuoteQuery(BaseModel):
    """What to price. Values are checked by the postage service, which names the field."""

    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from", description="Country posted from (ISO code), e.g. US.")
    to: str = Field(description="Destination country (ISO code), e.g. KG.")
    kind: str = Field(description="postcard, letter or large_envelope")
    weight_g: str | None = Field(default=None, description="Weight in grams.")
    weight_oz: str | None = Field(default=None, description="Weight in ounces.")
    on: str | None = Field(default=None, description="Posting date (default: today).")
    nonmachinable: str | None = Field(default=None, description="1 for a square or stiff letter.")
    option: list[str] = Field(default_factory=list, description="e.g. class=second")


class QuoteOut(BaseModel):
    """A quote: DESIGN.md §4's body, plus the table and the confidence of its figure."""

    amount: str
    amount_minor: int
    currency: str
    operator: str
    product: str
    zone: str
    weight_step: str
    effective_from: str
    source: str
    stamps: str
    table: str
    confidence: str


def _decimal(field: str, raw: str) -> Decimal:
    try:
        value = Decimal(raw)
        if not value.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        raise ValidationFailed.one(field, N_("Give the weight as a number, e.g. 20.")) from None
    return value


def quote_from(query: QuoteQuery) -> postage.Quote:
    """Price the piece the query describes.

    :raises ValidationFailed: for bad input, naming the parameter (a
        :class:`~app.services.postage.NoPublishedPrice` when no published price covers it).
    """
    if query.weight_g and query.weight_oz:
        raise ValidationFailed.one("weight_g", N_("Give weight_g or weight_oz, not both."))
    if query.weight_oz:
        weight = postage.grams_from_ounces(_decimal("weight_oz", query.weight_oz))
    else:
        weight = _decimal("weight_g", query.weight_g) if query.weight_g else None
    return postage.quote(
        origin=query.from_,
        destination=query.to,
        kind=query.kind,
        weight_g=weight,
        on=query.on or dt.date.today(),
        nonmachinable=(query.nonmachinable or "") in ("1", "true", "yes", "on"),
        options=postage.parse_options(query.option),
    )


@bp.get("/postage/quote")
@operation(query=QuoteQuery, ok={200: QuoteOut}, tags=("postage",))
def postage_quote(query: QuoteQuery):
    """Quote the postage for one piece (public; cacheable for an hour)."""
    body = QuoteOut.model_validate(quote_from(query).to_dict()).model_dump()
    return body, 200, {"Cache-Control": "public, max-age=3600"}
