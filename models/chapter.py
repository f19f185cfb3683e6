"""Chapters: the classes, schools, groups and individuals who send mail."""

import datetime as dt
import re
from enum import StrEnum

from pydantic import field_validator
from sqlalchemy import CheckConstraint
from sqlmodel import Field
from sqlmodel import SQLModel

from models.base import N_
from models.base import drop_invisible
from models.base import storable_text
from models.base import utcnow
from models.types import UTCDateTime

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MESSAGE = N_("Use lower-case letters, digits and single dashes, like class-4b.")


def check_slug(value: str) -> str:
    """Refuse a short name that would not read well in a link."""
    if not SLUG_PATTERN.match(value):
        raise ValueError(SLUG_MESSAGE)
    return value


class ChapterKind(StrEnum):
    """What sort of group a chapter is."""

    CLASS = "class"
    SCHOOL = "school"
    GROUP = "group"
    INDIVIDUAL = "individual"


class ChapterBase(SQLModel):
    """Fields a staff member edits on a chapter."""

    name: str = Field(min_length=1, max_length=120)
    slug: str = Field(min_length=1, max_length=60)
    kind: ChapterKind = ChapterKind.GROUP
    town: str = Field(min_length=1, max_length=80)
    country: str = Field(min_length=2, max_length=2)
    goal: int | None = Field(default=None, ge=1, le=10_000_000)
    public_counter: bool = False

    @field_validator("name", "town", mode="before")
    @classmethod
    def _strip(cls, value):
        value = drop_invisible(value)
        return value.strip() if isinstance(value, str) else value

    _storable = field_validator("name", "town")(storable_text)
    _slug = field_validator("slug")(check_slug)


class ChapterCreate(ChapterBase):
    """Validated input for a new or edited chapter."""


class Chapter(ChapterBase, table=True):
    """A sending group; coordinators belong to one."""

    __tablename__ = "chapter"
    __table_args__ = (
        CheckConstraint("kind IN ('class', 'school', 'group', 'individual')", name="kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=60, unique=True)
    kind: str = Field(default=ChapterKind.GROUP, max_length=16)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
