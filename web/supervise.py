"""The supervisor's pages (司法局 / 综合执法办), scoped to the user's jurisdiction and those below it
(engine.identity.access): overdue steps with drill-down filters (agency, procedure, age in working days) each linking to
the instance's history and audit trail, alerts to acknowledge or resolve, the year's joint rate and non-onsite
share per agency against the target, refusals and overrides, the annual statistics with CSV download, and the
proposed joint inspections the county office merges (R18). Charts are bars drawn in HTML, so everything works
without JavaScript."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.commands import Actor, NotPermitted, supervision
from engine.domain import statistics
from engine.domain.errors import Refused
from engine.domain.policy_admin import resolve_jurisdiction
from engine.identity import access
from engine.platform.audit import trail
from engine.platform.clock import SHANGHAI
from engine.runtime import instances
from engine.views.instances import instance_in_scope, instance_steps
from engine.views.joint_desk import joint_proposals
from engine.views.overdue import AGE_BUCKETS, filter_agencies, overdue_steps
from engine.views.supervision_scope import decisions_in_scope, open_alerts
from web.history_view import history_lines
from web.inbox import PROCESSES
from web.labels import statistics_headers
from web.presenters import shanghai
from web.security import current_user, login_required
from web.services import services

bp = Blueprint("supervise", __name__, url_prefix="/supervise")
SUPERVISORS = ("supervisor", "county_office", "administrator")


def _jurisdiction_code(session) -> str:
    """The supervisor's jurisdiction (LookupError when it cannot be told)."""
    return resolve_jurisdiction(session, current_user().jurisdiction).code


def _scope(session) -> access.Scope:
    return access.scope_of(session, current_user())


def _drill_down() -> dict:
    """The overdue view's filters from the query string; an unknown age bucket is ignored with a message."""
    bucket = request.args.get("age") or None
    if bucket is not None and bucket not in AGE_BUCKETS:
        flash(_("未知的逾期时长筛选：%(bucket)s", bucket=bucket), "error")
        bucket = None
    return {"agency": request.args.get("agency") or None, "process_key": request.args.get("process") or None,
            "bucket": bucket}


def _year(now) -> int:
    """The year asked for (this year by default); a 400 naming the range for one statistics cannot cover."""
    year = request.args.get("year", type=int) or now.astimezone(SHANGHAI).year
    if year not in statistics.STATISTICS_YEARS:
        abort(400, description=_("年份应在 %(first)s 至 %(last)s 之间。", first=statistics.STATISTICS_YEARS[0],
                                 last=statistics.STATISTICS_YEARS[-1]))
    return year


@bp.get("")
@login_required(*SUPERVISORS)
def dashboard():
    svc = services()
    now = svc.clock().now()
    year = _year(now)
    wanted = _drill_down()
    with svc.sessions() as session:
        scope = _scope(session)
        late = overdue_steps(session, scope, svc.runtime.calendar, now, **wanted)
        agencies = filter_agencies(session, scope)
        open_ones = open_alerts(session, scope)
        recent_decisions = decisions_in_scope(session, scope, limit=50)
        proposals = joint_proposals(session, scope)
        try:
            stats = statistics.annual_statistics(session, jurisdiction_code=_jurisdiction_code(session), year=year,
                                                 now=now)
        except LookupError:
            stats = None
    return render_template("supervise/dashboard.html", overdue=late, wanted=wanted, agencies=agencies,
                           processes=PROCESSES, buckets=AGE_BUCKETS, alerts=open_ones,
                           decisions=recent_decisions, stats=stats, year=year, proposals=proposals,
                           may_merge=scope.may_merge, today=now.astimezone(SHANGHAI).date(), shanghai=shanghai)


