"""Public responses (counters, the totals API): no cookie at all, whoever is reading.

Flask refreshes a signed-in reader's permanent session cookie on every response;
a counter projected in a classroom must not, and must never start a session either.
``public`` marks a view; the session interface then skips saving, and an
``after_request`` hook drops any other cookie an extension might add.
"""

import functools

from flask import Flask
from flask import g
from flask.sessions import SecureCookieSessionInterface

_FLAG = "_lettertrail_public"


def public(view):
    """Mark *view* public: its responses carry no ``Set-Cookie`` header."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        setattr(g, _FLAG, True)
        return view(*args, **kwargs)

    wrapped.public = True
    return wrapped


def is_public() -> bool:
    """Tell whether the current request is answered by a public view."""
    return bool(g.get(_FLAG))


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, left unsaved on public responses."""

    def save_session(self, app, session, response) -> None:
        if is_public():
            return None
        return super().save_session(app, session, response)


def _drop_cookies(response):
    if is_public():
        response.headers.remove("Set-Cookie")
    return response


def init_app(app: Flask) -> None:
    """Install the session interface and the cookie guard on *app*."""
    app.session_interface = SessionInterface()
    app.after_request(_drop_cookies)
