"""The inspection record follows its procedure (issue 11 defect 6). Caps (R15/R17), the R21 alerts, statistics
and the portal read the record, never the diagram, so every step that changes the case changes the record, in
the step's own transaction (the diagrams' `inspectflow:action` steps, engine.domain.stages):

    planned → approved → noticed → in_progress → completed → closed

A plan the county office's check or the head refuses is `refused` until it is checked again; one that will not
go ahead (the quiet-period override refused, R11) is `withdrawn`. Neither counts against a cap nor sets off an
alert (models.inspection.NOT_GOING_AHEAD), and a `repeated` alert it set off earlier is resolved.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.domain import behavior_code
from engine.domain.inspection_alerts import REPEATED, raise_inspection_alerts
from engine.domain.inspection_checks import credit_class_in, policy_for, timing_window
from engine.models import Inspection
from engine.models.vocabulary import ALLOWED_WINDOW_EXEMPTIONS, QUIET_PERIOD_EXEMPTIONS
from engine.platform import alerts
from engine.platform.clock import SHANGHAI
from engine.runtime.stages import StageContext

# Which statuses a step may move the record from: a step never moves a record back past a later step (a joint
# member already visited, an urgent inspection recorded from its start data).
BEFORE_VISIT = ("planned", "approved", "refused", "noticed")


def move(inspection: Inspection, status: str, *, allowed_from: tuple[str, ...]) -> None:
    if inspection.status in allowed_from:
        inspection.status = status


def set_aside(session: Session, inspection: Inspection, status: str, actor: str, now: datetime) -> None:
    """`refused` or `withdrawn`: the visit is not going ahead, so the repeated-inspection alert it set off goes."""
    move(inspection, status, allowed_from=BEFORE_VISIT)
    alerts.resolve(session, kind=REPEATED, subject=f"inspection:{inspection.id}", actor=actor, now=now)


def follow_plan_check(session: Session, inspection: Inspection, *, goes_ahead: bool, actor: str,
                      now: datetime) -> None:
    """The county office's check (R5): a plan that passes is `planned` (awaiting the head) and sets off the R21
    alerts; one it refuses or returns is `refused` and sets off none, for a visit that never happened."""
    if goes_ahead:
        move(inspection, "planned", allowed_from=("planned", "refused"))
        raise_inspection_alerts(session, inspection, now)
    else:
        set_aside(session, inspection, "refused", actor, now)


def moment_of(value: object, now: datetime) -> datetime | None:
    """A form's date or datetime as a moment: a datetime as given; a date at the time of day it was recorded."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if len(value) > 10 and parsed.tzinfo is not None:
        return parsed
    return datetime.combine(parsed.date(), now.astimezone(SHANGHAI).time(), SHANGHAI)


def record_refused_plan(context: StageContext, inspection: Inspection) -> None:
    """The head returned the plan (R6 not given): `refused` until it is checked and approved again."""
    step = context.step
    set_aside(step.session, inspection, "refused", step.actor, step.now)


def record_noticed(inspection: Inspection) -> None:
    """The notice given (R8) or its exemption recorded."""
    move(inspection, "noticed", allowed_from=("planned", "approved", "noticed"))


def code_for(vocabulary: dict[str, str], value: object) -> str | None:
    """The vocabulary code for a code or its Chinese label (None when it is neither): diagram forms speak
    Chinese, the records keep the codes."""
    if value in vocabulary:
        return str(value)
    return next((code for code, label in vocabulary.items() if label == value), None)


def claimed_exemption(data: Mapping[str, Any]) -> Any:
    """The plan form's R12 special case (安静期特殊情形), or an R14 exemption, as its code; `exemption_reason` is
    the older key for the same claim."""
    exemption = data.get("quiet_exemption") or data.get("exemption_reason")
    return code_for(QUIET_PERIOD_EXEMPTIONS, exemption) or code_for(ALLOWED_WINDOW_EXEMPTIONS, exemption) \
        or exemption


def quiet_route(data: Mapping[str, Any], needs_override: bool, case: str | None,
                exemption: object) -> tuple[bool, str | None]:
    """(override needed, R12 case) for the day: the policy's finding, or — when the county office knows the day
    is in the enterprise's quiet period though the policy does not place it there (`in_quiet_period`) — the
    same two ways out (002(三))."""
    if data.get("in_quiet_period") is True and not (needs_override or case):
        case = code_for(QUIET_PERIOD_EXEMPTIONS, exemption)
        needs_override = case is None
    return needs_override, case


