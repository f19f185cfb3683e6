"""Error pages: HTML for people, JSON under ``/api/``; a 500 rolls the session back."""

from flask import Flask
from flask import current_app
from flask import g
from flask import jsonify
from flask import make_response
from flask import render_template
from flask import request
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import InternalServerError
from werkzeug.exceptions import NotFound as HTTPNotFound

from app.services.errors import NotFound

_TITLES = {
    400: "Bad request",
    401: "Please sign in",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed",
    409: "Conflict",
    413: "Too large",
    422: "Please check the form",
    429: "Too many requests",
    500: "Something went wrong",
}


def wants_json() -> bool:
    """Tell whether this request should be answered in JSON."""
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"
    )


def init_app(app: Flask) -> None:
    """Register the handlers on the app, so unknown URLs (404/405) reach them too."""
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(NotFound, lambda _exc: handle_http(HTTPNotFound()))
    app.register_error_handler(Exception, handle_unexpected)


def handle_http(exc: HTTPException):
    """Render *exc* as a page or a JSON error, keeping its status and headers."""
    code = exc.code or 500
    title = _TITLES.get(code, exc.name)
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
