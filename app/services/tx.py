"""Transactions that write: the one way services start them."""

from sqlmodel import Session

# Execution option read by app.db: on SQLite the transaction begins IMMEDIATE.
WRITE_OPTION = "lettertrail_write"


def begin_write(session: Session) -> None:
    """Start a write transaction on *session*, ending any read-only one first.

    On SQLite the write lock is taken at ``BEGIN IMMEDIATE``, so a writer waits for
    another (up to the busy timeout) instead of failing after it has read.

    :raises RuntimeError: if *session* holds unflushed changes from outside a service.
    """
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("begin_write() called with pending changes")
        session.commit()
    session.connection(execution_options={WRITE_OPTION: True})
