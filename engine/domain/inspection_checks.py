"""The checks an inspection must pass when it is planned and again before the on-site step opens (issue 3
item 3). Each rule returns its refusals (`Refused`, naming the DOMAIN.md R-number and the figures) rather
than raising, so a plan shows every problem at once.

Which rules run at which stage:
- "plan": R1 qualified agency and inspectors, R2 listed items, R4 special-inspection approval and quota,
  R15–R17 frequency cap by credit class, R10–R14 quiet period / allowed window (a quiet-period day goes
  ahead on one of R12's special cases, and is otherwise flagged for the principal head's override, R11),
  R8 whether the notice period can still be met.
- "before_site": R1 and R2 again (certificates expire, lists are withdrawn), R6 a live behaviour code,
  R8 the notice actually given (or its recorded exemption), R10–R14 again for the actual day, and R11 an
  approved quiet-period override when the day is inside the quiet period and no R12 case applies.

Inputs are stored records plus what the user claims in the step: an exemption reason from the policy's
lists. Reads only; logging refusals is the caller's (see engine.domain.stages).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from engine.calendar import WorkingCalendar
from engine.domain.behavior_code import certificate_status
from engine.domain.errors import Refused
from engine.domain.policy import Policy, policy_of
from engine.models import BehaviorCode, EnterpriseCreditClass, Inspection, InspectionPlan, Notice, QuietPeriodOverride
from engine.models.inspection import NOT_GOING_AHEAD
from engine.models.vocabulary import INSPECTOR_KINDS, QUALIFIED_INSPECTOR_KIND
from engine.platform.clock import SHANGHAI

STAGES = ("plan", "before_site")
CERTIFICATE_PROBLEMS = {
    "expired": "执法证已过期", "not_yet_valid": "执法证尚未生效", "suspended": "执法证已暂停",
    "revoked": "执法证已注销", "not_qualified": "无执法证",
}


@dataclass(frozen=True)
class CheckOutcome:
    refusals: list[Refused] = field(default_factory=list)
    # A day inside a blocked quiet period with none of R12's special cases: allowed only through the principal
    # head's approval and filing within the policy's working days (R11) — the diagram's override procedure.
    quiet_period_override: bool = False
    # The R12 special case (vocabulary.QUIET_PERIOD_EXEMPTIONS code) a day inside the quiet period goes ahead
    # on, with no override; None when the day is outside it or no case was claimed.
    quiet_period_case: str | None = None
    credit_class: str | None = None


def policy_for(inspection: Inspection) -> Policy:
    return policy_of(inspection.enterprise.jurisdiction.policy)


def credit_class_in(session: Session, enterprise_id: int, year: int) -> str | None:
    return session.scalar(select(EnterpriseCreditClass.credit_class).where(
        EnterpriseCreditClass.enterprise_id == enterprise_id, EnterpriseCreditClass.year == year))


def inspection_day(inspection: Inspection, now: datetime) -> date:
    return inspection.planned_start or now.astimezone(SHANGHAI).date()


def check_inspection(session: Session, inspection: Inspection, *, stage: str, calendar: WorkingCalendar,
                     now: datetime, exemption: str | None = None, policy: Policy | None = None) -> CheckOutcome:
    if stage not in STAGES:
        raise ValueError(f"unknown check stage {stage!r}; one of {STAGES}")
    policy = policy or policy_for(inspection)
    today = now.astimezone(SHANGHAI).date()
    day = inspection_day(inspection, now) if stage == "plan" else max(inspection_day(inspection, now), today)
    credit_class = credit_class_in(session, inspection.enterprise_id, day.year)
    refusals = qualification(inspection, day) + listed_items(inspection, day)
    window_refusals, quiet_override, quiet_case = timing_window(inspection, day, credit_class, policy, exemption)
    if quiet_override and stage == "before_site" and not override_approved(session, inspection):
        window_refusals.append(Refused("R11", "检查日在企业安静期内，尚未经主要负责人批准进入（安静期例外审批）",
                                       {"day": day.isoformat(), "credit_class": credit_class}))
    refusals += window_refusals
    if stage == "plan":
        refusals += special_inspection(session, inspection, day.year)
        refusals += frequency_cap(session, inspection, day.year, credit_class, policy)
        refusals += notice_still_possible(inspection, today, day, calendar, policy, exemption)
    else:
        refusals += live_code(session, inspection, now)
        refusals += notice_given(session, inspection, day, calendar, policy)
    return CheckOutcome(refusals=refusals, quiet_period_override=quiet_override, quiet_period_case=quiet_case,
                        credit_class=credit_class)


def qualification(inspection: Inspection, day: date) -> list[Refused]:
    """R1: a confirmed enforcement body, and only inspectors with a valid 执法证 (no auxiliaries etc.). The
    assistants named in advance (辅助人员) are not inspectors and are not refused, but a person is one or the
    other: never both."""
    refusals = []
    agency = inspection.agency
    if not agency.confirmed_enforcement_body:
        refusals.append(Refused("R1", f"{agency.name}不是经确认的行政执法主体，不能实施检查",
                                {"agency": agency.code}))
    if not inspection.inspectors:
        refusals.append(Refused("R1", "未指定检查人员", {"inspectors": 0}))
    for inspector in inspection.inspectors:
        status = certificate_status(inspector, day)
        if status == "valid":
            continue
        kind = INSPECTOR_KINDS.get(inspector.kind, inspector.kind)
        qualified_kind = inspector.kind == QUALIFIED_INSPECTOR_KIND
        reason = CERTIFICATE_PROBLEMS[status] if qualified_kind else f"{kind}不得从事行政检查"
        refusals.append(Refused("R1", f"检查人员{inspector.name}：{reason}",
                                {"inspector": inspector.name, "certificate": inspector.certificate_number,
                                 "status": status, "valid_to": _iso(inspector.valid_to), "day": day.isoformat()}))
    for person in [p for p in inspection.inspectors if p in inspection.assistants]:
        refusals.append(Refused("R1", f"{person.name}不能既是检查人员又是辅助人员", {"inspector": person.name}))
    return refusals


def listed_items(inspection: Inspection, day: date) -> list[Refused]:
    """R2: only items on the agency's published (and not withdrawn) 检查事项清单."""
    if not inspection.items:
        return [Refused("R2", "未选择检查事项", {"items": 0})]
    refusals = []
    for item in inspection.items:
        item_list = item.item_list
        published = item_list.published_on is not None and item_list.published_on <= day
        withdrawn = item_list.withdrawn_on is not None and item_list.withdrawn_on <= day
        if item_list.agency_id != inspection.agency_id or not published or withdrawn:
            refusals.append(Refused("R2", f"检查事项「{item.name}」不在本单位已公布的检查事项清单内",
                                    {"item": item.code, "list_version": item_list.version,
                                     "published_on": _iso(item_list.published_on),
                                     "withdrawn_on": _iso(item_list.withdrawn_on)}))
    return refusals


