"""Mailings (one row per piece sent), the batches they were logged in, and their events."""

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from pydantic import field_validator
from sqlalchemy import CheckConstraint
from sqlalchemy import Index
from sqlmodel import Field
from sqlmodel import SQLModel

from models.base import drop_invisible
from models.base import storable_text
from models.base import utcnow
from models.types import UTCDateTime

MAX_BATCH = 500
MAX_TOWN_LENGTH = 80


class Channel(StrEnum):
    """How a piece travels; the first four are post."""

    LETTER = "letter"
    POSTCARD = "postcard"
    CARD = "card"  # a greeting card
    DRAWING = "drawing"
    FAX = "fax"
    EMAIL = "email"

    @property
    def is_post(self) -> bool:
        return self in POST_CHANNELS


POST_CHANNELS = frozenset({Channel.LETTER, Channel.POSTCARD, Channel.CARD, Channel.DRAWING})


class Kind(StrEnum):
    """How the post prices a piece (by its size, not its content)."""

    POSTCARD = "postcard"  # a bare card
    LETTER = "letter"  # an envelope; a greeting card in an envelope is a letter
    LARGE_ENVELOPE = "large_envelope"  # a flat / large letter, e.g. an A4 drawing sent flat


class MailingStatus(StrEnum):
    """Where a piece is: logged, posted (scanned or ticked at the post box), or void."""

    LOGGED = "logged"
    POSTED = "posted"
    VOID = "void"


class MailingBatchCreate(SQLModel):
    """Validated input for logging ``count`` identical pieces (form, API, import, CLI)."""

    campaign: str = Field(min_length=1, max_length=80)
    recipient: str = Field(min_length=1, max_length=40)
    channel: Channel
    sender_town: str = Field(min_length=1, max_length=MAX_TOWN_LENGTH)
    sender_country: str = Field(min_length=2, max_length=2)
    sent_on: dt.date
    count: int = Field(ge=1, le=MAX_BATCH)
    chapter: str | None = Field(default=None, max_length=60)
    kind: Kind | None = None
    weight_g: Decimal | None = Field(default=None, gt=0, le=5000, max_digits=9, decimal_places=3)
    nonmachinable: bool = False

    @field_validator("sender_town", "campaign", "recipient", mode="before")
    @classmethod
    def _strip(cls, value):
        # Collapse runs of white space so "  Bishkek " and "Bishkek" are one town, and
        # drop invisible characters so "Bish\u200bkek" is that town too.
        value = drop_invisible(value)
        return " ".join(value.split()) if isinstance(value, str) else value

    @field_validator("sender_country", mode="before")
    @classmethod
    def _upper(cls, value):
        return value.strip().upper() if isinstance(value, str) else value

    _storable = field_validator(
        "campaign", "recipient", "sender_town", "sender_country", "chapter"
    )(storable_text)

    @field_validator("chapter", "kind", "weight_g", mode="before")
    @classmethod
    def _blank_is_none(cls, value):
        return None if isinstance(value, str) and not value.strip() else value


class MailingQuery(SQLModel):
    """Validated filters for lists and exports of mailings; every one optional."""

    campaign: str | None = Field(default=None, max_length=80, description="campaign slug")
    chapter: str | None = Field(default=None, max_length=60, description="chapter slug")
    channel: Channel | None = None
    status: MailingStatus | None = None
    since: dt.date | None = Field(default=None, description="sent on or after this day")
    until: dt.date | None = Field(default=None, description="sent on or before this day")

    @field_validator("campaign", "chapter", "channel", "status", "since", "until", mode="before")
    @classmethod
    def _blank_is_none(cls, value):
        # A form's "All" option sends an empty value.
        return None if isinstance(value, str) and not value.strip() else value

    _storable = field_validator("campaign", "chapter")(storable_text)


class Batch(SQLModel, table=True):
    """The mailings logged by one submission ("28 letters from class 4B")."""

    __tablename__ = "batch"

    id: int | None = Field(default=None, primary_key=True)
    # The form's one-time id or the API's Idempotency-Key: a repeat finds this batch.
    submission_id: str = Field(max_length=200, unique=True)
    # SHA-256 of the validated input: the same id with another body is a conflict.
    request_digest: str = Field(max_length=64)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    recipient_id: int = Field(foreign_key="recipient.id")
    chapter_id: int | None = Field(default=None, foreign_key="chapter.id", index=True)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    channel: str = Field(max_length=16)
    count: int
    sent_on: dt.date
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Mailing(SQLModel, table=True):
    """One piece sent. Its postage is a snapshot of the table it was priced from."""

    __tablename__ = "mailing"
    __table_args__ = (
        CheckConstraint("status IN ('logged', 'posted', 'void')", name="status"),
        CheckConstraint(
            "channel IN ('letter', 'postcard', 'card', 'drawing', 'fax', 'email')",
            name="channel",
        ),
        # The list pages read newest first within a campaign or a chapter.
        Index("ix_mailing_campaign_id_id", "campaign_id", "id"),
        Index("ix_mailing_chapter_id_id", "chapter_id", "id"),
        Index("ix_mailing_campaign_id_sent_on", "campaign_id", "sent_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=10, unique=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    campaign_id: int = Field(foreign_key="campaign.id")
    recipient_id: int = Field(foreign_key="recipient.id")
    chapter_id: int | None = Field(default=None, foreign_key="chapter.id")
    channel: str = Field(max_length=16)
    kind: str | None = Field(default=None, max_length=16)
    weight_mg: int | None = None
    nonmachinable: bool = False
    sender_town: str = Field(max_length=MAX_TOWN_LENGTH)
    # The town folded for grouping: case, spacing and accents do not split a town.
    sender_town_key: str = Field(max_length=MAX_TOWN_LENGTH)
    sender_country: str = Field(max_length=2)
    sent_on: dt.date
    status: str = Field(default=MailingStatus.LOGGED, max_length=8)
    postage_minor: int | None = None
    postage_currency: str | None = Field(default=None, max_length=3)
    postage_table: str | None = Field(default=None, max_length=80)
    # Why a posted piece has no price ("no service to SO"), shown as "postage unknown".
    postage_note: str | None = Field(default=None, max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MailingEvent(SQLModel, table=True):
    """One status change of a mailing: who, when, from what to what."""

    __tablename__ = "mailing_event"

    id: int | None = Field(default=None, primary_key=True)
    mailing_id: int = Field(foreign_key="mailing.id", index=True)
    action: str = Field(max_length=16)  # posted, void, undo
    from_status: str = Field(max_length=8)
    to_status: str = Field(max_length=8)
    user_id: int | None = Field(default=None, foreign_key="user_account.id")
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
