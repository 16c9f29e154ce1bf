"""Open alerts for supervisors (filterable by kind)."""

from __future__ import annotations

from engine import alerts as engine_alerts
from web.api import bp
from web.api.auth import SUPERVISOR, requires
from web.api.bodies import query_args
from web.api.docs import documented
from web.api.schemas import AlertQuerySchema, AlertSchema
from web.services import services


@bp.get("/alerts")
@requires(SUPERVISOR)
@documented(summary="Open and acknowledged alerts, oldest first", query=AlertQuerySchema, response=AlertSchema,
            many=True, errors=(422,))
def list_alerts():
    filters = query_args(AlertQuerySchema())
    with services().sessions() as session:
        return AlertSchema(many=True).dump(engine_alerts.open_alerts(session, kind=filters.get("kind")))
