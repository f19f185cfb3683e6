"""API requests made with an Idempotency-Key: what they asked, and what they were answered."""

import datetime as dt

from sqlalchemy import LargeBinary
from sqlalchemy import UniqueConstraint
from sqlmodel import Field
from sqlmodel import SQLModel

from models.base import utcnow
from models.types import UTCDateTime

MAX_KEY_LENGTH = 128


class IdempotentRequest(SQLModel, table=True):
    """One Idempotency-Key of one user: running until ``status_code`` is set, then the
    exact response, which a repeat of the request is answered with byte for byte.
    """

    __tablename__ = "idempotent_request"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id")
    key: str = Field(max_length=MAX_KEY_LENGTH)
    # SHA-256 of the validated request body: the same key with another body is refused.
    request_digest: str = Field(max_length=64)
    status_code: int | None = None
    response_body: bytes | None = Field(default=None, sa_type=LargeBinary)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
