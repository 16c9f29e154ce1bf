"""Whether completing a task ends its case (办结) or hands it on (提交), read from the diagram.

A step closes the case when it belongs to the instance's own process (not a called or embedded one: the caller
goes on) and every path after it reaches an end event through nothing that waits or asks anyone — only gateways,
script tasks and end events — and no other step of the case is open. Anything else (a later user task, a call
activity, a timer or message to wait for, a path looping back to an earlier step) is 提交. Nothing is declared in
the diagrams for this (processes/bpmn/README.md, "办结 and 提交").
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import ProcessInstance, TaskRecord
from engine.runtime.core import Runtime

# SpiffWorkflow 3 spec classes a path may cross and still end at once; `_EndJoin`, `BoundaryEventJoin` and
# `SimpleBpmnTask` (the spec's own End) are its plumbing.
PASSING = frozenset({"ExclusiveGateway", "InclusiveGateway", "ParallelGateway", "ScriptTask", "EndEvent",
                     "IntermediateThrowEvent", "_EndJoin", "BoundaryEventJoin", "SimpleBpmnTask"})


def ends_without_work(spec, element_id: str) -> bool:
    """Every path after the element reaches the end through PASSING specs only."""
    start = spec.task_specs.get(element_id)
    if start is None:
        return False
    seen: set[str] = set()
    waiting = list(start.outputs)
    while waiting:
        step = waiting.pop()
        if step.name in seen:
            continue
        seen.add(step.name)
        if step.name == element_id or type(step).__name__ not in PASSING:
            return False
        waiting.extend(step.outputs)
    return True


def closes_case(runtime: Runtime, session: Session, record: TaskRecord) -> bool:
    """True when completing this open task ends its case (the submit button says 办结)."""
    instance = session.get(ProcessInstance, record.instance_id)
    if instance is None or record.process_key != instance.process_key:
        return False
    others = session.scalar(select(func.count()).select_from(TaskRecord).where(
        TaskRecord.instance_id == record.instance_id, TaskRecord.state == "open", TaskRecord.id != record.id))
    if others:
        return False
    return ends_without_work(runtime.version_specs(session, instance.process_version_id).spec, record.element_id)
