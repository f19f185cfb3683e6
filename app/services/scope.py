"""Who sees which mailings, and the filters that narrow them: written once, used by every view."""

import datetime as dt
from dataclasses import dataclass

from pydantic import ValidationError
from sqlmodel import Session
from sqlmodel import select

from app.services.errors import NotFound
from app.services.errors import ValidationFailed
from models import Campaign
from models import Chapter
from models import Mailing
from models import MailingQuery
from models import User


def chapter_for(session: Session, user: User) -> Chapter | None:
    """Return the chapter a coordinator logs for (``None`` for staff)."""
    return session.get(Chapter, user.chapter_id) if user.chapter_id else None


def visible_to(user: User):
    """Return a filter for the mailings *user* may see: staff all, coordinators their chapter's."""
    if user.is_staff:
        return True
    return Mailing.chapter_id == user.chapter_id if user.chapter_id else False


@dataclass(frozen=True)
class MailingFilter:
    """The list's filters; every field optional."""

    campaign_id: int | None = None
    chapter_id: int | None = None
    channel: str | None = None
    status: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    batch_id: int | None = None


def filter_conditions(user: User, filters: MailingFilter) -> list:
    """Return the WHERE conditions for the mailings *user* may see that match *filters*."""
    conditions = [visible_to(user)]
    for column, value in (
        (Mailing.campaign_id, filters.campaign_id),
        (Mailing.chapter_id, filters.chapter_id),
        (Mailing.channel, filters.channel),
        (Mailing.status, filters.status),
        (Mailing.batch_id, filters.batch_id),
    ):
        if value is not None:
            conditions.append(column == value)
    if filters.since:
        conditions.append(Mailing.sent_on >= filters.since)
    if filters.until:
        conditions.append(Mailing.sent_on <= filters.until)
    return conditions


# --- filters from raw input ---------------------------------------------------------


def parse_query(raw: dict) -> MailingQuery:
    """Validate raw filters (query string, form, command line).

    :raises ValidationFailed: for a bad channel, status or date, or dates out of order.
    """
    try:
        query = MailingQuery.model_validate(raw)
    except ValidationError as exc:
        raise ValidationFailed.from_pydantic(exc, FILTER_MESSAGES) from None
    if query.since and query.until and query.since > query.until:
        raise ValidationFailed.one("until", "The end date must not be before the start date.")
    return query


FILTER_MESSAGES = {
    "campaign": "Choose a campaign.",
    "chapter": "Choose a chapter.",
    "channel": "Choose letter, postcard, card, drawing, fax or email.",
    "status": "Choose logged, posted or void.",
    "since": "Enter a date like 2025-12-10.",
    "until": "Enter a date like 2025-12-10.",
}


def resolve(session: Session, user: User, query: MailingQuery) -> MailingFilter:
    """Turn validated filters into a :class:`~app.services.MailingFilter`.

    Coordinators see only their chapter: naming another is answered as if it did
    not exist.

    :raises ValidationFailed: for a campaign that does not exist.
    :raises NotFound: for a chapter that does not exist or that *user* may not see.
    """
    values: dict = {}
    if query.campaign:
        campaign = session.exec(select(Campaign).where(Campaign.slug == query.campaign)).first()
        if campaign is None:
            raise ValidationFailed.one("campaign", "There is no campaign with this name.")
        values["campaign_id"] = campaign.id
    if query.chapter:
        chapter = session.exec(select(Chapter).where(Chapter.slug == query.chapter)).first()
        if chapter is None or not (user.is_staff or chapter.id == user.chapter_id):
            raise NotFound(query.chapter)
        values["chapter_id"] = chapter.id
    return MailingFilter(
        **values,
        channel=query.channel.value if query.channel else None,
        status=query.status.value if query.status else None,
        since=query.since,
        until=query.until,
    )
