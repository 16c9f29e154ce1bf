"""The inbox query over the task mirror (never over workflows), cut to what the user may work by engine.identity.access.

`open_tasks` is the one query for open tasks (inbox, API, CLI, overdue views): every filter, the access condition
included, is part of the SQL, so a LIMIT never hides a task the user may see behind ones they may not.
A task's enterprise is found as engine.identity.access describes (inspection, complaint or `enterprise:` business key).
The other tabs of the inbox: `done_by` (已办, the steps the user completed) and `started_by` (我发起, the cases the
user started); where each case stands now is engine.views.case_status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, literal_column, or_, select
from sqlalchemy.orm import Session

from engine.identity.access import ENTERPRISE_KEY, Person, concerning_enterprises, scope_of, workable
from engine.models import Complaint, Enterprise, Inspection, ProcessInstance, TaskRecord
from engine.platform.clock import SHANGHAI

# Written into the SQL rather than bound, so that a prepared statement's generic plan on PostgreSQL still meets the
# partial indexes' `state = 'open'` and `state = 'completed'` (engine.models.process).
OPEN: ColumnElement[str] = literal_column("'open'")
COMPLETED: ColumnElement[str] = literal_column("'completed'")


@dataclass(frozen=True)
class InboxFilter:
    process_key: str | None = None
    overdue: bool = False
    due_this_week: bool = False
    # Enterprise name or credit code, business key (inspection or complaint number) or task name.
    search: str | None = None
    enterprise: str | None = None  # one enterprise's credit code
    mine_only: bool = False


def open_tasks(session: Session, **filters: Any) -> list[TaskRecord]:
    """Open tasks soonest due first (tasks without a deadline last), narrowed by `open_tasks_query`'s filters."""
    return list(session.scalars(open_tasks_query(**filters)))


def open_tasks_query(*, now: datetime | None = None, instance_id: int | None = None,
                     within: ColumnElement[bool] | None = None, agency: str | None = None,
                     candidate_group: str | None = None, assignee: str | None = None,
                     unclaimed_or: str | None = None, process_key: str | None = None, overdue: bool = False,
                     due_before: datetime | None = None, due_from: datetime | None = None,
                     search: str | None = None, enterprise: str | None = None,
                     limit: int | None = 500) -> Select[TaskRecord]:
    """The open tasks' query, soonest due first (tasks without a deadline last), narrowed by whichever filters
    are given.

    `within` is an access condition (engine.identity.access.visible / workable), `agency` one agency's tasks,
    `unclaimed_or` tasks nobody claimed or that user claimed; `overdue` needs `now`; `due_from` and
    `due_before` bound the due moment (from inclusive, before exclusive).
    """
    if overdue and now is None:
        raise ValueError("the overdue filter needs the current moment (now)")
    query = select(TaskRecord).where(TaskRecord.state == OPEN)
    if within is not None:
        query = query.where(within)
    if instance_id is not None:
        query = query.where(TaskRecord.instance_id == instance_id)
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
        query = query.where(TaskRecord.due_at < due_before)
    if due_from is not None:
        query = query.where(TaskRecord.due_at >= due_from)
    if enterprise and enterprise.strip():
        query = query.where(concerning_enterprises(
            select(Enterprise.id).where(Enterprise.credit_code == enterprise.strip().upper())))
    if search and search.strip():
        needle = f"%{search.strip()}%"
        named = select(Enterprise.id).where(or_(Enterprise.name.ilike(needle), Enterprise.credit_code.ilike(needle)))
        query = query.where(or_(TaskRecord.business_key.ilike(needle), TaskRecord.name.ilike(needle),
                                concerning_enterprises(named)))
    # The order of the open-task indexes (ix_task_open_*), so that the database can walk one and stop at the LIMIT.
    query = query.order_by(TaskRecord.due_at.asc().nulls_last(), TaskRecord.created_at, TaskRecord.id)
    return query.limit(limit) if limit is not None else query


def inbox(session: Session, user: Person, now: datetime, wanted: InboxFilter = InboxFilter(),
          limit: int = 200) -> list[TaskRecord]:
    """Open tasks the user may work (engine.identity.access.workable), soonest due first."""
    week_end = None
    if wanted.due_this_week:
        today = now.astimezone(SHANGHAI).date()
        # The calendar week (Monday to Sunday) the user is in: a display filter, not a deadline.
        week_end = datetime.combine(today + timedelta(days=7 - today.weekday()), datetime.min.time(), SHANGHAI)
    return open_tasks(session, now=now, within=workable(scope_of(session, user)),
                      assignee=user.username if wanted.mine_only else None,
                      unclaimed_or=None if wanted.mine_only else user.username, process_key=wanted.process_key,
                      overdue=wanted.overdue, due_from=now if week_end else None, due_before=week_end,
                      search=wanted.search, enterprise=wanted.enterprise, limit=limit)


@dataclass(frozen=True)
class TaskEnterprise:
    credit_code: str
    name: str


def enterprises_of(session: Session, tasks: list[TaskRecord]) -> dict[int, TaskEnterprise]:
    """The enterprise each task's instance concerns, by instance id."""
    return enterprises_by_instance(session, {t.instance_id: t.business_key for t in tasks})


def enterprises_by_instance(session: Session, keys: dict[int, str | None]) -> dict[int, TaskEnterprise]:
    """The enterprise each instance concerns, given {instance id: business key} (three small indexed lookups)."""
    instance_ids = set(keys)
    by_code: dict[str, set[int]] = {}
    for instance_id, business_key in keys.items():
        if business_key and business_key.startswith(ENTERPRISE_KEY):
            by_code.setdefault(business_key.removeprefix(ENTERPRISE_KEY), set()).add(instance_id)
    found: dict[int, TaskEnterprise] = {}
    for owner in (Inspection, Complaint):
        rows = session.execute(select(owner.process_instance_id, Enterprise.credit_code, Enterprise.name)
                               .join(Enterprise, Enterprise.id == owner.enterprise_id)
                               .where(owner.process_instance_id.in_(instance_ids)))
        found.update({instance_id: TaskEnterprise(code, name) for instance_id, code, name in rows
                      if instance_id is not None})
    for code, name in session.execute(select(Enterprise.credit_code, Enterprise.name)
                                      .where(Enterprise.credit_code.in_(by_code))):
        for instance_id in by_code[code]:
            found.setdefault(instance_id, TaskEnterprise(code, name))
    return found


def done_by(session: Session, username: str, limit: int = 200) -> list[TaskRecord]:
    """已办: the steps the user completed, latest first (their own work, so no scope beyond the name)."""
    return list(session.scalars(select(TaskRecord).where(TaskRecord.state == COMPLETED,
                                                         TaskRecord.completed_by == username)
                                .order_by(TaskRecord.completed_at.desc(), TaskRecord.id).limit(limit)))


def started_by(session: Session, username: str, limit: int = 200) -> list[ProcessInstance]:
    """我发起: the cases the user started, newest first."""
    return list(session.scalars(select(ProcessInstance).where(ProcessInstance.started_by == username)
                                .order_by(ProcessInstance.created_at.desc(), ProcessInstance.id.desc())
                                .limit(limit)))
