"""What a task page shows about the enterprise a task concerns: its class this year and how many routine
on-site inspections the task's agency has made there against the class's cap (R15, R17)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.inspection_checks import credit_class_in, routine_onsite_count
from engine.domain.policy import policy_of
from engine.models import Agency, Enterprise


@dataclass(frozen=True)
class EnterpriseYear:
    name: str
    credit_code: str
    credit_class: str | None
    routine_onsite: int | None  # by the task's agency; None when the task names no known agency
    cap: int | None


def enterprise_year(session: Session, *, credit_code: str, agency_code: str | None, year: int) -> EnterpriseYear | None:
    enterprise = session.scalar(select(Enterprise).where(Enterprise.credit_code == credit_code))
    if enterprise is None:
        return None
    credit_class = credit_class_in(session, enterprise.id, year)
    agency = session.scalar(select(Agency).where(Agency.code == agency_code)) if agency_code else None
    done = (routine_onsite_count(session, agency_id=agency.id, enterprise_id=enterprise.id, year=year)
            if agency is not None else None)
    cap = policy_of(enterprise.jurisdiction.policy).cap_for(credit_class)
    return EnterpriseYear(enterprise.name, enterprise.credit_code, credit_class, done, cap)
