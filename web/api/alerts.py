"""Open alerts for supervisors and the county office, within their jurisdiction (filterable by kind)."""

from __future__ import annotations

from engine.identity.access import scope_of
from engine.platform import alerts as engine_alerts
from engine.views.supervision_scope import alerts_in_scope
from web.api import bp, unit
from web.api.auth import COUNTY_OFFICE, SUPERVISOR, current_user, requires
from web.api.bodies import query_args
from web.api.docs import documented
from web.api.schemas import AlertQuerySchema, AlertSchema


@bp.get("/alerts")
@requires(SUPERVISOR, COUNTY_OFFICE)
@documented(summary="Open and acknowledged alerts in the caller's jurisdiction, oldest first",
            query=AlertQuerySchema, response=AlertSchema,
            many=True, errors=(422,))
def list_alerts():
    filters = query_args(AlertQuerySchema())
    session = unit.session()
    alerts = engine_alerts.open_alerts(session, kind=filters.get("kind"))
    return AlertSchema(many=True).dump(alerts_in_scope(session, scope_of(session, current_user()), alerts))
