"""The supervisor's pages (司法局 / 综合执法办): overdue steps by agency and procedure with their age in
working days, alerts to acknowledge or resolve, the year's joint rate and non-onsite share per agency
against the target, refusals and overrides, the annual statistics with CSV download, and any instance's
history. Charts are bars drawn in HTML, so everything works without JavaScript."""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from engine import alerts
from engine.audit import trail
from engine.clock import SHANGHAI
from engine.domain import statistics
from engine.domain.decisions import decisions
from engine.domain.policy_admin import resolve_jurisdiction
from engine.models import ProcessInstance, TaskRecord
from web.presenters import shanghai
from web.security import current_user, login_required
from web.services import services

bp = Blueprint("supervise", __name__, url_prefix="/supervise")
SUPERVISORS = ("supervisor", "county_office", "administrator")


def _jurisdiction_code(session) -> str:
    """The supervisor's jurisdiction (LookupError when it cannot be told)."""
    return resolve_jurisdiction(session, current_user().jurisdiction).code


@bp.get("")
@login_required(*SUPERVISORS)
def dashboard():
    svc = services()
    now = svc.clock().now()
    year = request.args.get("year", type=int) or now.astimezone(SHANGHAI).year
    calendar = svc.runtime.calendar
    with svc.sessions() as session:
        late = list(session.scalars(select(TaskRecord).where(TaskRecord.state == "open", TaskRecord.due_at < now)
                                    .order_by(TaskRecord.due_at)))
        open_alerts = alerts.open_alerts(session)
        recent_decisions = decisions(session, limit=50)
        try:
            stats = statistics.annual_statistics(session, jurisdiction_code=_jurisdiction_code(session), year=year,
                                                 now=now)
        except LookupError:
            stats = None
    today = now.astimezone(SHANGHAI).date()
    grouped: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for task in late:
        assert task.due_at is not None
        age = max(calendar.working_days_through(task.due_at.astimezone(SHANGHAI).date(), today), 1)
        grouped[(task.agency or "—", task.process_key)].append({"task": task, "age": age})
    return render_template("supervise/dashboard.html", overdue=sorted(grouped.items()), alerts=open_alerts,
                           decisions=recent_decisions, stats=stats, year=year, shanghai=shanghai)


@bp.post("/alerts/<int:alert_id>/<action>")
@login_required(*SUPERVISORS)
def alert_status(alert_id: int, action: str):
    status = {"ack": "acknowledged", "resolve": "resolved"}.get(action)
    if status is None:
        abort(404)
    svc = services()
    try:
        with svc.transaction() as session:
            alerts.set_status(session, alert_id, status=status, actor=current_user().username, now=svc.clock().now())
        flash("已确认。" if status == "acknowledged" else "已处理完毕。", "ok")
    except LookupError:
        abort(404, description="没有这条预警。")
    except ValueError as err:
        flash(str(err), "error")
    return redirect(url_for("supervise.dashboard"))


@bp.get("/statistics.csv")
@login_required(*SUPERVISORS)
def statistics_csv():
    svc = services()
    year = request.args.get("year", type=int) or svc.clock().now().astimezone(SHANGHAI).year
    with svc.sessions() as session:
        try:
            code = _jurisdiction_code(session)
        except LookupError as err:
            abort(404, description=str(err))
        document = statistics.annual_statistics(session, jurisdiction_code=code, year=year, now=svc.clock().now())
    return Response(statistics.to_csv(document), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename=inspections-{year}.csv"})


@bp.get("/instances/<int:instance_id>")
@login_required(*SUPERVISORS)
def instance(instance_id: int):
    with services().sessions() as session:
        found = session.get(ProcessInstance, instance_id)
        if found is None:
            abort(404, description="没有这个流程实例。")
        tasks = list(session.scalars(select(TaskRecord).where(TaskRecord.instance_id == instance_id)
                                     .order_by(TaskRecord.created_at)))
        history = trail(session, instance_id)
    return render_template("supervise/instance.html", instance=found, tasks=tasks, history=history,
                           shanghai=shanghai)
