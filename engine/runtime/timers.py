"""Firing due timers of one instance, and recomputing provisional due dates after a calendar import.

The sweep (engine.background.sweep) decides which instances to visit; this module does the work on one instance
inside the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimeDateEventDefinition
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Deadline
from engine.platform import audit, events
from engine.platform.clock import Clock, running_with
from engine.runtime import store
from engine.runtime.core import Runtime
from engine.runtime.mirror import WaitingTimer, timer_due


def fire_due_timers(runtime: Runtime, session: Session, clock: Clock, *, instance_id: int,
                    actor: str = "scheduler") -> list[dict]:
    """Let the instance's due timers fire and run the paths they open. Returns what fired."""
    runtime.refresh_calendar(session)
    state = store.load(runtime, session, instance_id)
    now = clock.now()
    due = _run_due(runtime, session, clock, state, now, actor)
    store.save(runtime, session, state, now=now, actor=actor)
    return _record_fired(session, [(state, due)], now, actor)


def fire_due_timers_of(runtime: Runtime, session: Session, clock: Clock, *, instance_ids: list[int],
                       actor: str = "scheduler") -> list[dict]:
    """`fire_due_timers` for several instances at once: each step's statements go once for all of them. All or
    nothing: when one instance fails, this raises, having written part of the batch (the caller rolls back).
    On PostgreSQL an instance whose row a user's step holds right now is left for the next sweep."""
    runtime.refresh_calendar(session)
    states = store.load_locked(runtime, session, instance_ids)
    now = clock.now()
    dues = [(state, _run_due(runtime, session, clock, state, now, actor)) for state in states]
    store.save_many(runtime, session, states, now=now, actor=actor)
    return _record_fired(session, dues, now, actor)


def _run_due(runtime: Runtime, session: Session, clock: Clock, state: store.InstanceState, now: datetime,
             actor: str) -> list[WaitingTimer]:
    """Run the instance's engine steps as of now; returns the timers that were due."""
    step = runtime.step_context(session, now=now, actor=actor, instance_id=state.id, business_key=state.business_key)
    due = [timer for timer in state.mirrored.timers.values() if timer.due_at <= now]
    store.run_engine(runtime, state.workflow, clock, step, timers_first=True)
    return due


def _record_fired(session: Session, dues: list[tuple[store.InstanceState, list[WaitingTimer]]], now: datetime,
                  actor: str) -> list[dict]:
    """After the save: the due timers that fired (gone, or a cycle timer moved on to its next occurrence), with
    their audit rows (one statement) and events."""
    fired = [(state, timer) for state, due in dues for timer in due
             if timer.id not in state.mirrored.timers or state.mirrored.timers[timer.id].due_at != timer.due_at]
    audit.record_many(session, [
        {"at": now, "actor": actor, "action": "timer.fired", "instance_id": state.id, "task_id": timer.id,
         "before": {"element_id": timer.element_id, "due_at": timer.due_at.isoformat()},
         "after": {"fired_at": now.isoformat()}}
        for state, timer in fired
    ])
    for state, timer in fired:
        events.announce(session, events.Event("fired", state.process_key, state.id, now, task_id=timer.id,
                                              element_id=timer.element_id, due_at=timer.due_at))
    return [{"instance_id": state.id, "deadline_id": timer.id, "element_id": timer.element_id,
             "due_at": timer.due_at.isoformat()} for state, timer in fired]


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
