"""Read-only queries the API needs that the engine does not offer yet (listing versions, filtered inboxes).

They read the indexed mirror rows only, never workflows. Candidates to move into engine/ once it owns them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import ProcessVersion, TaskRecord


def process_definitions(session: Session) -> list[dict]:
    definitions: dict[str, dict] = {}
    for version in session.scalars(select(ProcessVersion).order_by(ProcessVersion.process_key,
                                                                   ProcessVersion.version.desc())):
        entry = definitions.setdefault(version.process_key, {"process_key": version.process_key,
                                                             "name": version.name, "latest_version": version.version,
                                                             "versions": []})
        entry["versions"].append(version)
    return list(definitions.values())


def task_inbox(session: Session, *, now: datetime, scope_agency: str | None = None, candidate_group: str | None = None,
               agency: str | None = None, assignee: str | None = None, process_key: str | None = None,
               overdue: bool = False, limit: int = 200) -> list[TaskRecord]:
    """Open tasks soonest due first. `scope_agency` restricts to one agency's tasks (staff)."""
    query = select(TaskRecord).where(TaskRecord.state == "open")
    if scope_agency is not None:
        query = query.where(TaskRecord.agency == scope_agency)
    if candidate_group:
        query = query.where(TaskRecord.candidate_group == candidate_group)
    if agency:
        query = query.where(TaskRecord.agency == agency)
    if assignee:
        query = query.where(TaskRecord.assignee == assignee)
    if process_key:
        query = query.where(TaskRecord.process_key == process_key)
    if overdue:
        query = query.where(TaskRecord.due_at < now)
    query = query.order_by(TaskRecord.due_at.is_(None), TaskRecord.due_at, TaskRecord.created_at).limit(limit)
    return list(session.scalars(query))


def task_agency(session: Session, task_id: str) -> tuple[str | None] | None:
    """(the task's agency,) or None when there is no such task."""
    row = session.execute(select(TaskRecord.agency).where(TaskRecord.id == task_id)).first()
    return (row[0],) if row is not None else None


def instance_agencies(session: Session, instance_id: int) -> set[str | None]:
    """The agencies of every task (open or done) an instance has had."""
    return set(session.scalars(select(TaskRecord.agency).where(TaskRecord.instance_id == instance_id).distinct()))
