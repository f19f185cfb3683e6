"""Idempotency keys for API writes: the first request with a key runs, repeats get its answer.

A key is claimed in a short transaction of its own before the work starts, so a
second request with the same key learns at once that the first is still running
(and is told to retry) instead of waiting for it or doing the work twice. The
finished response is stored byte for byte. A claim whose request died is taken
over after :data:`ABANDONED_AFTER`; the work itself is idempotent as well (the
batch's submission id), so taking over never makes a second batch.
"""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from sqlmodel import select

from app.services.database import begin_write
from app.services.errors import Conflict
from models import IdempotentRequest

ABANDONED_AFTER = dt.timedelta(minutes=2)


class StillRunning(Exception):
    """The first request with this key has not finished yet."""


@dataclass(frozen=True)
class Claim:
    """Either ours to run (``record_id``) or an earlier answer to repeat (``body``)."""

    record_id: int | None
    status_code: int | None = None
    body: bytes | None = None

    @property
    def repeat(self) -> bool:
        return self.body is not None


def claim(
    session: Session, *, user_id: int, key: str, digest: str, now: dt.datetime | None = None
) -> Claim:
    """Claim *key* of *user_id* for a request whose body has *digest*; commits.

    :raises Conflict: if the key was used before with another body.
    :raises StillRunning: if the first request with this key is still at work.
    """
    now = now or dt.datetime.now(dt.UTC)
    for _attempt in range(2):
        begin_write(session)
        record = session.exec(
            select(IdempotentRequest).where(
                IdempotentRequest.user_id == user_id, IdempotentRequest.key == key
            )
        ).first()
        if record is None:
            record = IdempotentRequest(
                user_id=user_id, key=key, request_digest=digest, created_at=now
            )
            session.add(record)
            try:
                session.commit()
            except IntegrityError:
                # Another request claimed it between our look and our insert.
                session.rollback()
                continue
            return Claim(record.id)
        found = (record.id, record.request_digest, record.status_code, record.response_body)
        started = record.created_at
        if found[1] != digest:
            session.rollback()
            raise Conflict("this Idempotency-Key was used with a different request")
        if found[2] is not None:
            session.rollback()
            return Claim(None, found[2], found[3])
        if now - started < ABANDONED_AFTER:
            session.rollback()
            raise StillRunning(key)
        record.created_at = now  # the first request died: take its claim over
        session.add(record)
        session.commit()
        return Claim(found[0])
    raise StillRunning(key)


def finish(session: Session, record_id: int, status_code: int, body: bytes) -> None:
    """Store the response to a claimed request, for its repeats to be answered with; commits."""
    begin_write(session)
    record = session.get(IdempotentRequest, record_id)
    record.status_code = status_code
    record.response_body = body
    record.finished_at = dt.datetime.now(dt.UTC)
    session.add(record)
    session.commit()


def release(session: Session, record_id: int) -> None:
    """Give a claim back after its request failed, so the key can be used again; commits."""
    session.rollback()
    begin_write(session)
    record = session.get(IdempotentRequest, record_id)
    if record is not None and record.status_code is None:
        session.delete(record)
    session.commit()