def special_inspection(session: Session, inspection: Inspection, year: int) -> list[Refused]:
    """R4: a 专项检查 needs legal review, collective discussion, approval and publication, within the quota."""
    plan = inspection.plan
    if plan is None or plan.kind != "special":
        return []
    refusals = []
    steps = (("法制审核", plan.legal_review_at), ("集体讨论", plan.collective_discussion_at),
             ("批准", plan.approved_at), ("公布", plan.published_at))
    missing = [label for label, done in steps if done is None]
    if missing:
        refusals.append(Refused("R4", f"专项检查计划「{plan.title}」尚未完成：{'、'.join(missing)}",
                                {"plan": plan.id, "missing": missing}))
    quota = inspection.agency.special_inspection_quota or 0
    used = session.scalar(select(func.count()).select_from(InspectionPlan).where(
        InspectionPlan.agency_id == inspection.agency_id, InspectionPlan.kind == "special",
        InspectionPlan.year == year, InspectionPlan.approved_at.is_not(None))) or 0
    if used > quota:
        refusals.append(Refused("R4", f"本年度专项检查已批准 {used} 项，超过限额 {quota} 项",
                                {"year": year, "approved_special_plans": used, "quota": quota}))
    return refusals


def frequency_cap(session: Session, inspection: Inspection, year: int, credit_class: str | None,
                  policy: Policy) -> list[Refused]:
    """R15/R17: routine on-site inspections per agency per enterprise per year, capped by credit class.
    Triggered inspections (R16) are not capped; their frequency raises an alert instead (engine.domain.alerts)."""
    if inspection.trigger != "routine" or inspection.mode != "onsite":
        return []
    cap = policy.cap_for(credit_class)
    if cap is None:
        return []
    done = routine_onsite_count(session, agency_id=inspection.agency_id, enterprise_id=inspection.enterprise_id,
                                year=year, excluding=inspection.id)
    return cap_reached(credit_class, cap, done, year)


def cap_reached(credit_class: str | None, cap: int, done: int, year: int) -> list[Refused]:
    """R15/R17 in words, once `done` routine on-site visits this year leave no room under `cap` (also what the
    planning page warns of before a plan is made)."""
    if done < cap:
        return []
    rule = "R17" if credit_class in ("A", "B") else "R15"
    grade = f"{credit_class}类企业" if credit_class else "该企业"
    return [Refused(rule, f"{grade}每年例行现场检查不超过 {cap} 次，本单位今年已检查 {done} 次",
                    {"year": year, "credit_class": credit_class, "cap": cap, "done": done})]


def routine_onsite_count(session: Session, *, agency_id: int, enterprise_id: int, year: int,
                         excluding: int | None = None) -> int:
    query = select(func.count()).select_from(Inspection).where(
        Inspection.agency_id == agency_id, Inspection.enterprise_id == enterprise_id,
        Inspection.trigger == "routine", Inspection.mode == "onsite",
        Inspection.status.not_in(NOT_GOING_AHEAD),
        Inspection.planned_start >= date(year, 1, 1), Inspection.planned_start <= date(year, 12, 31))
    if excluding is not None:
        query = query.where(Inspection.id != excluding)
    return session.scalar(query) or 0


