"""Firing due timers of one instance, and recomputing provisional due dates after a calendar import.

The sweep (engine.sweep) decides which instances to visit; this module does the work on one instance
inside the caller's transaction.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.clock import Clock, running_with
from engine.models import Deadline
from engine.runtime import store
from engine.runtime.core import Runtime
from engine.runtime.mirror import timer_due

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimeDateEventDefinition


def fire_due_timers(runtime: Runtime, session: Session, clock: Clock, *, instance_id: int,
                    actor: str = "scheduler") -> list[dict]:
    """Let the instance's due timers fire and run the paths they open. Returns what fired."""
    runtime.refresh_calendar(session)
    state = store.load(runtime, session, instance_id)
    now = clock.now()
    due_before = {tid: t for tid, t in state.mirrored.timers.items() if t.due_at <= now}
    store.run_engine(runtime, state.workflow, clock)
    store.save(runtime, session, state, now=now, actor=actor)
    fired = [
        {"instance_id": instance_id, "deadline_id": tid, "element_id": t.element_id, "due_at": t.due_at.isoformat()}
        for tid, t in due_before.items() if tid not in state.mirrored.timers
    ]
    for item in fired:
        audit.record(session, at=now, actor=actor, action="timer.fired", instance_id=instance_id,
                     task_id=item["deadline_id"], before={"element_id": item["element_id"], "due_at": item["due_at"]},
                     after={"fired_at": now.isoformat()})
    return fired


def recompute_provisional(runtime: Runtime, session: Session, clock: Clock, *, actor: str) -> list[dict]:
    """Re-evaluate every provisional date timer with the calendar as it is now (after an import)."""
    runtime.refresh_calendar(session, force=True)
    instance_ids = session.scalars(
        select(Deadline.instance_id).where(Deadline.provisional.is_(True)).distinct()
    ).all()
    changes = []
    now = clock.now()
    for instance_id in instance_ids:
        state = store.load(runtime, session, instance_id)
        provisional = {tid for tid, t in state.mirrored.timers.items() if t.provisional}
        with running_with(clock):
            for task in state.workflow.get_tasks():
                if str(task.id) in provisional and isinstance(task.task_spec.event_definition,
                                                              TimeDateEventDefinition):
                    old = timer_due(task)
                    task.internal_data.pop("event_value", None)
                    task.internal_data.pop("event_fired", None)
                    task.task_spec.event_definition.has_fired(task)
                    changes.append({"instance_id": instance_id, "deadline_id": str(task.id),
                                    "element_id": task.task_spec.bpmn_id,
                                    "before": old.isoformat() if old else None,
                                    "after": timer_due(task).isoformat()})
        store.run_engine(runtime, state.workflow, clock)
        store.save(runtime, session, state, now=now, actor=actor)
        for change in changes:
            if change["instance_id"] == instance_id:
                audit.record(session, at=now, actor=actor, action="deadline.recomputed", instance_id=instance_id,
                             task_id=change["deadline_id"], before={"due_at": change["before"]},
                             after={"due_at": change["after"]})
    return changes