def follow_planned_day(inspection: Inspection, form_day: object) -> None:
    """A form may move the visit day (the plan, 调整检查日期): the record, which every rule is checked against,
    follows it, keeping the window's length, so the checks judge the day actually planned."""
    try:
        day = date.fromisoformat(str(form_day))
    except ValueError:
        return
    if inspection.planned_start is None or day == inspection.planned_start:
        return
    length = (inspection.planned_end - inspection.planned_start) if inspection.planned_end else None
    inspection.planned_start = day
    inspection.planned_end = day + length if length is not None else day


def record_reschedule(context: StageContext, inspection: Inspection) -> dict:
    """调整检查日期 (advance_notice): the record takes the new day, and whether that day is in the enterprise's
    quiet period is judged again (R10–R12): the lifecycle routes on `needs_quiet_override` / `quiet_period_case`
    when the notice procedure returns. The county office's `in_quiet_period` finding stands (moving the day never
    lifts it); the R21 alerts are raised again for the new day."""
    data, step = context.data, context.step
    follow_planned_day(inspection, data.get("inspection_date"))
    behavior_code.follow_planned_window(step.session, inspection, step.calendar)
    day = inspection.planned_start
    if day is None:
        return {}
    exemption = claimed_exemption(data)
    credit_class = credit_class_in(step.session, inspection.enterprise_id, day.year)
    _, needs_override, case = timing_window(inspection, day, credit_class, policy_for(inspection), exemption)
    needs_override, case = quiet_route(data, needs_override, case, exemption)
    raise_inspection_alerts(step.session, inspection, step.now)
    return {"needs_quiet_override": needs_override, "quiet_period_case": case}


def record_visit(context: StageContext, inspection: Inspection) -> dict:
    """实施现场检查 / 实施非现场检查: the visit began (`started_at`, or the non-onsite check's `done_date`)."""
    data, step = context.data, context.step
    started = moment_of(data.get("started_at") or data.get("done_date"), step.now) or step.now
    if inspection.actual_start is None:
        inspection.actual_start = started
    group = inspection.joint_group  # 综合查一次: one visit, begun by the first member on site (R18)
    if group is not None and group.actual_start is None:
        group.actual_start = inspection.actual_start
    move(inspection, "in_progress", allowed_from=BEFORE_VISIT)
    follow_audio_video(inspection, data)
    return {}


def follow_audio_video(inspection: Inspection, data: Mapping[str, Any]) -> None:
    """R22: whether the visit was recorded on audio/video (全程音像记录), as the step that says so last states it
    (the on-site step, then the record, which the 现场检查笔录 prints)."""
    if isinstance(data.get("audio_video"), bool):
        inspection.audio_video = data["audio_video"]


def record_inspected(context: StageContext, inspection: Inspection) -> dict:
    """制作现场检查笔录: the inspection is done (`completed`, a visited status the enterprise may rate, R24),
    ending on the record's day."""
    step = context.step
    ended = moment_of(context.data.get("record_date"), step.now) or step.now
    if inspection.actual_start is None:
        inspection.actual_start = ended
    inspection.actual_end = max(ended, inspection.actual_start)
    group = inspection.joint_group  # the joint visit ends with its last member's record
    if group is not None:
        group.actual_start = group.actual_start or inspection.actual_start
        group.actual_end = max(group.actual_end or inspection.actual_end, inspection.actual_end)
    move(inspection, "completed", allowed_from=(*BEFORE_VISIT, "in_progress"))
    follow_audio_video(inspection, context.data)
    return {}


def close_inspection(context: StageContext, inspection: Inspection) -> dict:
    """结案归档."""
    move(inspection, "closed", allowed_from=(*BEFORE_VISIT, "in_progress", "completed"))
    return {}


def withdraw_inspection(context: StageContext, inspection: Inspection) -> dict:
    """The principal head did not approve the quiet-period inspection (R11): it does not go ahead."""
    step = context.step
    set_aside(step.session, inspection, "withdrawn", step.actor, step.now)
    return {}
