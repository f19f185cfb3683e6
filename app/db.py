"""The database: one engine per app, one session per request, SQLite pragmas.

SQLite runs in WAL mode with foreign keys on and a busy timeout. Writers call
:func:`app.services.tx.begin_write`, which makes SQLite take the write lock at
``BEGIN IMMEDIATE`` so two writers queue instead of failing half-way.
"""

import sqlite3

from flask import Flask
from flask import current_app
from flask import g
from flask import has_request_context
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.services.tx import WRITE_OPTION

_ENGINE_KEY = "lettertrail.engine"


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
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        immediate = conn.get_execution_options().get(WRITE_OPTION)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def init_app(app: Flask) -> None:
    """Create the app's engine and close each request's session when the request ends."""
    url = app.config["DATABASE_URL"]
    app.extensions[_ENGINE_KEY] = make_engine(
        url, busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"]
    )
    app.teardown_request(_close_request_session)


def get_engine(app: Flask | None = None) -> Engine:
    """Return the engine of *app* (default: the current app)."""
    return (app or current_app).extensions[_ENGINE_KEY]


def new_session(app: Flask | None = None) -> Session:
    """Open a session of its own, for commands and background work; close it yourself."""
    return Session(get_engine(app), expire_on_commit=False)


def get_session() -> Session:
    """Return the current request's session, opening it on first use.

    Kept per request (closed in ``teardown_request``), not per app context: the
    test client may share one app context, and so one ``g``, across requests.
    """
    if not has_request_context():
        raise RuntimeError("get_session() needs a request; use new_session() elsewhere")
    session = g.get("_lettertrail_session")
    if session is None:
        session = g._lettertrail_session = new_session()
    return session


def _close_request_session(_exc: BaseException | None) -> None:
    session = g.pop("_lettertrail_session", None)
    if session is not None:
        session.close()


def backend_info(engine: Engine) -> dict[str, str]:
    """Describe the database for ``/healthz``: backend name and library version."""
    info = {"backend": engine.dialect.name}
    if engine.dialect.name == "sqlite":
        info["sqlite_version"] = sqlite3.sqlite_version
    return info
