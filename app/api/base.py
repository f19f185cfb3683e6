"""The API blueprint, bearer-token sign-in, and :func:`operation`, which validates a request
with pydantic models and describes the endpoint in the OpenAPI document from the same
models (through spectree).

An endpoint module needs only this::

    from app.api.base import bp, operation

    @bp.get("/things")
    @operation(query=ThingQuery, ok={200: ThingList})
    def things(query: ThingQuery):
        \"\"\"List the things.\"\"\"
        return jsonify(...)

and one import line in ``app/api/__init__.py``.
"""

import functools
import re

from flask import Blueprint
from flask import current_app
from flask import g
from flask import request
from pydantic import BaseModel
from spectree import Response
from spectree import SecurityScheme
from spectree import SecuritySchemeData
from spectree import SpecTree
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import Forbidden
from werkzeug.exceptions import Unauthorized

from app import db
from app.extensions import csrf
from app.i18n import translate
from app.services import accounts
from app.services.errors import ValidationFailed
from models import Role
from models.idempotency import MAX_KEY_LENGTH

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# The API signs in with bearer tokens only, never with the session cookie, so CSRF
# (which rides on cookies) cannot reach it through a token. Flask-WTF's blanket check
# is off for this blueprint; _authenticate() applies it again to any state-changing
# request that carries cookies but no token, so a cookie-authenticated POST can never
# slip past it, now or if the API one day accepts cookies.
csrf.exempt(bp)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SIGNED_IN = (Role.STAFF, Role.COORDINATOR)
BEARER = "bearer"


class ErrorItem(BaseModel):
    """One problem: the field it concerns (``null`` for the request as a whole) and why."""

    field: str | None
    message: str


class ErrorBody(BaseModel):
    """Every error answer of the API."""

    errors: list[ErrorItem]


def _model_name(model) -> str:
    return getattr(model, "__name__", str(model))


spec = SpecTree(
    "flask",
    mode="strict",  # only what @operation describes
    title="Lettertrail API",
    version="1",
    description=(
        "Log and follow letters and greetings for prisoners of conscience. Writes need "
        "`Authorization: Bearer <token>` (ask staff, or create one under Account → API "
        'tokens). Errors are `{"errors": [{"field": …, "message": …}]}`.'
    ),
    security_schemes=[
        SecurityScheme(name=BEARER, data=SecuritySchemeData(type="http", scheme="bearer"))
    ],
    validation_error_model=ErrorBody,
    naming_strategy=_model_name,
    nested_naming_strategy=lambda _parent, child: child,
)

KEY_PATTERN = re.compile(r"[\x21-\x7e]{1," + str(MAX_KEY_LENGTH) + "}")
IDEMPOTENCY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": True,
    "description": (
        "A key of your choice, unique per request you mean (e.g. a UUID). Sending the same "
        "key and body again returns the first response byte for byte and logs nothing "
        "new; the same key with another body is a 422; while the first is running, 409."
    ),
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_KEY_LENGTH,
        "pattern": "^[!-~]+$",
    },
}


@bp.before_request
def _authenticate():
    """Sign the request in from its bearer token, if it has one.

    :raise 401: for a malformed, unknown or revoked token, or one of a disabled account.
    :raise 400: for a state-changing request with cookies, no token and no CSRF token.
    """
    g.api_user = None
    header = request.headers.get("Authorization")
    if header is None:
        if (
            request.method not in SAFE_METHODS
            and request.cookies
            and current_app.config["WTF_CSRF_ENABLED"]
        ):
            csrf.protect()
        return
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("Send Authorization: Bearer <token>.", "invalid_request")
    user = accounts.user_for_token(db.get_session(), token.strip())
    if user is None:
        raise _unauthorized("This token is not valid: unknown, revoked, or of a disabled account.")
    g.api_user = user


@bp.after_request
def _no_store(response):
    """Keep what a token could read out of every cache."""
    if g.get("api_user") is not None:
        response.headers["Cache-Control"] = "no-store"
    return response


def _unauthorized(message: str, error: str = "invalid_token") -> Unauthorized:
    challenge = WWWAuthenticate("bearer", {"realm": "Lettertrail API", "error": error})
    return Unauthorized(message, www_authenticate=challenge)


@bp.errorhandler(ValidationFailed)
def _invalid(failure: ValidationFailed):
    """Answer refused input with 422 and one entry per field."""
    body = {
        "errors": [
            {
                "field": None if e.field == "__all__" else e.field,
                "message": translate(e.message, e.params),
            }
            for e in failure.errors
        ]
    }
    return body, 422


def current_user():
    """Return the ``User`` the request's token belongs to (``None`` if it has none)."""
    return g.get("api_user")


def _refuse_invalid(messages: dict[str, str] | None):
    """Turn spectree's validation failure into ours, so errors keep one shape."""

    def before(_request, _response, error, _instance, _adapter):
        if error is not None:
            raise ValidationFailed.from_pydantic(error, messages or {})

    return before


def operation(
    *,
    ok: dict[int, type[BaseModel]],
    errors: tuple[int, ...] = (),
    roles: tuple[str, ...] | None = None,
    query: type[BaseModel] | None = None,
    json: type[BaseModel] | None = None,
    messages: dict[str, str] | None = None,
    idempotency_key: bool = False,
    tags: tuple[str, ...] = (),
):
    """Describe and guard an API view.

    *ok* maps success statuses to response models; *errors* lists the other statuses
    the view answers. *roles* requires a token of one of those roles (401 without
    one, 403 for another role). *query* and *json* are validated (422 with *messages*
    for the refused fields) and passed to the view as ``query=`` and ``json=``.
    *idempotency_key* requires the ``Idempotency-Key`` header (400 without one).
    """
    codes = {f"HTTP_{code}": model for code, model in ok.items()}
    statuses = set(errors) | {401}  # any request may carry a bad token
    if roles:
        statuses |= {403}
    if query or json:
        statuses |= {422}
    if idempotency_key:
        statuses |= {400}
    codes |= {f"HTTP_{code}": ErrorBody for code in sorted(statuses)}

    def decorator(view):
        validated = spec.validate(
            query=query,
            json=json,
            resp=Response(**codes),
            security={BEARER: []} if roles else {},
            before=_refuse_invalid(messages),
            tags=tags,
        )(view)

        @functools.wraps(validated)
        def guarded(*args, **kwargs):
            if roles:
                user = current_user()
                if user is None:
                    raise _unauthorized("Send Authorization: Bearer <token>.", "invalid_request")
                if user.role not in roles:
                    raise Forbidden("Your account may not do this.")
            if idempotency_key:
                key = request.headers.get("Idempotency-Key")
                if not key:
                    raise BadRequest(
                        "Send an Idempotency-Key header: a key of your choice, new for each "
                        "request you mean, the same when you retry one."
                    )
                if not KEY_PATTERN.fullmatch(key):
                    raise BadRequest(
                        f"An Idempotency-Key is 1 to {MAX_KEY_LENGTH} visible ASCII characters."
                    )
            return validated(*args, **kwargs)

        guarded.api_parameters = [IDEMPOTENCY_PARAMETER] if idempotency_key else []
        return guarded

    return decorator
