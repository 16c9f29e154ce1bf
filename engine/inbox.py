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


def inbox(session: Session, user: User, now: datetime, wanted: InboxFilter = InboxFilter(),
          limit: int = 200) -> list[TaskRecord]:
    """Open tasks the user may work, soonest due first (tasks without a deadline last)."""
    lanes = LANES_BY_ROLE.get(user.role, ())
    if not lanes:
        return []
    query = select(TaskRecord).where(TaskRecord.state == "open", TaskRecord.candidate_group.in_(lanes))
    if user.agency is not None:
        query = query.where(TaskRecord.agency == user.agency)
    if wanted.mine_only:
        query = query.where(TaskRecord.assignee == user.username)
    else:
        query = query.where(or_(TaskRecord.assignee.is_(None), TaskRecord.assignee == user.username))
    if wanted.process_key:
        query = query.where(TaskRecord.process_key == wanted.process_key)
    if wanted.overdue:
        query = query.where(TaskRecord.due_at < now)
    if wanted.due_this_week:
        today = now.astimezone(SHANGHAI).date()
        # The calendar week (Monday to Sunday) the user is in: a display filter, not a deadline.
        week_end = datetime.combine(today + timedelta(days=7 - today.weekday()), datetime.min.time(), SHANGHAI)
        query = query.where(TaskRecord.due_at >= now, TaskRecord.due_at < week_end)
    if wanted.search and wanted.search.strip():
        needle = f"%{wanted.search.strip()}%"
        query = query.where(or_(TaskRecord.business_key.ilike(needle), TaskRecord.name.ilike(needle)))
    query = query.order_by(TaskRecord.due_at.is_(None), TaskRecord.due_at, TaskRecord.created_at).limit(limit)
    return list(session.scalars(query))
