"""案件查询: find cases (process instances) by enterprise (part of its name, or its credit code), business key,
procedure, state, the day they were started and agency, scoped like the inbox (engine.identity.access): a case is
found by whoever may see one of its steps — staff and heads their agency's cases and its joint inspections',
the county office and supervisors their jurisdiction's, administrators and process owners every case.

Every filter is part of the SQL, so the LIMIT never hides a case the user may see behind ones they may not.
Where each found case stands is engine.views.case_status; `workable_steps` tells which of its open steps the user
may work. Read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from engine.identity.access import Scope, concerning_enterprises, visible, workable
from engine.models import Enterprise, ProcessInstance, TaskRecord
from engine.platform.clock import SHANGHAI

STATES = ("running", "completed", "error")
# Start days are clamped to these: a day at either end of the calendar would overflow when turned into UTC.
EARLIEST, LATEST = date(1900, 1, 1), date(9000, 12, 31)


@dataclass(frozen=True)
class CaseQuery:
    enterprise: str | None = None  # part of the enterprise's name, or its credit code
    business_key: str | None = None  # part of it: an inspection's or complaint's number, a credit code
    process_key: str | None = None
    state: str | None = None  # one of STATES
    started_from: date | None = None  # Asia/Shanghai days, both inclusive
    started_to: date | None = None
    agency: str | None = None  # an agency's code: cases with a step of that agency


def _with_steps(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """Instances having a step (open or done) that meets `condition`."""
    return ProcessInstance.id.in_(select(TaskRecord.instance_id).where(condition))


def _day_start(day: date) -> datetime:
    return datetime.combine(min(max(day, EARLIEST), LATEST), time.min, SHANGHAI)


def search_cases(session: Session, scope: Scope, wanted: CaseQuery, limit: int = 100) -> list[ProcessInstance]:
    """The cases in the user's scope matching every given filter (all of them without filters), newest first."""
    query = select(ProcessInstance)
    if not scope.everything:
        query = query.where(_with_steps(visible(scope)))
    if wanted.enterprise and wanted.enterprise.strip():
        needle = wanted.enterprise.strip()
        named = select(Enterprise.id).where(or_(Enterprise.name.ilike(f"%{needle}%"),
                                                Enterprise.credit_code == needle.upper()))
        query = query.where(_with_steps(concerning_enterprises(named)))
    if wanted.business_key and wanted.business_key.strip():
        query = query.where(ProcessInstance.business_key.ilike(f"%{wanted.business_key.strip()}%"))
    if wanted.process_key:
        query = query.where(ProcessInstance.process_key == wanted.process_key)
    if wanted.state:
        query = query.where(ProcessInstance.status == wanted.state)
    if wanted.started_from:
        query = query.where(ProcessInstance.created_at >= _day_start(wanted.started_from))
    if wanted.started_to:
        query = query.where(ProcessInstance.created_at < _day_start(min(wanted.started_to, LATEST) + timedelta(days=1)))
    if wanted.agency:
        query = query.where(_with_steps(TaskRecord.agency == wanted.agency))
    query = query.order_by(ProcessInstance.created_at.desc(), ProcessInstance.id.desc()).limit(limit)
    return list(session.scalars(query))


def workable_steps(session: Session, scope: Scope, step_ids: set[str]) -> set[str]:
    """Which of these open steps the user may work (the lists link those to their task page)."""
    if not step_ids:
        return set()
    return set(session.scalars(select(TaskRecord.id).where(TaskRecord.id.in_(step_ids), workable(scope))))
