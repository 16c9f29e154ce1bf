"""What of a workflow the database mirrors: its open user tasks and its waiting timers with due moments.

`snapshot` reads a live workflow; `MirrorWriter` turns the difference between two snapshots into the few
INSERT/UPDATE/DELETE statements that keep the `task` and `deadline` rows in step, inside the caller's
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from engine.calendar import WorkingCalendar
from engine.clock import SHANGHAI, parse_moment, to_utc
from engine.models import Deadline, TaskRecord


@dataclass(frozen=True)
class OpenTask:
    id: str
    element_id: str
    name: str
    process_key: str
    lane: str | None
    agency: str | None
    due_at: datetime | None
    provisional: bool


@dataclass(frozen=True)
class WaitingTimer:
    id: str
    element_id: str
    due_at: datetime
    provisional: bool


@dataclass
class Snapshot:
    tasks: dict[str, OpenTask] = field(default_factory=dict)
    timers: dict[str, WaitingTimer] = field(default_factory=dict)


def timer_due(task) -> datetime | None:
    """The due moment the library computed for a waiting timer task (None until it evaluated one)."""
    value = task._get_internal_data("event_value")
    if isinstance(value, dict):  # cycle timers keep their next occurrence
        value = value.get("next")
    if not value:
        return None
    return to_utc(parse_moment(str(value)))


def snapshot(workflow, calendar: WorkingCalendar, now: datetime) -> Snapshot:
    today = now.astimezone(SHANGHAI).date()
    result = Snapshot()
    boundary_due: dict[str, datetime] = {}
    for task in workflow.get_tasks(state=TaskState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        if not isinstance(definition, TimerEventDefinition):
            continue
        due = timer_due(task)
        if due is None:
            continue
        provisional = calendar.span_is_estimated(today, due.astimezone(SHANGHAI).date())
        result.timers[str(task.id)] = WaitingTimer(str(task.id), task.task_spec.bpmn_id, due, provisional)
        if isinstance(task.parent.task_spec, BoundaryEventSplit):
            key = str(task.parent.id)
            boundary_due[key] = min(due, boundary_due.get(key, due))
    for task in workflow.get_tasks(state=TaskState.READY, manual=True):
        due = boundary_due.get(str(task.parent.id)) if task.parent is not None else None
        provisional = due is not None and calendar.span_is_estimated(today, due.astimezone(SHANGHAI).date())
        spec = task.task_spec
        agency = task.data.get("agency")
        result.tasks[str(task.id)] = OpenTask(
            id=str(task.id),
            element_id=spec.bpmn_id,
            name=spec.bpmn_name or spec.bpmn_id,
            process_key=task.workflow.spec.name,
            lane=spec.lane,
            agency=agency if isinstance(agency, str) else None,
            due_at=due,
            provisional=provisional,
        )
    return result


def read_snapshot(session: Session, instance_id: int) -> Snapshot:
    """The snapshot the database holds now (used when the workflow did not come from the cache)."""
    result = Snapshot()
    for row in session.execute(
        select(TaskRecord.id, TaskRecord.element_id, TaskRecord.name, TaskRecord.process_key, TaskRecord.lane,
               TaskRecord.agency, TaskRecord.due_at, TaskRecord.due_provisional)
        .where(TaskRecord.instance_id == instance_id, TaskRecord.state == "open")
    ):
        result.tasks[row.id] = OpenTask(row.id, row.element_id, row.name, row.process_key, row.lane, row.agency,
                                        row.due_at, row.due_provisional)
    for timer in session.execute(
        select(Deadline.id, Deadline.element_id, Deadline.due_at, Deadline.provisional)
        .where(Deadline.instance_id == instance_id)
    ):
        result.timers[timer.id] = WaitingTimer(timer.id, timer.element_id, timer.due_at, timer.provisional)
    return result


def write_changes(
    session: Session,
    *,
    instance_id: int,
    business_key: str | None,
    before: Snapshot,
    after: Snapshot,
    now: datetime,
    actor: str,
    completed_task_id: str | None = None,
) -> None:
    gone = [task_id for task_id in before.tasks if task_id not in after.tasks]
    for task_id in gone:
        state = "completed" if task_id == completed_task_id else "cancelled"
        session.execute(
            update(TaskRecord)
            .where(TaskRecord.id == task_id)
            .values(state=state, completed_at=now, completed_by=actor if state == "completed" else None)
        )
    new_tasks = [task for task_id, task in after.tasks.items() if task_id not in before.tasks]
    if new_tasks:
        session.execute(insert(TaskRecord), [
            dict(id=t.id, instance_id=instance_id, process_key=t.process_key, element_id=t.element_id, name=t.name,
                 lane=t.lane, candidate_group=t.lane, agency=t.agency, business_key=business_key, state="open",
                 created_at=now, due_at=t.due_at, due_provisional=t.provisional)
            for t in new_tasks
        ])
    for task_id, task in after.tasks.items():
        old = before.tasks.get(task_id)
        if old is not None and (old.due_at, old.provisional) != (task.due_at, task.provisional):
            session.execute(
                update(TaskRecord).where(TaskRecord.id == task_id)
                .values(due_at=task.due_at, due_provisional=task.provisional)
            )

    fired = [timer_id for timer_id in before.timers if timer_id not in after.timers]
    if fired:
        session.execute(delete(Deadline).where(Deadline.id.in_(fired)))
    new_timers = [timer for timer_id, timer in after.timers.items() if timer_id not in before.timers]
    if new_timers:
        session.execute(insert(Deadline), [
            dict(id=t.id, instance_id=instance_id, element_id=t.element_id, due_at=t.due_at,
                 provisional=t.provisional, created_at=now)
            for t in new_timers
        ])
    for timer_id, timer in after.timers.items():
        old_timer = before.timers.get(timer_id)
        if old_timer is not None and (old_timer.due_at, old_timer.provisional) != (timer.due_at, timer.provisional):
            session.execute(
                update(Deadline).where(Deadline.id == timer_id)
                .values(due_at=timer.due_at, provisional=timer.provisional, failed_at=None, last_error=None)
            )
