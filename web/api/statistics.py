"""Annual enforcement statistics of a jurisdiction, as JSON or as CSV."""

from __future__ import annotations

from flask import Response

from engine.domain import statistics as engine_statistics
from engine.domain.policy_admin import resolve_jurisdiction
from web.api import bp
from web.api.auth import SUPERVISOR, requires
from web.api.bodies import query_args
from web.api.docs import documented
from web.api.errors import ApiError
from web.api.schemas import StatisticsQuerySchema, StatisticsSchema
from web.services import services


@bp.get("/statistics")
@requires(SUPERVISOR)
@documented(summary="Annual statistics per agency; ?format=csv gives text/csv", query=StatisticsQuerySchema,
            response=StatisticsSchema, errors=(404, 422),
            content={"text/csv": {"schema": {"type": "string"}}})
def get_statistics():
    loaded = query_args(StatisticsQuerySchema())
    svc = services()
    with svc.sessions() as session:
        try:
            code = loaded.get("jurisdiction") or resolve_jurisdiction(session, None).code
            document = engine_statistics.annual_statistics(session, jurisdiction_code=code, year=loaded["year"],
                                                           now=svc.clock().now())
        except (ValueError, LookupError) as err:
            raise ApiError(404, "jurisdiction_not_found", str(err)) from None
    if loaded["format"] == "csv":
        return Response(engine_statistics.to_csv(document), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="statistics-{code}-'
                                                        f'{loaded["year"]}.csv"'})
    return StatisticsSchema().dump(document)
