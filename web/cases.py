"""案件查询: the case search page (issue 12 item 4) for staff, heads, the county office, supervisors and
administrators, scoped like the inbox (engine.views.case_search): by enterprise (part of its name or its credit
code), business key, procedure, state, the days it was started and agency. Each case found shows where it stands:
its open steps and the timers it waits on with the moment each fires. Thin: one read model call."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, render_template, request
from flask_babel import gettext as _

from engine.identity import access
from engine.views.case_search import STATES, CaseQuery, search_cases, workable_steps
from engine.views.case_status import cases_now
from engine.views.overdue import filter_agencies
from web.inbox import PROCESSES
from web.presenters import shanghai
from web.security import current_user, login_required
from web.services import services

bp = Blueprint("cases", __name__)
SEARCHERS = (*access.WORKING_ROLES, "administrator")
INSTANCE_PAGE_ROLES = ("supervisor", "county_office", "administrator")  # who may open supervise.instance


def _day(name: str) -> date | None:
    """A date field of the query string; a malformed one is ignored with a message."""
    text = (request.args.get(name) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        flash(_("日期格式应为 年-月-日：%(text)s", text=text), "error")
        return None


def _query() -> CaseQuery:
    state = request.args.get("state") or None
    return CaseQuery(enterprise=request.args.get("enterprise") or None,
                     business_key=request.args.get("key") or None,
                     process_key=request.args.get("process") or None,
                     state=state if state in STATES else None,
                     started_from=_day("from"), started_to=_day("to"),
                     agency=request.args.get("agency") or None)


@bp.get("/cases")
@login_required(*SEARCHERS)
def search():
    svc, user = services(), current_user()
    wanted = _query()
    with svc.sessions() as session:
        scope = access.scope_of(session, user)
        # The agencies a jurisdiction's users oversee; staff and heads search their own agency's cases anyway.
        agencies = [] if scope.role in access.AGENCY_ROLES else filter_agencies(session, scope)
        found = cases_now(session, search_cases(session, scope, wanted))
        workable = workable_steps(session, scope, {step.id for case in found for step in case.open_steps})
    return render_template("cases.html", wanted=wanted, cases=found,
                           agencies=agencies, processes=PROCESSES, states=STATES, shanghai=shanghai,
                           linked=user.role in INSTANCE_PAGE_ROLES, workable=workable)
