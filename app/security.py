"""Security headers on every response: CSP, nosniff, referrer, charset, caching, HSTS."""

from flask import Flask
from flask import current_app
from flask import request
from flask_login import current_user

from app import public

# Only our own scripts, styles and images; no plugins, no <base>, never framed.
# The counter views set their own policy (the embeddable one may be framed anywhere).
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self';"
    " object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HSTS_SECONDS = 365 * 24 * 3600
CONFIGURED_DEBUG = "lettertrail.configured_debug"


def init_app(app: Flask) -> None:
    """Add the headers to every response of *app*; HTTPS turns on secure cookies and HSTS."""
    # The flask command later resets DEBUG from FLASK_DEBUG; gunicorn keeps the config's
    # value, so check-deploy reads this one.
    app.extensions[CONFIGURED_DEBUG] = bool(app.config.get("DEBUG"))
    if app.config.get("HTTPS"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        app.config["PREFERRED_URL_SCHEME"] = "https"
    app.after_request(add_headers)


def add_headers(response):
    """Set the security headers that *response* does not set itself."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if response.mimetype.startswith("text/") and not response.mimetype_params.get("charset"):
        response.mimetype_params["charset"] = "utf-8"
    if not public.is_public() and request.endpoint != "static" and current_user.is_authenticated:
        # What a signed-in reader sees (pages, exports, PDFs) stays out of every cache.
        headers["Cache-Control"] = "no-store"
    if current_app.config.get("HTTPS"):
        headers.setdefault(
            "Strict-Transport-Security", f"max-age={HSTS_SECONDS}; includeSubDomains"
        )
    return response
