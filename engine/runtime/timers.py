"""Firing due timers of one instance, and recomputing provisional due dates after a calendar import.

The sweep (engine.background.sweep) decides which instances to visit; this module does the work on one instance
inside the caller's transaction.
"""

from __future__ import annotations

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimeDateEventDefinition
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Deadline
from engine.platform import audit, events
from engine.platform.clock import Clock, running_with
from engine.runtime import store
from engine.runtime.core import Runtime
from engine.runtime.mirror import timer_due


def fire_due_timers(runtime: Runtime, session: Session, clock: Clock, *, instance_id: int,
                    actor: str = "scheduler") -> list[dict]:
    """Let the instance's due timers fire and run the paths they open. Returns what fired."""
    runtime.refresh_calendar(session)
    state = store.load(runtime, session, instance_id)
    now = clock.now()
    step = runtime.step_context(session, now=now, actor=actor, instance_id=instance_id, business_key=state.business_key)
    due = [timer for timer in state.mirrored.timers.values() if timer.due_at <= now]
    store.run_engine(runtime, state.workflow, clock, step)
    store.save(runtime, session, state, now=now, actor=actor)
    # Gone, or (a cycle timer) moved on to its next occurrence.
    fired = [timer for timer in due
             if timer.id not in state.mirrored.timers or state.mirrored.timers[timer.id].due_at != timer.due_at]
    for timer in fired:
        audit.record(session, at=now, actor=actor, action="timer.fired", instance_id=instance_id, task_id=timer.id,
                     before={"element_id": timer.element_id, "due_at": timer.due_at.isoformat()},
                     after={"fired_at": now.isoformat()})
        events.announce(session, events.Event("fired", state.process_key, instance_id, now, task_id=timer.id,
                                              element_id=timer.element_id, due_at=timer.due_at))
    return [{"instance_id": instance_id, "deadline_id": timer.id, "element_id": timer.element_id,
             "due_at": timer.due_at.isoformat()} for timer in fired]


def recompute_provisional(runtime: Runtime, session: Session, clock: Clock, *, actor: str) -> list[dict]:
    """Re-evaluate every provisional date timer with the calendar as it is now (after an import)."""
    runtime.refresh_calendar(session, force=True)
    instance_ids = session.scalars(
        select(Deadline.instance_id).where(Deadline.provisional.is_(True)).distinct()
    ).all()
    now = clock.now()
    changes = []
    for instance_id in instance_ids:
        state = store.load(runtime, session, instance_id)
        provisional = {timer_id for timer_id, timer in state.mirrored.timers.items() if timer.provisional}
        with running_with(clock):
            for task in state.workflow.get_tasks():
                definition = getattr(task.task_spec, "event_definition", None)
                if str(task.id) not in provisional or not isinstance(definition, TimeDateEventDefinition):
                    continue
                before = timer_due(task)
                task.internal_data.pop("event_value", None)
                task.internal_data.pop("event_fired", None)
                definition.has_fired(task)  # evaluates the timer expression again, with the new calendar
                after = timer_due(task)
                change = {"instance_id": instance_id, "deadline_id": str(task.id),
                          "element_id": task.task_spec.bpmn_id,
                          "before": before.isoformat() if before else None,
                          "after": after.isoformat() if after else None}
                changes.append(change)
                audit.record(session, at=now, actor=actor, action="deadline.recomputed", instance_id=instance_id,
                             task_id=change["deadline_id"], before={"due_at": change["before"]},
                             after={"due_at": change["after"]})
        step = runtime.step_context(session, now=now, actor=actor, instance_id=instance_id,
                                    business_key=state.business_key)
        store.run_engine(runtime, state.workflow, clock, step)
        store.save(runtime, session, state, now=now, actor=actor)
    return changes
