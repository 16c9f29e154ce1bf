"""Loading and saving process instances: one place owns the instance row, the optimistic lock, the task
mirror and deadline rows, and the workflow cache.

Concurrency: `save` updates the instance row only if its lock_version is still the one `load` read; when
another transaction got there first, nothing is written and `ConcurrentUpdate` is raised (the caller rolls
back). A workflow taken from the cache belongs to this caller alone; it goes back to the cache only after
the transaction commits. `load_locked` and `save_many` do the same for a batch of instances (the sweep's), one
statement per kind of row for the whole batch.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import event
from sqlalchemy.orm import Session

from engine.calendar.store import open_uncovered_year_alerts
from engine.platform.clock import SHANGHAI, Clock, running_with
from engine.platform.hotsql import hot_sql
from engine.runtime.core import Runtime
from engine.runtime.errors import ConcurrentUpdate, InstanceNotFound, StepFailed, WorkflowError
from engine.runtime.mirror import MirrorWrites, Snapshot, live_tasks, read_snapshot, read_snapshots, snapshot
from engine.runtime.stages import StepContext, apply_stage_checks

_ON_COMMIT = "inspectflow_on_commit"


@dataclass
class CachedWorkflow:
    lock_version: int
    workflow: BpmnWorkflow
    mirrored: Snapshot


@dataclass
class InstanceState:
    id: int
    process_key: str
    process_version_id: int
    spec_refs: dict
    business_key: str | None
    status: str
    lock_version: int
    workflow: BpmnWorkflow
    mirrored: Snapshot


def load(runtime: Runtime, session: Session, instance_id: int, meta: dict | None = None) -> InstanceState:
    """The instance with its live workflow; `meta` may carry its row when the caller already read it."""
    sql = hot_sql(session)
    cached: CachedWorkflow | None = runtime.workflows.take(instance_id)
    meta = meta or sql.instance(instance_id, with_state=cached is None)
    if meta is None:
        raise InstanceNotFound(f"process instance {instance_id} does not exist", instance_id=instance_id)
    if cached is not None and cached.lock_version == meta["lock_version"]:
        workflow, mirrored = cached.workflow, cached.mirrored
    else:
        spec, subprocess_specs = runtime.workflow_specs(session, meta["process_version_id"], meta["spec_refs"])
        serialized = meta.get("serialized")
        if serialized is None:
            serialized, lock_version = sql.serialized(instance_id)
            if lock_version != meta["lock_version"]:  # changed between our two reads (PostgreSQL read committed)
                raise _conflict(instance_id)
        workflow = runtime.codec.loads(serialized, spec, subprocess_specs, runtime.script_engine)
        mirrored = read_snapshot(sql, instance_id)
    return InstanceState(
        id=instance_id, process_key=meta["process_key"], process_version_id=meta["process_version_id"],
        spec_refs=meta["spec_refs"], business_key=meta["business_key"], status=meta["status"],
        lock_version=meta["lock_version"], workflow=workflow, mirrored=mirrored,
    )


def load_locked(runtime: Runtime, session: Session, instance_ids: list[int]) -> list[InstanceState]:
    """Several instances with their live workflows, in three statements, their rows locked until the
    transaction ends, so no save of theirs can meet `ConcurrentUpdate`. On PostgreSQL an instance whose row
    another transaction holds (a user's step in progress) is left out; the instances come in id order."""
    if not instance_ids:
        return []
    sql = hot_sql(session)
    rows = sql.instances_locked(instance_ids)
    cached: dict[int, CachedWorkflow] = {}
    for row in rows:
        hit = runtime.workflows.take(row["id"])
        if hit is not None and hit.lock_version == row["lock_version"]:
            cached[row["id"]] = hit
    stale = [row["id"] for row in rows if row["id"] not in cached]
    mirrored = read_snapshots(sql, stale) if stale else {}
    states = []
    for row in rows:
        if row["id"] in cached:
            workflow, snap = cached[row["id"]].workflow, cached[row["id"]].mirrored
        else:
            spec, subprocess_specs = runtime.workflow_specs(session, row["process_version_id"], row["spec_refs"])
            workflow = runtime.codec.loads(row["serialized"], spec, subprocess_specs, runtime.script_engine)
            snap = mirrored[row["id"]]
        states.append(InstanceState(
            id=row["id"], process_key=row["process_key"], process_version_id=row["process_version_id"],
            spec_refs=row["spec_refs"], business_key=row["business_key"], status=row["status"],
            lock_version=row["lock_version"], workflow=workflow, mirrored=snap,
        ))
    return states


def run_engine(runtime: Runtime, workflow: BpmnWorkflow, clock: Clock, step: StepContext, *,
               timers_first: bool = False) -> None:
    """Run engine steps (timers included) until only user tasks and waiting events remain.

    `timers_first` (the sweep's: the workflow rests, nothing but user tasks is ready) lets due timers fire
    before the first round of engine steps, which would otherwise walk the task tree once for nothing.

    A diagram whose scripts loop through the graph forever is stopped after `step_time_limit_s`; each
    script on its own is bounded by the script engine.
    """
    deadline = time.monotonic() + runtime.step_time_limit_s

    def before_task(task) -> None:
        apply_stage_checks(runtime.stages, task, step)

    def check_budget(task) -> None:
        if time.monotonic() > deadline:
            raise StepFailed(
                f"the diagram kept running for more than {runtime.step_time_limit_s:g} s "
                f"(last step '{task.task_spec.bpmn_id}'); nothing was saved",
                element_id=task.task_spec.bpmn_id,
            )

    try:
        with running_with(clock):
            if timers_first:
                workflow.refresh_timers()
            while True:
                workflow.do_engine_steps(will_complete_task=before_task, did_complete_task=check_budget)
                # A timer that fired during the final refresh readies its path; run that too.
                if not any(t.state == TaskState.READY and not t.task_spec.manual for t in live_tasks(workflow)):
                    break
                check_budget(workflow.last_task or workflow.task_tree)
    except WorkflowError:  # ours (a step budget, a stage check): already says what happened
        raise
    except Exception as exc:  # the library's and the script engine's errors, wrapped or not
        raise _step_failure(exc) from exc


def _conflict(instance_id: int) -> ConcurrentUpdate:
    return ConcurrentUpdate(
        f"process instance {instance_id} was changed by someone else at the same moment; nothing was saved",
        instance_id=instance_id,
    )


MAX_ERROR_CHARS = 1000  # of a failure's text: a script can raise an error carrying a long text


def _step_failure(exc: Exception) -> StepFailed:
    task_spec = getattr(exc, "task_spec", None) or getattr(getattr(exc, "task", None), "task_spec", None)
    element_id = getattr(task_spec, "bpmn_id", None)
    where = f" at '{element_id}'" if element_id else ""
    detail = str(exc).strip() or exc.__class__.__name__
    if len(detail) > MAX_ERROR_CHARS:
        detail = detail[:MAX_ERROR_CHARS] + "…"
    return StepFailed(f"the diagram failed{where}: {detail}; nothing was saved", element_id=element_id)


def insert_new(
    runtime: Runtime,
    session: Session,
    *,
    workflow: BpmnWorkflow,
    process_key: str,
    process_version_id: int,
    spec_refs: dict,
    business_key: str | None,
    actor: str,
    now: datetime,
    jurisdiction_id: int | None = None,
) -> InstanceState:
    completed = workflow.completed
    instance_id = hot_sql(session).insert_instance(
        process_version_id=process_version_id, process_key=process_key, business_key=business_key,
        status="completed" if completed else "running", serialized=runtime.codec.dumps(workflow),
        spec_refs=spec_refs, jurisdiction_id=jurisdiction_id, started_by=actor, now=now,
        completed_at=now if completed else None,
    )
    state = InstanceState(
        id=instance_id, process_key=process_key, process_version_id=process_version_id, spec_refs=spec_refs,
        business_key=business_key, status="completed" if completed else "running", lock_version=1,
        workflow=workflow, mirrored=Snapshot(),
    )
    _write_mirror(runtime, session, state, now=now, actor=actor)
    return state


def save(
    runtime: Runtime, session: Session, state: InstanceState, *, now: datetime, actor: str,
    completed_task_id: str | None = None,
) -> None:
    save_many(runtime, session, [state], now=now, actor=actor, completed_task_id=completed_task_id)


def save_many(
    runtime: Runtime, session: Session, states: list[InstanceState], *, now: datetime, actor: str,
    completed_task_id: str | None = None,
) -> None:
    """Save instances with the optimistic lock: one statement per kind of row for all of them. When another
    transaction changed any of them first, `ConcurrentUpdate` is raised (the caller rolls back: some were
    written)."""
    if not states:
        return
    sql = hot_sql(session)
    statuses = ["completed" if state.workflow.completed else "running" for state in states]
    saved = sql.update_instances([
        {"id": state.id, "version": state.lock_version, "serialized": runtime.codec.dumps(state.workflow),
         "status": status, "now": now, "completed_at": now if status == "completed" else None}
        for state, status in zip(states, statuses, strict=True)
    ])
    if saved != len(states):
        raise _conflict(states[0].id) if len(states) == 1 else ConcurrentUpdate(
            "an instance of the batch was changed by someone else at the same moment; nothing was saved")
    writes = MirrorWrites()
    afters = []
    for state, status in zip(states, statuses, strict=True):
        state.lock_version += 1
        state.status = status
        after = snapshot(state.workflow, runtime.calendar, now)
        writes.add(instance_id=state.id, business_key=state.business_key, before=state.mirrored, after=after,
                   now=now, actor=actor, completed_task_id=completed_task_id)
        afters.append(after)
    writes.write(sql)
    for state, after in zip(states, afters, strict=True):
        _after_mirror(runtime, session, state, after, now=now)


def _write_mirror(runtime: Runtime, session: Session, state: InstanceState, *, now: datetime, actor: str) -> None:
    after = snapshot(state.workflow, runtime.calendar, now)
    writes = MirrorWrites()
    writes.add(instance_id=state.id, business_key=state.business_key, before=state.mirrored, after=after, now=now,
               actor=actor)
    writes.write(hot_sql(session))
    _after_mirror(runtime, session, state, after, now=now)


def _after_mirror(runtime: Runtime, session: Session, state: InstanceState, after: Snapshot, *,
                  now: datetime) -> None:
    """Once the mirror rows are written: the records and alerts that follow new timers, the cache hand-back."""
    calendar = runtime.calendar
    moved = [timer for timer_id, timer in after.timers.items()
             if timer_id not in state.mirrored.timers or state.mirrored.timers[timer_id].due_at != timer.due_at]
    if moved:  # new timers, or provisional ones recomputed: the records showing them follow (Runtime.due_listeners)
        for listener in runtime.due_listeners:
            listener(session, state.workflow, moved)
    estimated = {
        year
        for timer in after.timers.values() if timer.provisional
        for year in calendar.uncovered_years_between(now.astimezone(SHANGHAI).date(),
                                                     timer.due_at.astimezone(SHANGHAI).date())
    }
    if estimated:
        open_uncovered_year_alerts(session, calendar, estimated, now)
    state.mirrored = after
    if state.status != "completed":  # a finished instance is never stepped again: keep the cache for live ones
        cached = CachedWorkflow(state.lock_version, state.workflow, after)
        session.info.setdefault(_ON_COMMIT, []).append(lambda: runtime.workflows.put(state.id, cached))


@contextmanager
def savepoint(session: Session) -> Iterator[None]:
    """A unit of work inside a larger transaction: on failure its changes and its cache hand-backs go."""
    pending = session.info.setdefault(_ON_COMMIT, [])
    mark = len(pending)
    nested = session.begin_nested()
    try:
        yield
    except BaseException:
        nested.rollback()
        del pending[mark:]
        raise
    nested.commit()


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    for callback in session.info.pop(_ON_COMMIT, []):
        callback()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_ON_COMMIT, None)
