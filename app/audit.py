"""The audit log: one JSON line per security event on the ``lettertrail.audit`` logger.

Each line has the UTC time, the user's id (or null), the client address, the request
id (also sent back as ``X-Request-ID``), the event and its details. JSON escapes
newlines, so nothing a user types can start a line of its own. Never pass a password
or a token in *details*.
"""

import datetime as dt
import json
import logging
import secrets

from flask import Flask
from flask import g
from flask import has_request_context
from flask import request
from flask_login import current_user

logger = logging.getLogger("lettertrail.audit")


def init_app(app: Flask) -> None:
    """Give every request of *app* an id, and send it back as ``X-Request-ID``."""
    # INFO lines are the log's whole point; where they go is the deployment's logging.
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    app.before_request(_start)
    app.after_request(_send_id)


def _start() -> None:
    g.request_id = secrets.token_hex(8)


def _send_id(response):
    if "request_id" in g:
        response.headers["X-Request-ID"] = g.request_id
    return response


def record(event: str, *, user_id: int | None = None, **details) -> None:
    """Write one audit line for *event*; *user_id* defaults to the signed-in user's."""
    if user_id is None and has_request_context() and current_user.is_authenticated:
        user_id = current_user.row.id
    line = {
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
        "user": user_id,
        "address": request.remote_addr if has_request_context() else None,
        "request_id": g.get("request_id") if has_request_context() else None,
        "event": event,
        "details": details,
    }
    logger.info(json.dumps(line, default=str, sort_keys=True))
