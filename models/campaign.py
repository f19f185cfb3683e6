"""Campaigns (one case each) and the recipients their mail goes to."""

import datetime as dt
import re
from enum import StrEnum

from pydantic import field_validator
from pydantic import model_validator
from sqlalchemy import CheckConstraint
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlmodel import Field
from sqlmodel import SQLModel

from models.base import N_
from models.base import drop_invisible
from models.base import storable_text
from models.base import utcnow
from models.chapter import check_slug
from models.types import UTCDateTime

KEY_PATTERN = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


class CampaignStatus(StrEnum):
    """Where a campaign is in its life: only active campaigns take mailings."""

    DRAFT = "draft"
    ACTIVE = "active"
    CLOSED = "closed"


class RecipientRole(StrEnum):
    """Why mail goes to a recipient."""

    APPEAL = "appeal"  # the official asked to act
    SOLIDARITY = "solidarity"  # the prisoner or their family
    COPY = "copy"  # an embassy, for information


def _strip(value):
    value = drop_invisible(value)
    return value.strip() if isinstance(value, str) else value


class CampaignBase(SQLModel):
    """Fields staff edit on a campaign."""

    title: str = Field(min_length=1, max_length=160)
    slug: str = Field(min_length=1, max_length=80)
    summary: str = Field(default="", max_length=5000, sa_type=Text)
    guidance: str = Field(default="", max_length=5000, sa_type=Text)
    status: CampaignStatus = CampaignStatus.DRAFT
    starts_on: dt.date
    ends_on: dt.date | None = None
    goal: int | None = Field(default=None, ge=1, le=100_000_000)
    country: str = Field(min_length=2, max_length=2)
    # Below this many mailings the public counter shows encouragement instead of a number.
    counter_threshold: int = Field(default=0, ge=0, le=1_000_000)

    @field_validator("title", "summary", "guidance", mode="before")
    @classmethod
    def _strip_text(cls, value):
        return _strip(value)

    _storable = field_validator("title", "summary", "guidance")(storable_text)
    _slug = field_validator("slug")(check_slug)


class CampaignCreate(CampaignBase):
    """Validated input for a new or edited campaign."""

    @model_validator(mode="after")
    def _dates_in_order(self):
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("ends_on: " + N_("The end date must not be before the start date."))
        return self


class Campaign(CampaignBase, table=True):
    """One case, e.g. "Free Azimjan Askarov"."""

    __tablename__ = "campaign"
    __table_args__ = (CheckConstraint("status IN ('draft', 'active', 'closed')", name="status"),)

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    status: str = Field(default=CampaignStatus.DRAFT, max_length=16, index=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RecipientBase(SQLModel):
    """Fields staff edit on a recipient."""

    key: str = Field(min_length=1, max_length=40)
    role: RecipientRole
    name: str = Field(min_length=1, max_length=160)
    salutation: str = Field(default="", max_length=160)
    # Street lines of the postal address, one per line, without city and country.
    address_lines: str = Field(default="", max_length=1000, sa_type=Text)
    city: str = Field(default="", max_length=120)
    postcode: str = Field(default="", max_length=20)
    country: str = Field(min_length=2, max_length=2)
    fax: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=254)
    position: int = Field(default=0, ge=0, le=1000)

    @field_validator(
        "name", "salutation", "address_lines", "city", "postcode", "fax", "email", mode="before"
    )
    @classmethod
    def _strip_text(cls, value):
        return _strip(value)

    _storable = field_validator(
        "name", "salutation", "address_lines", "city", "postcode", "fax", "email"
    )(storable_text)

    @field_validator("key")
    @classmethod
    def _key(cls, value):
        if not KEY_PATTERN.match(value):
            raise ValueError(N_("Use lower-case letters and digits, like president or prisoner."))
        return value


class RecipientCreate(RecipientBase):
    """Validated input for a new or edited recipient."""


class Recipient(RecipientBase, table=True):
    """Someone a campaign's mail goes to, identified within it by ``key``."""

    __tablename__ = "recipient"
    __table_args__ = (
        UniqueConstraint("campaign_id", "key"),
        CheckConstraint("role IN ('appeal', 'solidarity', 'copy')", name="role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    role: str = Field(max_length=16)


class PhraseBase(SQLModel):
    """A phrase supporters may copy onto a greeting, in the prisoner's language."""

    text: str = Field(min_length=1, max_length=300)
    meaning: str = Field(default="", max_length=300)
    # BCP 47 language code of the text ("ru"), so pages mark it up for screen readers.
    language: str = Field(min_length=2, max_length=12)
    position: int = Field(default=0, ge=0, le=1000)

    @field_validator("text", "meaning", "language", mode="before")
    @classmethod
    def _strip_text(cls, value):
        return _strip(value)

    _storable = field_validator("text", "meaning")(storable_text)

    @field_validator("language")
    @classmethod
    def _language(cls, value):
        if not LANGUAGE_PATTERN.match(value):
            raise ValueError(N_("Use a language code such as ru, ky or uz-Latn."))
        return value


class PhraseCreate(PhraseBase):
    """Validated input for a new or edited phrase."""


class Phrase(PhraseBase, table=True):
    """A suggested greeting phrase of a campaign, with what it means."""

    __tablename__ = "phrase"

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
