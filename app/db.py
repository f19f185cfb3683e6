"""The app's database: one engine per app, one session per request."""

from flask import Flask
from flask import current_app
from flask import g
from flask import has_request_context
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.services.database import backend_info  # noqa: F401  (re-exported for views)
from app.services.database import make_engine

_ENGINE_KEY = "lettertrail.engine"


def init_app(app: Flask) -> None:
    """Create the app's engine and close each request's session when the request ends."""
    app.extensions[_ENGINE_KEY] = make_engine(
        app.config["DATABASE_URL"], busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"]
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