@bp.post("/alerts/<int:alert_id>/<action>")
@login_required(*SUPERVISORS)
def alert_status(alert_id: int, action: str):
    status = {"ack": "acknowledged", "resolve": "resolved"}.get(action)
    if status is None:
        abort(404)
    try:
        with services().work() as work:
            supervision.set_alert_status(work, Actor.of(current_user()), alert_id, status)
        flash(_("已确认。") if status == "acknowledged" else _("已处理完毕。"), "ok")
    except NotPermitted:
        abort(403, description=_("这条预警不在您的辖区内。"))
    except LookupError:
        abort(404, description=_("没有这条预警。"))
    except ValueError as err:
        flash(str(err), "error")
    return redirect(url_for("supervise.dashboard"))


def _day(field: str) -> date:
    """A date from the merge form; ValueError naming the field when it is missing or malformed."""
    try:
        return date.fromisoformat(request.form.get(field, ""))
    except ValueError:
        raise ValueError(_("%(field)s：请填写日期（年-月-日）", field={"planned_start": _("开始日期"),
                                                               "planned_end": _("结束日期")}[field])) from None


def _inspection_ids() -> list[int]:
    values = request.form.getlist("inspection_id")
    if len(values) < 2 or not all(v.isdigit() for v in values):
        raise ValueError(_("请选择两项以上检查"))
    return [int(v) for v in values]


@bp.post("/joint/merge")
@login_required(*SUPERVISORS)
def merge_joint():
    """Merge a proposed set of inspections into one joint inspection (综合查一次, R18): the county office only."""
    if current_user().role not in access.MERGING_ROLES:
        abort(403, description=_("只有县综合执法办可以合并联合检查。"))
    try:
        inspection_ids = _inspection_ids()
        lead = request.form.get("lead_agency_id", type=int)
        start, end = _day("planned_start"), _day("planned_end")
        with services().work() as work:
            group_id = supervision.merge_joint(work, Actor.of(current_user()), inspection_ids=inspection_ids,
                                               planned_start=start, planned_end=end, lead_agency_id=lead).id
        flash(_("已合并为联合检查（第 %(id)s 组），%(start)s 至 %(end)s。", id=group_id, start=start, end=end), "ok")
    except NotPermitted:
        abort(403, description=_("这些检查不全在您的辖区内。"))
    except Refused as refusal:
        flash(_("未合并（%(rule)s）：%(message)s", rule=refusal.rule, message=refusal.message), "error")
    except ValueError as err:
        flash(_("未合并：%(reason)s", reason=err), "error")
    return redirect(url_for("supervise.dashboard") + "#joint")


@bp.get("/statistics.csv")
@login_required(*SUPERVISORS)
def statistics_csv():
    svc = services()
    year = _year(svc.clock().now())
    with svc.sessions() as session:
        try:
            code = _jurisdiction_code(session)
        except LookupError as err:
            abort(404, description=str(err))
        document = statistics.annual_statistics(session, jurisdiction_code=code, year=year, now=svc.clock().now())
    return Response(statistics.to_csv(document, statistics_headers()), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename=inspections-{year}.csv"})


@bp.get("/instances/<int:instance_id>")
@login_required(*SUPERVISORS)
def instance(instance_id: int):
    with services().sessions() as session:
        scope = _scope(session)
        try:
            found = instance_in_scope(session, scope, instance_id)
        except NotPermitted:
            abort(403, description=_("这个流程实例不在您的辖区内。"))
        if found is None:
            abort(404, description=_("没有这个流程实例。"))
        # Open steps in the user's own lane (e.g. the 司法局's 督办) link to their task page, to be worked.
        steps = instance_steps(session, scope, instance_id)
        tasks = steps.tasks
        step_names = {**{t.element_id: t.name for t in tasks}, **{t.id: t.name for t in tasks}}
        history = history_lines(trail(session, instance_id), step_names=step_names,
                                form_labels=instances.form_labels(services().runtime, session,
                                                                  found.process_version_id))
    return render_template("supervise/instance.html", instance=found, tasks=tasks, history=history,
                           workable=steps.workable, shanghai=shanghai)
