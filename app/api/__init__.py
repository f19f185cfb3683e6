"""The JSON API under ``/api/v1``: one module per resource, all on this blueprint.

Errors answer ``{"errors": [{"field": …, "message": …}]}`` (see app/errors.py).
"""

from flask import Blueprint
from flask import jsonify

from app.i18n import translate
from app.services.errors import ValidationFailed

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.errorhandler(ValidationFailed)
def _invalid(failure: ValidationFailed):
    """Answer refused input with 422 and one entry per field."""
    body = {
        "errors": [
            {"field": e.field, "message": translate(e.message, e.params)} for e in failure.errors
        ]
    }
    return jsonify(body), 422


# Each module adds its routes to ``bp``; imported last because they import ``bp``.
from app.api import postage  # noqa: E402, F401
