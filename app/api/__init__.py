"""The JSON API under ``/api/v1``: one module per resource, all on one blueprint.

A resource module imports ``bp`` and ``operation`` from :mod:`app.api.base`, which
also signs requests in from their bearer token; importing it below adds its routes
to ``bp`` and its operations to ``/api/v1/openapi.json``. Errors answer
``{"errors": [{"field": …, "message": …}]}`` (see app/errors.py).
"""

# isort: off
# bp first: a module may import it from here (app.api.postage does).
from app.api.base import bp
from app.api import campaigns  # noqa: F401
from app.api import docs  # noqa: F401
from app.api import mailings  # noqa: F401
from app.api import postage  # noqa: F401
from app.api import totals  # noqa: F401

# isort: on

__all__ = ["bp"]
