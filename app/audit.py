"""The audit log: one JSON line per security event on the ``lettertrail.audit`` logger.

Each line has the UTC time, the user's id (or null), the client address, the request
id (also sent back as ``X-Request-ID``), the event and its details; a ``flask``
command's line says ``"via": "command line"`` and names the system account instead.
JSON escapes newlines, so nothing a user types can start a line of its own. Never pass
a password or a token in *details*.
"""

import datetime as dt
import getpass
import json
import logging
import secrets
import sys

from flask import Flask
from flask import g
from flask import has_request_context
from flask import request
from flask.logging import has_level_handler
from flask_login import current_user

logger = logging.getLogger("lettertrail.audit")


def init_app(app: Flask) -> None:
    """Give every request of *app* an id, and send it back as ``X-Request-ID``."""
    # INFO lines are the log's whole point.
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    # Where the deployment has set up no logging (gunicorn, the dev server, a flask
    # command), the lines go to standard error, which gunicorn and systemd keep.
    if not has_level_handler(logger):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
    app.before_request(_start)
    app.after_request(_send_id)


def _start() -> None:
    g.request_id = secrets.token_hex(8)


def _send_id(response):
    if "request_id" in g:
        response.headers["X-Request-ID"] = g.request_id
    return response


def _operator() -> str | None:
    """The system account that ran a ``flask`` command, if the system knows it."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name and no entry in the password database
        return None


def record(event: str, *, user_id: int | None = None, **details) -> None:
    """Write one audit line for *event*; *user_id* defaults to the signed-in user's."""
    web = has_request_context()
    if user_id is None and web and current_user.is_authenticated:
        user_id = current_user.row.id
    line = {
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
        "user": user_id,
        "address": request.remote_addr if web else None,
        "request_id": g.get("request_id") if web else None,
        "via": "web" if web else "command line",
        "event": event,
        "details": details,
    }
    if not web:
        line["operator"] = _operator()
    logger.info(json.dumps(line, default=str, sort_keys=True))
