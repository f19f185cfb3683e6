"""The JSON API under ``/api/v1``: one module per resource, all on this blueprint.

Errors answer ``{"errors": [{"field": …, "message": …}]}`` (see app/errors.py).
"""

from flask import Blueprint
from flask import jsonify

from app.services.errors import ValidationFailed

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.errorhandler(ValidationFailed)
def _invalid(failure: ValidationFailed):
    """Answer refused input with 422 and one entry per field."""
    body = {"errors": [{"field": e.field, "message": e.message} for e in failure.errors]}
    return jsonify(body), 422


# The resource modules add their routes to ``bp`` when imported.
from app.api import totals  # noqa: E402, F401
