"""What of a workflow the database mirrors: its open user tasks and its waiting timers with due moments.

`snapshot` reads a live workflow; `MirrorWrites` turns the difference between two snapshots (of one instance, or
of each of a batch) into the few INSERT/UPDATE/DELETE statements that keep the `task` and `deadline` rows in
step, inside the caller's transaction.

A task row's `agency` (whose staff see and work it) is the instance's bound `agency`. An instance started with
none — a complaint naming no coded inspection — learns later which agency acts in it: the county office names
it at acceptance as `correcting_agency` (checked by engine.domain.complaint_process). Only the lanes an agency
works (单位负责人, 执法人员) take that key; the office's and supervisors' lanes stay placed by jurisdiction.
This is the smallest sound change: the bound keys stay bound, and no process needs its own routing code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity
from SpiffWorkflow.util.task import TaskState

from engine.calendar import WorkingCalendar
from engine.platform.clock import SHANGHAI, parse_moment, to_utc
from engine.platform.hotsql import HotSql

CORRECTING_AGENCY = "correcting_agency"
AGENCY_LANES = ("单位负责人", "执法人员")


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
    if isinstance(value, dict):  # cycle timers keep their next occurrence and the cycles left
        if value.get("cycles") == 0:
            return None  # the last cycle has fired; nothing more is due
        value = value.get("next")
    if not value:
        return None
    return to_utc(parse_moment(str(value)))


def live_tasks(workflow) -> list:
    """READY and WAITING tasks of the workflow and its subprocesses.

    Reads the workflows' task dictionaries instead of walking the task tree, which on every save cost
    more than the step itself.
    """
    live = TaskState.READY | TaskState.WAITING
    found = [task for task in workflow.tasks.values() if task.state & live]
    for subprocess in workflow.subprocesses.values():
        found.extend(task for task in subprocess.tasks.values() if task.state & live)
    return found


def snapshot(workflow, calendar: WorkingCalendar, now: datetime) -> Snapshot:
    today = now.astimezone(SHANGHAI).date()
    result = Snapshot()
    ready_user_tasks = []
    for task in live_tasks(workflow):
        if task.state == TaskState.READY:
            if task.task_spec.manual:
                ready_user_tasks.append(task)
            continue
        definition = getattr(task.task_spec, "event_definition", None)
        if not isinstance(definition, TimerEventDefinition):
            continue
        due = timer_due(task)
        if due is None:
            continue
        provisional = calendar.span_is_estimated(today, due.astimezone(SHANGHAI).date())
        result.timers[str(task.id)] = WaitingTimer(str(task.id), task.task_spec.bpmn_id, due, provisional)
    for task in ready_user_tasks:
        due = _enclosing_due(task)
        provisional = due is not None and calendar.span_is_estimated(today, due.astimezone(SHANGHAI).date())
        spec = task.task_spec
        agency = _task_agency(task.data, spec.lane)
        result.tasks[str(task.id)] = OpenTask(
            id=str(task.id),
            element_id=spec.bpmn_id,
            name=spec.bpmn_name or spec.bpmn_id,
            process_key=_process_key(task),
            lane=spec.lane,
            agency=agency,
            due_at=due,
            provisional=provisional,
        )
    return result


def _task_agency(data: dict, lane: str | None) -> str | None:
    """The agency whose staff work the task: the instance's, else (agency lanes only) the one named later."""
    agency = data.get("agency")
    if not agency and lane in AGENCY_LANES:
        agency = data.get(CORRECTING_AGENCY)
    return agency if isinstance(agency, str) else None


def _enclosing(task):
    """The task and then each (call activity or sub-process) task that encloses it, innermost first."""
    while task is not None:
        yield task
        workflow = task.workflow
        parent_id = getattr(workflow, "parent_task_id", None)
        task = workflow.top_workflow.get_task_from_id(parent_id) if parent_id is not None else None


def _enclosing_due(task) -> datetime | None:
    """The earliest deadline on the task or on any sub-process or call activity around it: a boundary timer
    waiting, or one that has fired without interrupting (the task stays open, and overdue)."""
    dues = []
    for enclosing in _enclosing(task):
        split = enclosing.parent
        if split is None or not isinstance(split.task_spec, BoundaryEventSplit):
            continue
        for sibling in split.children:
            definition = getattr(sibling.task_spec, "event_definition", None)
            if isinstance(definition, TimerEventDefinition) and not sibling.has_state(TaskState.CANCELLED):
                due = timer_due(sibling)
                if due is not None:
                    dues.append(due)
    return min(dues) if dues else None


