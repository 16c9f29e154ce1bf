"""Automatic alerts (R21) with their figures and the records behind them.

- 多头 `multi_head`: at least `alerts.multi_head_agencies` agencies at one enterprise within
  `alerts.multi_head_window_days` calendar days;
- 重复 `repeated`: the same agency at the same enterprise again within `alerts.repeat_window_days` with
  overlapping items;
- 高频次 `high_frequency`: routine on-site visits above the credit-class cap (possible only through an
  override) or triggered inspections above the reasonable yearly number (R16);
- `overdue`: an open task past its due moment (engine/runtime mirror), kept in step by `scan_overdue` from the
  open tasks' due-moment index.

Alerts are raised (or refreshed) through engine.platform.alerts, one open alert per kind and subject.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, literal, select, update
from sqlalchemy.orm import Session

from engine.domain.inspection_checks import credit_class_in, policy_for, routine_onsite_count
from engine.domain.policy import Policy
from engine.models import Alert, Inspection, TaskRecord
from engine.models.inspection import NOT_GOING_AHEAD
from engine.platform import alerts
from engine.platform.clock import SHANGHAI
from engine.platform.db import affected_rows

MULTI_HEAD, REPEATED, HIGH_FREQUENCY = "multi_head", "repeated", "high_frequency"
OVERDUE = alerts.OVERDUE_TASK


def raise_inspection_alerts(session: Session, inspection: Inspection, now: datetime) -> list[Alert]:
    """The R21 alerts a (newly planned or changed) inspection sets off."""
    if inspection.planned_start is None:
        return []
    policy = policy_for(inspection)
    raised = [_multi_head(session, inspection, policy.alerts.multi_head_agencies,
                          policy.alerts.multi_head_window_days, now),
              _repeated(session, inspection, policy.alerts.repeat_window_days, now),
              _high_frequency(session, inspection, policy, now)]
    return [alert for alert in raised if alert is not None]


def _nearby(session: Session, inspection: Inspection, days: int, *, same_agency: bool) -> list[Inspection]:
    # A window in calendar days (DOMAIN.md: "3 agencies within 30 CD"), not a working-day deadline.
    start = inspection.planned_start
    assert start is not None
    span = timedelta(days=days)
    query = select(Inspection).where(
        Inspection.enterprise_id == inspection.enterprise_id, Inspection.status.not_in(NOT_GOING_AHEAD),
        Inspection.planned_start >= start - span, Inspection.planned_start <= start + span)
    if same_agency:
        query = query.where(Inspection.agency_id == inspection.agency_id, Inspection.id != inspection.id)
    return list(session.scalars(query.order_by(Inspection.planned_start, Inspection.id)))


def _multi_head(session: Session, inspection: Inspection, threshold: int, days: int, now: datetime) -> Alert | None:
    nearby = _nearby(session, inspection, days, same_agency=False)
    agencies = sorted({i.agency.name for i in nearby})
    if len(agencies) < threshold:
        return None
    return alerts.raise_alert(
        session, kind=MULTI_HEAD, subject=f"enterprise:{inspection.enterprise_id}",
        message=f"多头检查预警：{inspection.enterprise.name} 在 {days} 日内有 {len(agencies)} 个单位检查"
                f"（阈值 {threshold}）：{'、'.join(agencies)}",
        details={"enterprise_id": inspection.enterprise_id, "agencies": agencies, "threshold": threshold,
                 "window_days": days, "inspections": [i.id for i in nearby],
                 "around": _iso(inspection.planned_start)},
        now=now,
    )


def _repeated(session: Session, inspection: Inspection, days: int, now: datetime) -> Alert | None:
    codes = {item.code for item in inspection.items}
    repeats = [(other, sorted(codes & {item.code for item in other.items}))
               for other in _nearby(session, inspection, days, same_agency=True)]
    repeats = [(other, overlap) for other, overlap in repeats if overlap]
    if not repeats:
        return None
    return alerts.raise_alert(
        session, kind=REPEATED, subject=f"inspection:{inspection.id}",
        message=f"重复检查预警：{inspection.agency.name} 在 {days} 日内对 {inspection.enterprise.name} "
                f"重复检查相同事项",
        details={"inspection_id": inspection.id, "window_days": days,
                 "repeats": [{"inspection_id": other.id, "planned_start": _iso(other.planned_start),
                              "items": overlap} for other, overlap in repeats]},
        now=now,
    )


def _high_frequency(session: Session, inspection: Inspection, policy: Policy, now: datetime) -> Alert | None:
    assert inspection.planned_start is not None
    year = inspection.planned_start.year
    credit_class = credit_class_in(session, inspection.enterprise_id, year)
    cap = policy.cap_for(credit_class)
    routine = routine_onsite_count(session, agency_id=inspection.agency_id, enterprise_id=inspection.enterprise_id,
                                   year=year)
    triggered = session.scalar(select(func.count()).select_from(Inspection).where(
        Inspection.agency_id == inspection.agency_id, Inspection.enterprise_id == inspection.enterprise_id,
        Inspection.trigger == "triggered", Inspection.status.not_in(NOT_GOING_AHEAD),
        Inspection.planned_start >= date(year, 1, 1), Inspection.planned_start <= date(year, 12, 31))) or 0
    reasonable = policy.alerts.triggered_reasonable_per_year
    over_cap = cap is not None and routine > cap
    if not over_cap and triggered <= reasonable:
        return None
    reasons = []
    if over_cap:
        reasons.append(f"例行现场检查 {routine} 次，超过{credit_class or ''}类上限 {cap} 次")
    if triggered > reasonable:
        reasons.append(f"触发式检查 {triggered} 次，超过合理频次 {reasonable} 次")
    return alerts.raise_alert(
        session, kind=HIGH_FREQUENCY,
        subject=f"enterprise:{inspection.enterprise_id}:agency:{inspection.agency_id}:{year}",
        message=f"高频次检查预警：{inspection.agency.name} 对 {inspection.enterprise.name}：{'；'.join(reasons)}",
        details={"enterprise_id": inspection.enterprise_id, "agency_id": inspection.agency_id, "year": year,
                 "credit_class": credit_class, "routine_onsite": routine, "cap": cap, "triggered": triggered,
                 "reasonable_triggered": reasonable},
        now=now,
    )


def _overdue_subject(task_id):
    return literal("task:") + task_id


def scan_overdue(session: Session, now: datetime) -> dict[str, int]:
    """Open an `overdue` alert for every open task past its due moment that has none yet; resolve those whose
    task is no longer open or no longer overdue. Returns how many it raised and resolved.

    Cost: it never reads the open tasks as a whole. New alerts come from the open tasks' due-moment index
    (`ix_task_open_due_at`), each probed against the open alerts' unique index, so a task already alerted costs
    one index probe and no row; the resolving pass is one UPDATE over the open overdue alerts. Raising goes
    through engine.platform.alerts, whose unique index keeps a concurrent scan from opening a second alert."""
    alerted = select(Alert.id).where(Alert.kind == OVERDUE, Alert.status.in_(alerts.OPEN_STATES),
                                     Alert.subject == _overdue_subject(TaskRecord.id))
    newly = list(session.scalars(select(TaskRecord).where(TaskRecord.state == "open", TaskRecord.due_at < now,
                                                          ~alerted.exists())
                                 .order_by(TaskRecord.due_at)))
    for task in newly:
        assert task.due_at is not None  # selected by due_at < now
        alerts.raise_alert(
            session, kind=OVERDUE, subject=alerts.overdue_subject(task.id),
            message=f"逾期：{task.name}（{task.candidate_group or '-'}，{task.agency or '-'}）应于 "
                    f"{task.due_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M} 前完成",
            details={"task_id": task.id, "instance_id": task.instance_id, "process_key": task.process_key,
                     "element_id": task.element_id, "agency": task.agency, "due_at": task.due_at.isoformat(),
                     "provisional": task.due_provisional},
            now=now,
        )
    still_overdue = select(TaskRecord.id).where(TaskRecord.state == "open", TaskRecord.due_at < now,
                                                _overdue_subject(TaskRecord.id) == Alert.subject)
    resolved = session.execute(
        update(Alert).where(Alert.kind == OVERDUE, Alert.status.in_(alerts.OPEN_STATES), ~still_overdue.exists())
        .values(status="resolved", resolved_at=now, resolved_by="scheduler", updated_at=now)
        .execution_options(synchronize_session=False))
    return {"raised": len(newly), "resolved": affected_rows(resolved)}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
