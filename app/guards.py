"""Requests no view should see, refused before any of them runs."""

from flask import Flask
from flask import abort
from flask import current_app
from flask import request
from flask_babel import gettext


def init_app(app: Flask) -> None:
    """Check every request of *app* before its view (and before CSRF reads the form)."""
    app.before_request(refuse_nul)
    app.before_request(refuse_large_body)


def refuse_nul() -> None:
    """Refuse a NUL character in the URL: no slug, code or filter holds one, and
    PostgreSQL fails on a query that compares text with it (a 500, not a 404).

    :raise 404: for a NUL in the path.
    :raise 400: for a NUL in the query string (422 from the API, which answers every
        refused value so).
    """
    if "\x00" in request.path:
        abort(404)
    if b"%00" in request.query_string or b"\x00" in request.query_string:
        code = 422 if request.path.startswith("/api/") else 400
        abort(code, description=gettext("Remove the NUL character."))


def allow_body(max_bytes: int):
    """Let a view take a body of up to *max_bytes* instead of ``MAX_CONTENT_LENGTH``.

    The view then reports a larger body itself (Werkzeug raises a 413 as it reads),
    so it can say what to do instead. Put it right under the route decorator.
    """

    def decorate(view):
        view.max_content_length = max_bytes
        return view

    return decorate


def refuse_large_body() -> None:
    """Refuse a body over ``MAX_CONTENT_LENGTH`` from its Content-Length, before any view.

    Werkzeug refuses one only once something reads it, so a view that never reads its
    body (the API's status changes) would otherwise act on a request of any size. A body
    sent without a length is cut off at the limit as it is read.

    :raise 413: for a body over the limit.
    """
    view = current_app.view_functions.get(request.endpoint)
    allowed = getattr(view, "max_content_length", None)
    if allowed is not None:
        request.max_content_length = allowed
        return
    limit = request.max_content_length
    if limit is not None and (request.content_length or 0) > limit:
        abort(413)