def _process_key(task) -> str:
    """The process a task belongs to: a called process's own id, but for an embedded sub-process the
    process that contains it (the sub-process id is not a process anyone deployed)."""
    for enclosing in _enclosing(task):
        workflow = enclosing.workflow
        parent_id = getattr(workflow, "parent_task_id", None)
        if parent_id is None:
            return workflow.spec.name
        if isinstance(workflow.top_workflow.get_task_from_id(parent_id).task_spec, CallActivity):
            return workflow.spec.name
    return task.workflow.spec.name


def read_snapshot(sql: HotSql, instance_id: int) -> Snapshot:
    """The snapshot the database holds now (used when the workflow did not come from the cache)."""
    return read_snapshots(sql, [instance_id], tasks=[(instance_id, *row) for row in sql.open_tasks(instance_id)],
                          deadlines=[(instance_id, *row) for row in sql.deadlines(instance_id)])[instance_id]


def read_snapshots(sql: HotSql, instance_ids: list[int], *, tasks: list[tuple] | None = None,
                   deadlines: list[tuple] | None = None) -> dict[int, Snapshot]:
    """The snapshots of several instances, in two statements (rows already read may be passed in)."""
    result = {instance_id: Snapshot() for instance_id in instance_ids}
    for instance_id, task_id, element_id, name, process_key, lane, agency, due_at, provisional in (
            sql.open_tasks_of(instance_ids) if tasks is None else tasks):
        result[instance_id].tasks[task_id] = OpenTask(task_id, element_id, name, process_key, lane, agency, due_at,
                                                      provisional)
    for instance_id, timer_id, element_id, due_at, provisional in (
            sql.deadlines_of(instance_ids) if deadlines is None else deadlines):
        result[instance_id].timers[timer_id] = WaitingTimer(timer_id, element_id, due_at, provisional)
    return result


@dataclass
class MirrorWrites:
    """The row changes that bring the mirror from one snapshot to the next, of one instance or of many: gathered
    with `add`, sent with `write` as one statement (an executemany) per kind of change."""

    close_tasks: list[dict] = field(default_factory=list)
    insert_tasks: list[dict] = field(default_factory=list)
    move_task_dues: list[dict] = field(default_factory=list)
    delete_deadlines: list[str] = field(default_factory=list)
    insert_deadlines: list[dict] = field(default_factory=list)
    move_deadlines: list[dict] = field(default_factory=list)

    def add(self, *, instance_id: int, business_key: str | None, before: Snapshot, after: Snapshot, now: datetime,
            actor: str, completed_task_id: str | None = None) -> None:
        self.close_tasks.extend(
            {"id": task_id, "state": "completed" if task_id == completed_task_id else "cancelled", "at": now,
             "by": actor if task_id == completed_task_id else None}
            for task_id in before.tasks if task_id not in after.tasks
        )
        self.insert_tasks.extend(
            {"id": t.id, "instance_id": instance_id, "process_key": t.process_key, "element_id": t.element_id,
             "name": t.name, "lane": t.lane, "agency": t.agency, "business_key": business_key, "now": now,
             "due_at": t.due_at, "provisional": t.provisional}
            for task_id, t in after.tasks.items() if task_id not in before.tasks
        )
        self.move_task_dues.extend(
            {"id": task_id, "due_at": task.due_at, "provisional": task.provisional, "now": now}
            for task_id, task in after.tasks.items()
            if task_id in before.tasks and _due(before.tasks[task_id]) != _due(task)
        )
        self.delete_deadlines.extend(timer_id for timer_id in before.timers if timer_id not in after.timers)
        self.insert_deadlines.extend(
            {"id": t.id, "instance_id": instance_id, "element_id": t.element_id, "due_at": t.due_at,
             "provisional": t.provisional, "now": now}
            for timer_id, t in after.timers.items() if timer_id not in before.timers
        )
        self.move_deadlines.extend(
            {"id": timer_id, "due_at": timer.due_at, "provisional": timer.provisional}
            for timer_id, timer in after.timers.items()
            if timer_id in before.timers and _due(before.timers[timer_id]) != _due(timer)
        )

    def write(self, sql: HotSql) -> None:
        sql.close_tasks(self.close_tasks)
        sql.insert_tasks(self.insert_tasks)
        sql.move_task_dues(self.move_task_dues)
        sql.delete_deadlines(self.delete_deadlines)
        sql.insert_deadlines(self.insert_deadlines)
        sql.move_deadlines(self.move_deadlines)


def _due(item: OpenTask | WaitingTimer) -> tuple[datetime | None, bool]:
    return item.due_at, item.provisional
