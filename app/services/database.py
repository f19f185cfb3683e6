"""Engines and write transactions, without Flask (the app, the CLI and benchmarks share it).

SQLite runs in WAL mode with foreign keys on and a busy timeout; a write
transaction begins ``IMMEDIATE`` so two writers queue instead of failing half-way.
"""

import sqlite3

from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

# Execution option that makes a SQLite transaction begin IMMEDIATE.
WRITE_OPTION = "lettertrail_write"


def make_engine(url: str, *, busy_timeout_ms: int = 10_000) -> Engine:
    """Create an engine for *url*, with Lettertrail's SQLite settings where it is SQLite."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": busy_timeout_ms / 1000})
        _configure_sqlite(engine, busy_timeout_ms)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        # WAL with synchronous=NORMAL is durable across application crashes; only a
        # power loss can drop the last transactions (SQLite's documented trade-off).
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        immediate = conn.get_execution_options().get(WRITE_OPTION)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


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


def backend_info(engine: Engine) -> dict[str, str]:
    """Describe the database: backend name and, for SQLite, the library version."""
    info = {"backend": engine.dialect.name}
    if engine.dialect.name == "sqlite":
        info["sqlite_version"] = sqlite3.sqlite_version
    return info
