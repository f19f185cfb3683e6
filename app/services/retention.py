"""Retention: ``flask purge`` deletes old mailings and keeps every total.

A purge deletes the mailings sent before a cutoff day, their status events, and the
batches it leaves empty, in one write transaction. The tallies (``services.totals``)
are left as they are, so every total the counters, the totals API and the dashboard
show stays the same: the mail was sent, only its detail is forgotten.

In the same transaction the purged mailings are counted into ``PurgedTally`` (by
campaign, chapter, day, recipient, channel, status, place and currency: no code, no
batch, no user), so ``flask totals check`` and ``flask totals rebuild`` still find the
tallies equal to the mailings plus what was purged.
"""

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import select
from sqlmodel import Session

from app.services.database import begin_write
from app.services.errors import ValidationFailed
from app.services.totals import tallies
from models import Batch
from models import Campaign
from models import Mailing
from models import MailingEvent

_AGE = re.compile(r"^\s*(\d{1,5})\s*([md])\s*$", re.IGNORECASE)


def cutoff(age: str, today: dt.date) -> dt.date:
    """Return the first day kept for an *age* like ``24m`` (months) or ``365d`` (days).

    ``24m`` on 2026-03-31 keeps 2024-03-31 on; a month that is shorter ends the count
    on its last day (``1m`` on 2026-03-31 keeps 2026-02-28 on).

    :raises ValidationFailed: if *age* is not a whole number of months or days, or is 0.
    """
    match = _AGE.match(age or "")
    if not match or int(match[1]) == 0:
        raise ValidationFailed.one(
            "older_than", "Give an age like 24m (months) or 365d (days), more than 0."
        )
    amount, unit = int(match[1]), match[2].lower()
    if unit == "d":
        return today - dt.timedelta(days=amount)
    months = today.year * 12 + (today.month - 1) - amount
    year, month = divmod(months, 12)
    month += 1
    if year < dt.MINYEAR:
        raise ValidationFailed.one("older_than", "That age goes back before the calendar.")
    return dt.date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Purged:
    """What a purge removed (or, for a dry run, would remove)."""

    before: dt.date
    mailings: int
    events: int
    batches: int
    by_campaign: dict[str, int]  # campaign slug -> mailings removed


def purge(session: Session, *, before: dt.date, dry_run: bool = False) -> Purged:
    """Delete the mailings sent before *before*, their events and the batches left empty.

    One write transaction; commits, or rolls back for a *dry_run*. Tallies are kept,
    and the purged mailings' share of them is set aside in ``PurgedTally``.
    """
    begin_write(session)
    try:
        old = select(Mailing.id).where(Mailing.sent_on < before)
        by_campaign = dict(
            session.exec(
                select(Campaign.slug, func.count(Mailing.id))
                .join(Campaign, Campaign.id == Mailing.campaign_id)
                .where(Mailing.sent_on < before)
                .group_by(Campaign.slug)
                .order_by(Campaign.slug)
            ).all()
        )
        events = session.exec(
            select(func.count()).select_from(MailingEvent).where(MailingEvent.mailing_id.in_(old))
        ).one()[0]
        # Every mailing of a batch shares its day: the batches emptied are the old ones
        # that have no mailing left (the count is made as if the mailings were gone).
        emptied = (
            Batch.sent_on < before,
            ~exists().where(Mailing.batch_id == Batch.id, Mailing.sent_on >= before),
        )
        batches = session.exec(select(func.count()).select_from(Batch).where(*emptied)).one()[0]
        if not dry_run:
            tallies.set_aside(session, before)
            connection = session.connection()
            connection.execute(delete(MailingEvent).where(MailingEvent.mailing_id.in_(old)))
            connection.execute(delete(Mailing).where(Mailing.sent_on < before))
            connection.execute(
                delete(Batch).where(
                    Batch.sent_on < before, ~exists().where(Mailing.batch_id == Batch.id)
                )
            )
        result = Purged(
            before=before,
            mailings=sum(by_campaign.values()),
            events=events,
            batches=batches,
            by_campaign=by_campaign,
        )
    except BaseException:
        session.rollback()
        raise
    if dry_run:
        session.rollback()
    else:
        session.commit()
    return result
