"""Accounts: staff and chapter coordinators, and their API tokens."""

import datetime as dt
from enum import StrEnum

from sqlalchemy import CheckConstraint
from sqlalchemy import Column
from sqlmodel import Field
from sqlmodel import SQLModel

from models.base import utcnow
from models.types import UTCDateTime


class Role(StrEnum):
    """What an account may do."""

    STAFF = "staff"
    COORDINATOR = "coordinator"


class User(SQLModel, table=True):
    """An adult who signs in: staff run everything, coordinators log for one chapter."""

    __tablename__ = "user_account"
    __table_args__ = (CheckConstraint("role IN ('staff', 'coordinator')", name="role"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=16)
    chapter_id: int | None = Field(default=None, foreign_key="chapter.id", index=True)
    active: bool = Field(default=True)
    # Rotated on sign-out, password change and disable: every older session cookie
    # carries the old value and so no longer signs anyone in.
    session_token: str = Field(max_length=64)
    must_change_password: bool = Field(default=False)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_sign_in_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def is_staff(self) -> bool:
        return self.role == Role.STAFF


class ApiToken(SQLModel, table=True):
    """A bearer token for the JSON API; only its SHA-256 digest is stored."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    label: str = Field(default="", max_length=100)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: dt.datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
