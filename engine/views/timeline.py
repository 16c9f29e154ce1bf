"""A case's 流转 timeline (issue 12 item 2): every completed step with who completed it, when, and what it decided
and said, worded with the step's own form labels — its decisions (yes/no and choice fields, e.g. 是否批准) and
opinions (text fields: 审批意见, 办理意见, 督办意见 …) — and the comments, assignments (指派) and delegations (转办)
made on its tasks, oldest first. Other data a step recorded (plans, dates, items) stays in the audit trail.
Read-only; the caller has checked that the viewer may see the instance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn.forms import FormSpec
from engine.models import AuditEntry, ProcessInstance, TaskComment, TaskRecord
from engine.runtime import Runtime, instances

DECISION_TYPES = ("boolean", "choice")
OPINION_TYPES = ("text",)
KINDS = {"task.completed": "completed", "task.assigned": "assigned", "task.delegated": "delegated"}


@dataclass(frozen=True)
class StepField:
    name: str
    label: str
    kind: str  # decision | opinion
    value: object


@dataclass(frozen=True)
class TimelineEntry:
    kind: str  # completed | comment | assigned | delegated
    at: datetime
    actor: str
    task_id: str | None
    step: str | None
    fields: tuple[StepField, ...] = ()  # completed: its decisions and opinions, in the form's order
    text: str | None = None  # comment: its text; delegated: the reason
    assignee: str | None = None  # assigned, delegated: to whom


def timeline(session: Session, runtime: Runtime, instance_id: int) -> list[TimelineEntry]:
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        return []
    forms = instances.version_forms(runtime, session, instance.process_version_id)
    steps = {row.id: row.name for row in session.execute(select(TaskRecord.id, TaskRecord.name)
                                                         .where(TaskRecord.instance_id == instance_id))}
    entries = [_from_audit(entry, steps, forms) for entry in session.scalars(
        select(AuditEntry).where(AuditEntry.instance_id == instance_id, AuditEntry.action.in_(KINDS))
        .order_by(AuditEntry.id))]
    entries += [TimelineEntry("comment", c.created_at, c.author, c.task_id, steps.get(c.task_id), text=c.text)
                for c in session.scalars(select(TaskComment).where(TaskComment.instance_id == instance_id)
                                         .order_by(TaskComment.id))]
    return sorted(entries, key=lambda entry: entry.at)  # stable: each source keeps its own order at equal moments


def _from_audit(entry: AuditEntry, steps: dict[str, str], forms: dict[str, FormSpec]) -> TimelineEntry:
    after = entry.after or {}
    element_id = after.get("element_id") or (entry.before or {}).get("element_id")
    step = steps.get(entry.task_id or "") or element_id
    kind = KINDS[entry.action]
    if kind != "completed":
        return TimelineEntry(kind, entry.at, entry.actor, entry.task_id, step, text=after.get("reason"),
                             assignee=after.get("assignee"))
    return TimelineEntry(kind, entry.at, entry.actor, entry.task_id, step,
                         fields=_said(forms.get(element_id or ""), after.get("data") or {}))


def _said(form: FormSpec | None, data: dict) -> tuple[StepField, ...]:
    if form is None:
        return ()
    return tuple(StepField(f.name, f.label, "decision" if f.type in DECISION_TYPES else "opinion", data[f.name])
                 for f in form.fields if f.type in (*DECISION_TYPES, *OPINION_TYPES) and f.name in data)
