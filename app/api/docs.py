"""``GET /api/v1/openapi.json``: the OpenAPI document, generated from the validating models."""

import copy
import re

from flask import current_app

from app.api.base import bp
from app.api.base import spec

_DOCUMENT_KEY = "lettertrail.openapi"


@bp.get("/openapi.json")
def openapi():
    """Describe this API as an OpenAPI 3.1 document."""
    return current_app.json.response(document())


def document() -> dict:
    """Return the app's OpenAPI document: spectree's, plus the headers it cannot describe."""
    cached = current_app.extensions.get(_DOCUMENT_KEY)
    if cached is not None:
        return cached
    doc = copy.deepcopy(spec.spec)
    for rule in current_app.url_map.iter_rules():
        view = current_app.view_functions.get(rule.endpoint)
        extra = getattr(view, "api_parameters", None)
        if not extra:
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = doc["paths"][path][method.lower()]
            operation["parameters"] = [*operation.get("parameters", []), *extra]
    current_app.extensions[_DOCUMENT_KEY] = doc
    return doc
