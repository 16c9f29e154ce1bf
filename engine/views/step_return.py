"""Why a step is open again: when the step completed just before it opened was a rule check that refused
(the county office's 确认检查前置条件 returning a plan, R1–R17), the planner sees which step returned it, who,
when, and each rule with its reason — the words the supervisors' refusal list shows (issue 11: a rule refusal
is never silent). Read from the audit trail, where engine.runtime.instances records each checked step's
findings. Read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import AuditEntry, TaskRecord


@dataclass(frozen=True)
class StepReturn:
    step: str  # the returning step's name
    actor: str
    at: datetime
    refusals: list[tuple[str, str]]  # (R-number, reason)


def returned_by(session: Session, task: TaskRecord) -> StepReturn | None:
    """The refusing check that opened `task`, or None when the step before it passed (or checked nothing)."""
    # Ids grow with time in the audit table: the last completion recorded by the moment the task opened.
    entry = session.scalar(select(AuditEntry).where(
        AuditEntry.instance_id == task.instance_id, AuditEntry.action == "task.completed",
        AuditEntry.at <= task.created_at, AuditEntry.task_id != task.id).order_by(AuditEntry.id.desc()).limit(1))
    findings = (entry.after or {}).get("findings") if entry is not None else None
    if not isinstance(findings, dict) or not findings.get("checks") or not findings.get("policy_refusals"):
        return None
    assert entry is not None
    step = session.get(TaskRecord, entry.task_id) if entry.task_id else None
    refusals = [(str(r.get("rule")), str(r.get("message"))) for r in findings["policy_refusals"] if isinstance(r, dict)]
    return StepReturn(step.name if step else str((entry.after or {}).get("element_id")), entry.actor, entry.at,
                      refusals)
