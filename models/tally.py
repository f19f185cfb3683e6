"""Tallies: running counts of mailings, kept in the same transaction as the mailings.

The dashboard, the counters and the totals API read these instead of counting
millions of mailing rows. Each table is one ``GROUP BY`` of the mailing table, kept
current by ``app.services.totals`` (called by ``log_mailings`` and ``change_status``):
a row holds how many mailings share its key and the sum of their postage.

- ``MailingTally`` keeps every dimension, so it answers any filter exactly; it is the
  one read for a single chapter (a few dozen rows) or a date range.
- ``DayTally``, ``PlaceTally`` and ``ChapterTally`` each drop dimensions that make rows
  many (chapter, town or day), so a whole campaign reads in thousands of rows, not
  millions.

``MailingTally`` and ``DayTally`` count every mailing under its status (the dashboard
shows posted, logged and void); ``PlaceTally`` and ``ChapterTally`` count only live
(not void) mailings, which keeps them small: posting moves nothing there, voiding
takes a mailing out and undoing a void puts it back.

Key columns cannot be NULL (NULLs never conflict in an upsert), so ``chapter_key`` is
the chapter's id or 0 for none, and ``postage_currency`` is "" when there is none.
"""

import datetime as dt

from sqlalchemy import BigInteger
from sqlalchemy import Index
from sqlmodel import Field
from sqlmodel import SQLModel

from models.mailing import MAX_TOWN_LENGTH

NO_CHAPTER = 0
NO_CURRENCY = ""
# Counts and sums are 64-bit: 5 million pieces at $3.40 already pass 2^31 cents.


class MailingTally(SQLModel, table=True):
    """Mailings counted by every dimension the dashboard filters or groups by."""

    __tablename__ = "mailing_tally"
    # Campaign-wide questions over a date range (countries, towns, top chapters) read
    # only this index: it holds every column they filter, group or sum.
    __table_args__ = (
        Index(
            "ix_mailing_tally_campaign_id_sent_on",
            "campaign_id",
            "sent_on",
            "channel",
            "status",
            "sender_country",
            "sender_town_key",
            "chapter_key",
            "mailings",
        ),
    )

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True)
    chapter_key: int = Field(primary_key=True)  # chapter id, or 0 for none
    sent_on: dt.date = Field(primary_key=True)
    recipient_id: int = Field(foreign_key="recipient.id", primary_key=True)
    channel: str = Field(max_length=16, primary_key=True)
    status: str = Field(max_length=8, primary_key=True)
    sender_country: str = Field(max_length=2, primary_key=True)
    sender_town_key: str = Field(max_length=MAX_TOWN_LENGTH, primary_key=True)
    postage_currency: str = Field(max_length=3, primary_key=True)  # "" for none
    mailings: int = Field(default=0, sa_type=BigInteger)
    postage_minor: int = Field(default=0, sa_type=BigInteger)  # sum, in minor units


class DayTally(SQLModel, table=True):
    """Mailings of a campaign by day, recipient, channel, status and postage currency."""

    __tablename__ = "day_tally"

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True)
    sent_on: dt.date = Field(primary_key=True)
    recipient_id: int = Field(foreign_key="recipient.id", primary_key=True)
    channel: str = Field(max_length=16, primary_key=True)
    status: str = Field(max_length=8, primary_key=True)
    postage_currency: str = Field(max_length=3, primary_key=True)  # "" for none
    mailings: int = Field(default=0, sa_type=BigInteger)
    postage_minor: int = Field(default=0, sa_type=BigInteger)  # sum, in minor units


class PlaceTally(SQLModel, table=True):
    """Live (not void) mailings of a campaign by sender country and town, by spelling."""

    __tablename__ = "place_tally"

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True)
    channel: str = Field(max_length=16, primary_key=True)
    sender_country: str = Field(max_length=2, primary_key=True)
    sender_town_key: str = Field(max_length=MAX_TOWN_LENGTH, primary_key=True)
    # The town as it was typed: the most common spelling names the town on the dashboard.
    sender_town: str = Field(max_length=MAX_TOWN_LENGTH, primary_key=True)
    mailings: int = Field(default=0, sa_type=BigInteger)


class ChapterTally(SQLModel, table=True):
    """Live (not void) mailings of a campaign by chapter and channel (the top chapters)."""

    __tablename__ = "chapter_tally"

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True)
    chapter_key: int = Field(primary_key=True)  # chapter id, or 0 for none
    channel: str = Field(max_length=16, primary_key=True)
    mailings: int = Field(default=0, sa_type=BigInteger)


class PurgedTally(SQLModel, table=True):
    """What ``flask purge`` deleted, counted by every key of the tallies above.

    The tallies keep counting purged mailings (the mail was sent); this table holds
    their share, so the mailing table plus this table still adds up to every tally and
    ``flask totals check`` and ``rebuild`` stay exact after a purge.
    """

    __tablename__ = "purged_tally"

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True)
    chapter_key: int = Field(primary_key=True)  # chapter id, or 0 for none
    sent_on: dt.date = Field(primary_key=True)
    recipient_id: int = Field(foreign_key="recipient.id", primary_key=True)
    channel: str = Field(max_length=16, primary_key=True)
    status: str = Field(max_length=8, primary_key=True)
    sender_country: str = Field(max_length=2, primary_key=True)
    sender_town_key: str = Field(max_length=MAX_TOWN_LENGTH, primary_key=True)
    sender_town: str = Field(max_length=MAX_TOWN_LENGTH, primary_key=True)
    postage_currency: str = Field(max_length=3, primary_key=True)  # "" for none
    mailings: int = Field(default=0, sa_type=BigInteger)
    postage_minor: int = Field(default=0, sa_type=BigInteger)  # sum, in minor units
