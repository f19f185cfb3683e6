"""Error pages: HTML for people, JSON under ``/api/``; a 500 rolls the session back."""

from flask import Flask
from flask import current_app
from flask import g
from flask import jsonify
from flask import make_response
from flask import render_template
from flask import request
from flask_babel import format_decimal
from flask_babel import gettext
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import InternalServerError
from werkzeug.exceptions import NotFound as HTTPNotFound
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.exceptions import SecurityError
from werkzeug.wrappers import Response

from app import audit
from app.services.errors import N_
from app.services.errors import NotFound

_TITLES = {
    400: N_("Bad request"),
    401: N_("Please sign in"),
    403: N_("Not allowed"),
    404: N_("Page not found"),
    405: N_("Not allowed"),
    409: N_("Conflict"),
    413: N_("Too large"),
    422: N_("Please check the form"),
    429: N_("Too many requests"),
    500: N_("Something went wrong"),
}
# Said instead of the limit ("10 per 1 minute") when a rate limit refuses a request.
_TOO_MANY = N_("You have tried this too often. Please wait a minute, then try again.")
# Said instead of Werkzeug's "The data value transmitted exceeds the capacity limit."
_TOO_LARGE = N_(
    "What you sent is larger than %(size)s MB, more than this page takes. "
    "Send less, or split it up."
)
_MIB = 1024 * 1024


def wants_json() -> bool:
    """Tell whether this request should be answered in JSON."""
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"
    )


def init_app(app: Flask) -> None:
    """Register the handlers on the app, so unknown URLs (404/405) reach them too."""
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(NotFound, _refused_not_found)
    app.register_error_handler(Exception, handle_unexpected)


def _refused_not_found(_exc: NotFound):
    """A service found nothing the user may see (none, or another chapter's): 404."""
    _record_refusal(404)
    return _answer(HTTPNotFound())


def _record_refusal(status: int) -> None:
    audit.record("access_refused", status=status, method=request.method, path=request.path)


def handle_http(exc: HTTPException):
    """Render *exc* as a page or a JSON error, keeping its status and headers."""
    if isinstance(exc, SecurityError):
        # An untrusted Host header: nothing that builds a URL (the page's links, the
        # audit line's address) can run, so answer in plain words.
        return Response(f"{exc.code} {gettext(_TITLES[400])}\n", exc.code, mimetype="text/plain")
    if exc.code == 403 or (
        # A view's abort(404): a signed-in user asked for an id that is not theirs to see
        # (unknown URLs and anonymous misses are not refusals and stay out of the log).
        exc.code == 404 and request.url_rule is not None and current_user.is_authenticated
    ):
        _record_refusal(exc.code)
    return _answer(exc)


def _answer(exc: HTTPException):
    code = exc.code or 500
    title = gettext(_TITLES[code]) if code in _TITLES else exc.name
    if code == 429:
        exc.description = gettext(_TOO_MANY)
    if code == 413 and exc.description == RequestEntityTooLarge.description:
        limit = request.max_content_length or current_app.config["MAX_CONTENT_LENGTH"]
        exc.description = gettext(_TOO_LARGE, size=format_decimal(round(limit / _MIB, 1)))
    if wants_json():
        response = jsonify({"errors": [{"field": None, "message": exc.description or title}]})
    else:
        template = f"errors/{code}.html" if code in (403, 404, 500) else "errors/error.html"
        response = make_response(render_template(template, code=code, title=title, exc=exc))
    response.status_code = code
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def handle_unexpected(exc: Exception):
    """Roll back, log, and answer 500 without showing what went wrong inside."""
    session = g.get("_lettertrail_session")
    if session is not None:
        session.rollback()
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return handle_http(InternalServerError())
