"""Writing the copies (抄送) a completed user task's diagram declares (engine.bpmn.copies): one `CaseCopy` row per
group, reaching the instance's agency and jurisdiction, and one audit row — inside the completing transaction, so
a completion that rolls back copies nothing. Who of each group receives a copy is engine.identity.access.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from engine.models import CaseCopy, ProcessInstance
from engine.platform import audit


def declared_copies(task) -> tuple[str, ...]:
    """The groups the SpiffWorkflow task's diagram copies its case to when it completes."""
    return getattr(task.task_spec, "inspectflow_copy", ())


def write_copies(session: Session, *, task, task_id: str, instance_id: int, groups: tuple[str, ...], now: datetime,
                 actor: str) -> None:
    if not groups:
        return
    agency = task.data.get("agency")
    jurisdiction_id = session.scalar(select(ProcessInstance.jurisdiction_id)
                                     .where(ProcessInstance.id == instance_id))
    step_name = task.task_spec.bpmn_name or task.task_spec.bpmn_id
    session.execute(insert(CaseCopy), [
        {"instance_id": instance_id, "task_id": task_id, "element_id": task.task_spec.bpmn_id,
         "step_name": step_name, "candidate_group": group, "agency": agency if isinstance(agency, str) else None,
         "jurisdiction_id": jurisdiction_id, "copied_by": actor, "copied_at": now} for group in groups])
    audit.record(session, at=now, actor=actor, action="case.copied", instance_id=instance_id, task_id=task_id,
                 after={"element_id": task.task_spec.bpmn_id, "to": list(groups)})
