"""Pricing a mailing through the postage rules: the columns a new piece stores, and the
stamps that pay for a priced one."""

from decimal import Decimal

from app.services import postage
from app.services.errors import ValidationFailed
from app.services.stamp_advice import StampAdvice
from models import Mailing
from models import MailingBatchCreate
from models import Recipient


def price_piece(data: MailingBatchCreate, recipient: Recipient) -> dict:
    """Price one piece of a batch (its pieces are alike) as the columns a mailing stores.

    Post gets the usual kind and weight of its channel unless the input says otherwise,
    and is priced from the sender's country to the recipient's on the date sent. A piece
    no published price covers is kept with the reason in ``postage_note``. Fax and email
    cost nothing and carry no postage.
    """
    if not data.channel.is_post:
        return {"kind": None, "weight_mg": None, "nonmachinable": False}
    kind, weight_g = postage.default_piece(data.channel)
    kind = data.kind or kind
    weight_g = data.weight_g if data.weight_g is not None else weight_g
    piece = {
        "kind": str(kind),
        "weight_mg": int(weight_g * 1000),
        "nonmachinable": data.nonmachinable,
    }
    try:
        price = postage.quote(
            origin=data.sender_country,
            destination=recipient.country,
            kind=kind,
            weight_g=weight_g,
            on=data.sent_on,
            nonmachinable=data.nonmachinable,
        )
    except postage.NoPublishedPrice as unknown:
        return piece | {"postage_note": unknown.message[:200]}
    return piece | {
        "postage_minor": price.amount_minor,
        "postage_currency": price.currency,
        "postage_table": price.table,
    }


def stamp_advice(mailing: Mailing, destination: str) -> StampAdvice | None:
    """Say which stamps pay for a priced *mailing* ("1 Global Forever stamp").

    Worked out again from the table the mailing was priced from; ``None`` if it has no
    price, or if that table no longer gives the same price (the stored amount stands).
    """
    if mailing.postage_minor is None or mailing.kind is None or mailing.weight_mg is None:
        return None
    try:
        again = postage.quote(
            origin=mailing.sender_country,
            destination=destination,
            kind=mailing.kind,
            weight_g=Decimal(mailing.weight_mg) / 1000,
            on=mailing.sent_on,
            nonmachinable=mailing.nonmachinable,
        )
    except ValidationFailed:
        return None
    same = (again.table, again.amount_minor) == (mailing.postage_table, mailing.postage_minor)
    return again.stamp_advice if same else None
