"""The JSON API under /api/v1 (OpenAPI document at /api/v1/openapi.json).

One module per resource; each route loads its input with a marshmallow schema, makes one engine call inside
the request's one transaction (web/api/unit.py) and dumps the result. Errors are always
`{"error": {"code", "message", "details"}}`.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from web.api import (  # noqa: E402,F401  (the route modules attach themselves to bp)
    alerts,
    attachments,
    cases,
    codes,
    copies,
    errors,
    inspections,
    instances,
    notifications,
    openapi,
    processes,
    statistics,
    task_desk,
    tasks,
)
