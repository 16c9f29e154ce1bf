"""What a task page shows about the enterprise a task concerns: its class this year, how many routine
on-site inspections the task's agency has made there against the class's cap (R15, R17), and every
inspection of it this year by any agency (so the planner sees multi-head and repeated visits, R21)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.inspection_checks import credit_class_in, routine_onsite_count
from engine.domain.policy import policy_of
from engine.models import Agency, Enterprise, Inspection
from engine.models.inspection import NOT_GOING_AHEAD


@dataclass(frozen=True)
class Visit:
    """One inspection of the enterprise this year."""

    day: date | None
    agency: str
    trigger: str  # routine | triggered
    mode: str  # onsite | non_onsite
    joint: bool
    status: str
    counts_against_cap: bool  # a routine on-site visit by the task's agency


@dataclass(frozen=True)
class EnterpriseYear:
    name: str
    credit_code: str
    credit_class: str | None
    routine_onsite: int | None  # by the task's agency; None when the task names no known agency
    cap: int | None
    visits: list[Visit] = field(default_factory=list)


def enterprise_year(session: Session, *, credit_code: str, agency_code: str | None, year: int) -> EnterpriseYear | None:
    enterprise = session.scalar(select(Enterprise).where(Enterprise.credit_code == credit_code))
    if enterprise is None:
        return None
    credit_class = credit_class_in(session, enterprise.id, year)
    agency = session.scalar(select(Agency).where(Agency.code == agency_code)) if agency_code else None
    done = (routine_onsite_count(session, agency_id=agency.id, enterprise_id=enterprise.id, year=year)
            if agency is not None else None)
    cap = policy_of(enterprise.jurisdiction.policy).cap_for(credit_class)
    return EnterpriseYear(enterprise.name, enterprise.credit_code, credit_class, done, cap,
                          _visits(session, enterprise.id, agency.id if agency else None, year))


def _visits(session: Session, enterprise_id: int, agency_id: int | None, year: int) -> list[Visit]:
    rows = session.execute(
        select(Inspection.planned_start, Agency.name, Inspection.agency_id, Inspection.trigger, Inspection.mode,
               Inspection.joint_group_id, Inspection.status)
        .join(Agency, Agency.id == Inspection.agency_id)
        .where(Inspection.enterprise_id == enterprise_id, Inspection.planned_start >= date(year, 1, 1),
               Inspection.planned_start <= date(year, 12, 31))
        .order_by(Inspection.planned_start, Inspection.id))
    return [Visit(day, name, trigger, mode, joint_id is not None, status,
                  by == agency_id and trigger == "routine" and mode == "onsite" and status not in NOT_GOING_AHEAD)
            for day, name, by, trigger, mode, joint_id, status in rows]