def timing_window(inspection: Inspection, day: date, credit_class: str | None, policy: Policy,
                  exemption: str | None) -> tuple[list[Refused], bool, str | None]:
    """R10–R14, as (refusals, override needed, R12 case). Blocked mode (002(三)): a day inside the quiet period
    goes ahead with no override on one of R12's special cases (returned, for the record); any other inspection
    there needs the override procedure (the principal head's approval with a stated reason, filing within
    3 WD, R11) — flagged here, refused before the site visit until approved. A reason outside R12 is what the
    override is for, so it is never refused. Allowed mode: routine inspections outside the window only with an
    R14 exemption. Enterprises in an exempt sector are not bound either way."""
    return window_verdict(inspection.trigger, inspection.enterprise.sector_tags, day, credit_class, policy, exemption)


def window_verdict(trigger: str, sector_tags: list[str] | None, day: date, credit_class: str | None, policy: Policy,
                   exemption: str | None) -> tuple[list[Refused], bool, str | None]:
    """timing_window for a kind of inspection (`trigger`: routine | triggered) of an enterprise in `sector_tags`,
    before any record exists (the planning page's warnings)."""
    window = policy.window
    if window.applies_to == "routine" and trigger != "routine":
        return [], False, None
    if set(sector_tags or ()) & set(window.exempt_sectors):
        return [], False, None
    inside = policy.window_contains(day, credit_class)
    figures = {"day": day.isoformat(), "mode": window.mode, "first_day": policy.window_first_day(credit_class),
               "credit_class": credit_class, "exemption": exemption}
    if window.mode == "blocked":
        if not inside:
            return [], False, None
        if exemption in window.exemptions:
            return [], False, exemption
        return [], True, None
    if inside or exemption in window.exemptions:
        return [], False, None
    return [Refused("R14", f"例行检查应集中在每月 {figures['first_day']} 日至月末进行，{day.isoformat()} 不在其内",
                    figures)], False, None


def override_approved(session: Session, inspection: Inspection) -> bool:
    approved = session.scalar(select(func.count()).select_from(QuietPeriodOverride).where(
        QuietPeriodOverride.inspection_id == inspection.id, QuietPeriodOverride.approved_at.is_not(None)))
    return bool(approved)


def notice_still_possible(inspection: Inspection, today: date, day: date, calendar: WorkingCalendar,
                          policy: Policy, exemption: str | None) -> list[Refused]:
    """R8 at planning: if notice given today would already be too late, the date cannot be kept."""
    needed = policy.notice.working_days
    if exemption in policy.notice.exemptions:
        return []
    available = calendar.working_days_between(today, day)
    if available >= needed:
        return []
    return [Refused("R8", f"须提前 {needed} 个工作日预告，今天到 {day.isoformat()} 之间只有 {available} 个工作日",
                    {"day": day.isoformat(), "today": today.isoformat(), "needed": needed,
                     "available": available, "provisional": calendar.span_is_estimated(today, day)})]


def notice_given(session: Session, inspection: Inspection, day: date, calendar: WorkingCalendar,
                 policy: Policy) -> list[Refused]:
    """R8 before the site visit: the notice was given n WD ahead, or an exemption is on record."""
    covering = [Notice.inspection_id == inspection.id]
    if inspection.joint_group_id:
        covering.append(Notice.joint_group_id == inspection.joint_group_id)
    notices = list(session.scalars(select(Notice).where(or_(*covering))))
    if any(n.exemption_reason in policy.notice.exemptions for n in notices):
        return []
    given = [n.given_on for n in notices if n.given_on is not None]
    needed = policy.notice.working_days
    if not given:
        return [Refused("R8", "未依法提前预告检查事项、时间和人员，也未记录免予预告的理由",
                        {"day": day.isoformat(), "needed": needed})]
    earliest = min(given)
    between = calendar.working_days_between(earliest, day)
    if between >= needed:
        return []
    return [Refused("R8", f"预告于 {earliest.isoformat()} 送达，距检查日只有 {between} 个工作日（须 {needed} 个）",
                    {"given_on": earliest.isoformat(), "day": day.isoformat(), "needed": needed,
                     "between": between})]


def live_code(session: Session, inspection: Inspection, now: datetime) -> list[Refused]:
    """R6: no code, no entry — a live 行政行为码 for the inspection (or its joint group) valid now."""
    covering = [BehaviorCode.inspection_id == inspection.id]
    if inspection.joint_group_id:
        covering.append(BehaviorCode.joint_group_id == inspection.joint_group_id)
    live = session.scalar(select(func.count()).select_from(BehaviorCode).where(
        or_(*covering), BehaviorCode.status == "issued", BehaviorCode.valid_from <= now, BehaviorCode.valid_to >= now))
    if live:
        return []
    return [Refused("R6", "没有有效的行政行为码，不得入企检查", {"inspection": inspection.id, "at": now.isoformat()})]


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
