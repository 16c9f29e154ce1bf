"""Annual enforcement statistics of a jurisdiction in the caller's scope (theirs by default), as JSON or CSV."""

from __future__ import annotations

from flask import Response

from engine.domain import statistics as engine_statistics
from engine.domain.policy_admin import resolve_jurisdiction
from engine.identity.access import scope_of
from web.api import bp, unit
from web.api.auth import COUNTY_OFFICE, SUPERVISOR, current_user, requires
from web.api.bodies import query_args
from web.api.docs import documented
from web.api.errors import ApiError
from web.api.schemas import StatisticsQuerySchema, StatisticsSchema
from web.services import services


@bp.get("/statistics")
@requires(SUPERVISOR, COUNTY_OFFICE)
@documented(summary="Annual statistics per agency; ?format=csv gives text/csv", query=StatisticsQuerySchema,
            response=StatisticsSchema, errors=(403, 404, 422),
            content={"text/csv": {"schema": {"type": "string"}}})
def get_statistics():
    loaded = query_args(StatisticsQuerySchema())
    svc = services()
    session = unit.session()
    user = current_user()
    try:
        jurisdiction = resolve_jurisdiction(session, loaded.get("jurisdiction") or user.jurisdiction)
    except LookupError as err:
        raise ApiError(404, "jurisdiction_not_found", str(err)) from None
    scope = scope_of(session, user)
    if not scope.everything and jurisdiction.id not in scope.jurisdiction_ids:
        raise ApiError(403, "forbidden", "this jurisdiction is outside your scope", jurisdiction=jurisdiction.code,
                       reason="outside_scope")
    code = jurisdiction.code
    try:
        document = engine_statistics.annual_statistics(session, jurisdiction_code=code, year=loaded["year"],
                                                       now=svc.clock().now())
    except (ValueError, LookupError) as err:
        raise ApiError(404, "jurisdiction_not_found", str(err)) from None
    if loaded["format"] == "csv":
        return Response(engine_statistics.to_csv(document), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="statistics-{code}-'
                                                        f'{loaded["year"]}.csv"'})
    return StatisticsSchema().dump(document)
