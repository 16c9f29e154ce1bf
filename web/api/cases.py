"""案件查询 over the API: cases (process instances) found by enterprise, business key, procedure, state, start days
and agency, scoped like the inbox (engine.views.case_search), each with where it stands now: its open tasks and
the timers it waits on with when they fire (engine.views.case_status)."""

from __future__ import annotations

from engine.views.case_search import CaseQuery, search_cases
from engine.views.case_status import CaseNow, cases_now
from web.api import bp, unit
from web.api.auth import TASK_ROLES, requires, scope
from web.api.bodies import query_args
from web.api.docs import documented
from web.api.schemas import CaseQuerySchema, CaseSchema


@bp.get("/cases")
@requires(*TASK_ROLES)
@documented(summary="Cases the user may see (staff and heads: their agency's and its joint inspections'; supervisors "
                    "and the county office: their jurisdiction's), newest first, with their open tasks and the "
                    "timers they wait on", query=CaseQuerySchema, response=CaseSchema, many=True, errors=(422,))
def search_cases_api():
    filters = query_args(CaseQuerySchema())
    limit = filters.pop("limit")
    session = unit.session()
    found = cases_now(session, search_cases(session, scope(session), CaseQuery(**filters), limit=limit))
    return CaseSchema(many=True).dump([case_body(case) for case in found])


def case_body(case: CaseNow) -> dict:
    """A case where it stands now (engine.views.case_status), in CaseSchema's fields."""
    return {"id": case.instance.id, "process_key": case.instance.process_key,
            "business_key": case.instance.business_key, "status": case.instance.status,
            "started_by": case.instance.started_by, "created_at": case.instance.created_at,
            "completed_at": case.instance.completed_at, "enterprise": case.enterprise,
            "open_tasks": case.open_steps, "timers": case.timers}
