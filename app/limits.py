"""Rate limits (Flask-Limiter): failed sign-ins per address, downloads per user.

Counts live in memory by default (one process); set ``LETTERTRAIL_RATELIMIT_STORAGE_URI``
(``redis://127.0.0.1:6379``) to share them between workers. Each limit is a config key.
"""

from flask import Flask
from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user

limiter = Limiter(key_func=get_remote_address)


def init_app(app: Flask) -> None:
    """Count requests on *app* against the limits below."""
    limiter.init_app(app)


def _per_user() -> str:
    if current_user.is_authenticated:
        return f"user:{current_user.row.id}"
    return f"address:{get_remote_address()}"


def _config(name: str):
    return lambda: current_app.config[name]


# Only refused sign-ins count: a school sharing one address can still sign in.
sign_in = limiter.limit(
    _config("RATELIMIT_SIGN_IN"), methods=["POST"], deduct_when=lambda r: r.status_code == 401
)
# Exports and PDF sheets are costly to build: each user has one budget for each kind.
exports = limiter.shared_limit(_config("RATELIMIT_EXPORTS"), scope="exports", key_func=_per_user)
sheets = limiter.shared_limit(_config("RATELIMIT_SHEETS"), scope="sheets", key_func=_per_user)
