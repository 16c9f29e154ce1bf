"""Who may work which task, and the inbox query over the task mirror (never over workflows).

A task's candidate group is its lane; a user's role names the lanes they work (`LANES_BY_ROLE`), and a
user tied to an agency sees only tasks of that agency (the instance's `agency` data, copied to the
mirror). Supervisors and the county office see their whole jurisdiction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.clock import SHANGHAI
from engine.models import TaskRecord, User

LANES_BY_ROLE: dict[str, tuple[str, ...]] = {
    "staff": ("执法人员",),
    "agency_head": ("单位负责人", "执法人员"),
    "county_office": ("县综合执法办",),
    "supervisor": ("司法局",),
    "process_owner": (),
    "administrator": (),
}


@dataclass(frozen=True)
class InboxFilter:
    process_key: str | None = None
    overdue: bool = False
    due_this_week: bool = False
    search: str | None = None  # business key (credit code, inspection or complaint number) or task name
    mine_only: bool = False


def may_work(user: User, task: TaskRecord) -> bool:
    """Whether the user may claim or complete the task."""
    if task.candidate_group not in LANES_BY_ROLE.get(user.role, ()):
        return False
    return user.agency is None or task.agency == user.agency


def open_tasks(session: Session, *, now: datetime | None = None, instance_id: int | None = None,
               groups: tuple[str, ...] | None = None, agency: str | None = None, candidate_group: str | None = None,
               assignee: str | None = None, unclaimed_or: str | None = None, process_key: str | None = None,
               overdue: bool = False, due_before: datetime | None = None, search: str | None = None,
               limit: int = 500) -> list[TaskRecord]:
    """Open tasks soonest due first (tasks without a deadline last), narrowed by whichever filters are given.

    `groups` limits to those lanes, `agency` to one agency's tasks, `unclaimed_or` to tasks nobody claimed or
    that user claimed; `now` is needed by the deadline filters (`overdue`, `due_before`).
    """
    if (overdue or due_before is not None) and now is None:
        raise ValueError("the deadline filters need the current moment (now)")
    query = select(TaskRecord).where(TaskRecord.state == "open")
    if instance_id is not None:
        query = query.where(TaskRecord.instance_id == instance_id)
    if groups is not None:
        query = query.where(TaskRecord.candidate_group.in_(groups))
    if agency is not None:
        query = query.where(TaskRecord.agency == agency)
    if candidate_group:
        query = query.where(TaskRecord.candidate_group == candidate_group)
    if assignee:
        query = query.where(TaskRecord.assignee == assignee)
    if unclaimed_or:
        query = query.where(or_(TaskRecord.assignee.is_(None), TaskRecord.assignee == unclaimed_or))
    if process_key:
        query = query.where(TaskRecord.process_key == process_key)
    if overdue:
        query = query.where(TaskRecord.due_at < now)
    if due_before is not None:
        query = query.where(TaskRecord.due_at >= now, TaskRecord.due_at < due_before)
    if search and search.strip():
        needle = f"%{search.strip()}%"
        query = query.where(or_(TaskRecord.business_key.ilike(needle), TaskRecord.name.ilike(needle)))
    query = query.order_by(TaskRecord.due_at.is_(None), TaskRecord.due_at, TaskRecord.created_at).limit(limit)
    return list(session.scalars(query))


def inbox(session: Session, user: User, now: datetime, wanted: InboxFilter = InboxFilter(),
          limit: int = 200) -> list[TaskRecord]:
    """Open tasks the user may work (their lanes, their agency), soonest due first."""
    lanes = LANES_BY_ROLE.get(user.role, ())
    if not lanes:
        return []
    week_end = None
    if wanted.due_this_week:
        today = now.astimezone(SHANGHAI).date()
        # The calendar week (Monday to Sunday) the user is in: a display filter, not a deadline.
        week_end = datetime.combine(today + timedelta(days=7 - today.weekday()), datetime.min.time(), SHANGHAI)
    return open_tasks(session, now=now, groups=lanes, agency=user.agency,
                      assignee=user.username if wanted.mine_only else None,
                      unclaimed_or=None if wanted.mine_only else user.username, process_key=wanted.process_key,
                      overdue=wanted.overdue, due_before=week_end, search=wanted.search, limit=limit)


def task_agency(session: Session, task_id: str) -> tuple[str | None] | None:
    """(the task's agency,) or None when there is no such task."""
    row = session.execute(select(TaskRecord.agency).where(TaskRecord.id == task_id)).first()
    return (row[0],) if row is not None else None


def instance_agencies(session: Session, instance_id: int) -> set[str | None]:
    """The agencies of every task (open or done) an instance has had."""
    return set(session.scalars(select(TaskRecord.agency).where(TaskRecord.instance_id == instance_id).distinct()))
