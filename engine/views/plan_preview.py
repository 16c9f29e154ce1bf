"""What the planning page warns of before a plan is submitted (issue 11), for the chosen enterprise, day, kind
and mode of the planner's agency: the yearly cap already reached (R15/R17, routine on-site visits by credit
class), a day inside the enterprise's quiet period (R10, the ways out R11/R12) or outside Kaifeng-style
allowed days (R14), and other agencies' open plans for the enterprise in the same month, which are to be one
joint inspection (R18, the joint desk's proposal). The words are those of engine.domain.inspection_checks,
which the county office's check applies to the plan itself. Read-only; warnings, not refusals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from engine.domain import joint
from engine.domain.errors import Refused
from engine.domain.inspection_checks import cap_reached, credit_class_in, routine_onsite_count, window_verdict
from engine.domain.planning import enterprise_in_reach, find_enterprise
from engine.domain.policy import Policy, policy_of
from engine.models import Agency, Inspection


@dataclass(frozen=True)
class PlanWarning:
    rule: str  # DOMAIN.md R-number
    message: str


@dataclass(frozen=True)
class PlanPreview:
    enterprise: str  # its name
    credit_class: str | None
    routine_onsite: int  # this year's routine on-site visits by the agency (R15/R17 count them)
    cap: int | None  # None: uncapped
    warnings: list[PlanWarning]


def plan_preview(session: Session, *, agency_code: str, enterprise_text: str, day: date, trigger: str,
                 mode: str) -> PlanPreview | None:
    """`trigger` is the planning form's (routine, or a 触发式检查 kind); None when the enterprise is unknown or
    outside the agency's reach (the form names that itself)."""
    agency = session.scalar(select(Agency).where(Agency.code == agency_code))
    enterprise = find_enterprise(session, enterprise_text) if enterprise_text.strip() else None
    if agency is None or enterprise is None or not enterprise_in_reach(session, agency, enterprise):
        return None
    policy = policy_of(enterprise.jurisdiction.policy)
    credit_class = credit_class_in(session, enterprise.id, day.year)
    kind = "routine" if trigger == "routine" else "triggered"
    found: list[Refused] = []
    cap = policy.cap_for(credit_class)
    done = routine_onsite_count(session, agency_id=agency.id, enterprise_id=enterprise.id, year=day.year)
    if kind == "routine" and mode == "onsite" and cap is not None:  # triggered ones are not capped (R16)
        found += cap_reached(credit_class, cap, done, day.year)
    refusals, needs_override, _case = window_verdict(kind, enterprise.sector_tags, day, credit_class, policy, None)
    found += refusals
    warnings = [PlanWarning(r.rule, r.message) for r in found]
    if needs_override:
        warnings.append(quiet_period_warning(policy, day, credit_class))
    warnings += joint_warnings(session, agency, enterprise.id, day)
    return PlanPreview(enterprise.name, credit_class, done, cap, warnings)


def quiet_period_warning(policy: Policy, day: date, credit_class: str | None) -> PlanWarning:
    first = policy.window_first_day(credit_class)
    grade = f"（{credit_class}类企业）" if credit_class in policy.window.first_day_by_credit_class else ""
    return PlanWarning("R10", f"{day.isoformat()} 在企业安静期内（每月 {first} 日至月末{grade}）：属 R12 特殊情形的"
                              f"可以检查并须在计划中选明；其他确需检查的，须经主要负责人批准，并在 "
                              f"{policy.deadlines.quiet_override_filing} 个工作日内报县综合执法办备案（R11）")


def joint_warnings(session: Session, agency: Agency, enterprise_id: int, day: date) -> list[PlanWarning]:
    """Other agencies' plans for the enterprise in the same month, not yet started: with this one they are a
    joint-inspection proposal (engine.domain.joint), or a joint visit already merged that this plan should join."""
    month_start = day.replace(day=1)
    next_month = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    others = list(session.scalars(
        select(Inspection).options(joinedload(Inspection.agency))
        .where(Inspection.enterprise_id == enterprise_id, Inspection.agency_id != agency.id,
               Inspection.status.in_(joint.OPEN_STATUSES), Inspection.actual_start.is_(None),
               Inspection.planned_start >= month_start, Inspection.planned_start < next_month)
        .order_by(Inspection.planned_start, Inspection.id)))
    if not others:
        return []
    plans = "、".join(f"{i.agency.name}（{i.planned_start.isoformat() if i.planned_start else '日期未定'}"
                     f"{'，已合并为联合检查' if i.joint_group_id else ''}）" for i in others)
    return [PlanWarning("R18", f"该企业 {day:%Y-%m} 已有其他单位的检查计划：{plans}；同一时期对同一企业的检查应"
                               f"合并为“综合查一次”联合检查，请与县综合执法办协调")]
