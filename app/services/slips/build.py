"""Building slips from mailings: QR URL, address block, postage, stamps and greeting."""

from sqlmodel import Session
from sqlmodel import select

from app.services.campaigns import phrases_of
from app.services.mailings.pricing import stamp_advice
from app.services.slips import address
from app.services.slips import qr
from app.services.slips import sheets
from models import POST_CHANNELS
from models import Campaign
from models import Mailing
from models import Recipient
from models import RecipientRole


def slips_for(
    session: Session,
    rows: list[Mailing],
    *,
    base_url: str,
    channel_label,
    money,
    stamps=lambda advice: advice.text,
) -> list[sheets.SlipData]:
    """Build the slip of each mailing in *rows*: QR URL, address block, postage, stamps.

    *channel_label* names a channel for people; *money* formats (minor, currency);
    *stamps* writes a :class:`StampAdvice` out (in English by default).
    """
    campaigns = {c.id: c for c in _by_ids(session, Campaign, {m.campaign_id for m in rows})}
    recipients = {r.id: r for r in _by_ids(session, Recipient, {m.recipient_id for m in rows})}
    addresses, advice = {}, {}
    # Greetings to the prisoner carry a suggested phrase, taken in turn through the batch.
    phrases = {cid: phrases_of(session, cid) for cid in campaigns}
    result = []
    for n, m in enumerate(rows):
        recipient = recipients[m.recipient_id]
        if recipient.id not in addresses:
            addresses[recipient.id] = tuple(
                address.address_block(
                    name=recipient.name,
                    address_lines=recipient.address_lines,
                    city=recipient.city,
                    postcode=recipient.postcode,
                    country=recipient.country,
                )
            )
        # Pieces of one batch are alike: work the stamp advice out once per batch.
        if m.batch_id not in advice:
            found = stamp_advice(m, recipient.country)
            advice[m.batch_id] = stamps(found) if found else None
        priced = m.postage_minor is not None
        result.append(
            sheets.SlipData(
                code=m.code,
                url=qr.slip_url(base_url, m.code),
                campaign_title=campaigns[m.campaign_id].title,
                channel=channel_label(m.channel),
                address=addresses[recipient.id],
                sender_town=m.sender_town,
                sent_on=m.sent_on,
                status=m.status,
                postage=(
                    money(m.postage_minor, m.postage_currency)
                    if priced
                    else (None if m.channel in POST_CHANNELS else "none")
                ),
                stamps=advice[m.batch_id] if priced else None,
                **_greeting(recipient, phrases[m.campaign_id], n),
            )
        )
    return result


def _greeting(recipient: Recipient, phrases: list, n: int) -> dict:
    if recipient.role != RecipientRole.SOLIDARITY or not phrases:
        return {}
    phrase = phrases[n % len(phrases)]
    return {"greeting": phrase.text, "greeting_meaning": phrase.meaning or None}


def _by_ids(session: Session, model, ids: set[int]):
    return session.exec(select(model).where(model.id.in_(ids))).all() if ids else []
