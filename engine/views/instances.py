"""One process instance as the supervisor's instance page shows it: the instance itself, only when it lies in the
viewer's scope (engine.identity.access, the same rule the diagram's XML is served under), its steps in the order
they were created, and which of its open steps the viewer may work (the scope rule applied in the SQL).
Read-only.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.identity import access
from engine.identity.access import NotPermitted, Scope
from engine.models import ProcessInstance, TaskRecord


def instance_in_scope(session: Session, scope: Scope, instance_id: int) -> ProcessInstance | None:
    """The instance (None when there is none), or NotPermitted("outside_scope") when the viewer may not see it."""
    found = session.get(ProcessInstance, instance_id)
    if found is None:
        return None
    if not access.may_see_instance(session, scope, instance_id):
        raise NotPermitted("outside_scope", instance_id=instance_id)
    return found


@dataclass(frozen=True)
class InstanceSteps:
    tasks: list[TaskRecord]  # every step, oldest first
    workable: set[str]  # ids of the open steps in the viewer's own lanes (e.g. the 司法局's 督办)


def instance_steps(session: Session, scope: Scope, instance_id: int) -> InstanceSteps:
    """The instance's steps and the open ones `scope` may work; the caller has checked the instance is in scope."""
    tasks = list(session.scalars(select(TaskRecord).where(TaskRecord.instance_id == instance_id)
                                 .order_by(TaskRecord.created_at)))
    workable = set(session.scalars(select(TaskRecord.id).where(
        TaskRecord.instance_id == instance_id, TaskRecord.state == "open", access.workable(scope))))
    return InstanceSteps(tasks, workable)
