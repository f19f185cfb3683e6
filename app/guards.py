"""Requests no view should see, refused before any of them runs."""

from flask import Flask
from flask import abort
from flask import request


def init_app(app: Flask) -> None:
    """Check every request of *app* before its view (and before CSRF reads the form)."""
    app.before_request(refuse_nul)


def refuse_nul() -> None:
    """Refuse a NUL character in the URL: no slug, code or filter holds one, and
    PostgreSQL fails on a query that compares text with it (a 500, not a 404).

    :raise 404: for a NUL in the path.
    :raise 400: for a NUL in the query string.
    """
    if "\x00" in request.path:
        abort(404)
    if b"%00" in request.query_string or b"\x00" in request.query_string:
        abort(400)
