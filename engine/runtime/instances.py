"""Starting instances, completing and claiming user tasks, and reading an instance's state.

Each function is one unit of work inside the caller's transaction: the instance row (version-checked),
the task mirror, the deadline rows and one audit row change together or not at all.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

import orjson
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.bpmn.case_view import CaseShows
from engine.bpmn.forms import FormInvalid, FormSpec
from engine.models import Agency, Enterprise, ProcessInstance, TaskRecord
from engine.platform import audit, events
from engine.platform.clock import SHANGHAI, Clock, running_with
from engine.platform.db import affected_rows
from engine.platform.hotsql import hot_sql
from engine.runtime import store
from engine.runtime.attachment_refs import bind_attachments
from engine.runtime.copies import declared_copies, write_copies
from engine.runtime.core import DEADLINE_DAYS, Runtime
from engine.runtime.data_limits import check_data
from engine.runtime.deploy import VersionRef, latest_version
from engine.runtime.errors import InvalidTaskData, ProcessNotFound, TaskNotFound, TaskNotOpen
from engine.runtime.stages import apply_stage_checks

T = TypeVar("T")
RESERVED_NAMES = {"working_days_after", "is_working_day"}
# What an instance is about, fixed when it starts (engine.commands.tasks checks them against the starter's scope):
# a completion may repeat them unchanged but never change them, or work would move into another agency's inbox
# and engine steps would write to another agency's records (issue 10 defect 1).
# `deadline_days` likewise: the policy's figures the instance's timers count with (DEADLINE_DAYS).
BOUND_KEYS = ("agency", "enterprise", "inspection_id", "complaint_id", DEADLINE_DAYS)


@dataclass(frozen=True)
class StartedInstance:
    id: int
    process_key: str
    version: int
    status: str
    open_tasks: list[dict]


def validate_data(data: object) -> dict:
    """Task data must be a JSON object whose keys diagrams can use as variable names."""
    if not isinstance(data, dict):
        raise InvalidTaskData("task data must be a JSON object", received=type(data).__name__)
    problems = {}
    for key in data:
        if not isinstance(key, str) or not key.isidentifier() or keyword.iskeyword(key):
            problems[str(key)] = "not a valid field name (letters, digits and _; not a Python keyword)"
        elif key.startswith("_"):
            problems[key] = "field names may not start with _"
        elif key in RESERVED_NAMES:
            problems[key] = "this name is a calendar helper available to diagrams"
    if problems:
        raise InvalidTaskData("some field names cannot be used: " + ", ".join(sorted(problems)), fields=problems)
    try:
        orjson.dumps(data)
    except (TypeError, ValueError) as exc:
        raise InvalidTaskData(f"task data is not plain JSON: {exc}") from exc
    check_data(data)  # what every database can store: the CLI and pages get the API's checks (issue 10 defect 5)
    return data


def resolve_spec_refs(session: Session, version: VersionRef) -> dict[str, int]:
    """Pin every call-activity target (transitively) to its latest deployed version."""
    refs = {version.process_key: version.id}
    pending = list(version.called_process_keys)
    while pending:
        key = pending.pop()
        if key in refs:
            continue
        target = latest_version(session, key)
        if target is None:
            raise ProcessNotFound(
                f"process '{version.process_key}' calls '{key}', which is not deployed; deploy it first",
                process_key=key,
            )
        refs[key] = target.id
        pending.extend(target.called_process_keys)
    return refs


def start_instance(runtime: Runtime, session: Session, clock: Clock, *, process_key: str, data: dict,
                   actor: str, business_key: str | None = None,
                   jurisdiction_id: int | None = None) -> StartedInstance:
    """Start the latest version. Who may start what for which agency and record is engine.commands.tasks'
    decision; engine code that starts a procedure for a record it has just checked calls this directly."""
    validate_data(data)
    if jurisdiction_id is None:
        jurisdiction_id = jurisdiction_of(session, data)
    if runtime.deadline_figures is not None:
        # The policy in force now fixes every due moment of this instance (a starter cannot supply its own).
        data = {**data, DEADLINE_DAYS: dict(runtime.deadline_figures(session, jurisdiction_id))}
    version = latest_version(session, process_key)
    if version is None:
        raise ProcessNotFound(f"no process '{process_key}' is deployed", process_key=process_key)
    runtime.refresh_calendar(session)
    spec_refs = resolve_spec_refs(session, version)
    spec, subprocess_specs = runtime.workflow_specs(session, version.id, spec_refs)
    now = clock.now()
    step = runtime.step_context(session, now=now, actor=actor, instance_id=None, business_key=business_key)
    with running_with(clock):
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=runtime.script_engine)
        workflow.task_tree.data.update(data)
        store.run_engine(runtime, workflow, clock, step)
    state = store.insert_new(runtime, session, workflow=workflow, process_key=process_key,
                             process_version_id=version.id, spec_refs=spec_refs, business_key=business_key,
                             actor=actor, now=now, jurisdiction_id=jurisdiction_id)
    audit.record(session, at=now, actor=actor, action="instance.started", instance_id=state.id,
                 after={"process_key": process_key, "version": version.version, "data": data,
                        "business_key": business_key})
    events.announce(session, events.Event("started", process_key, state.id, now))
    return StartedInstance(state.id, process_key, version.version, state.status,
                           [_task_summary(t) for t in state.mirrored.tasks.values()])


def jurisdiction_of(session: Session, data: dict) -> int | None:
    """Where an instance whose starter named no jurisdiction is placed: its agency's, else its enterprise's."""
    agency, enterprise = data.get("agency"), data.get("enterprise")
    if isinstance(agency, str) and agency:
        found = session.scalar(select(Agency.jurisdiction_id).where(Agency.code == agency))
        if found is not None:
            return found
    if isinstance(enterprise, str) and enterprise:
        return session.scalar(select(Enterprise.jurisdiction_id).where(Enterprise.credit_code == enterprise))
    return None


def complete_task(runtime: Runtime, session: Session, clock: Clock, *, task_id: str, data: dict,
                  actor: str) -> StartedInstance:
    validate_data(data)
    record = _open_task(session, task_id)
    if record["assignee"] and record["assignee"] != actor:
        raise TaskNotOpen(f"task '{record['name']}' is claimed by {record['assignee']}; only they can complete it",
                          task_id=task_id, assignee=record["assignee"], reason="claimed_by_other", name=record["name"])
    runtime.refresh_calendar(session)
    instance_row = {key: record[key] for key in ("process_key", "process_version_id", "spec_refs", "business_key",
                                                 "status", "lock_version")}
    state = store.load(runtime, session, record["instance_id"], meta=instance_row)
    task = state.workflow.get_task_from_id(UUID(task_id))
    if task is None or task.state != TaskState.READY:
        raise TaskNotOpen(f"task '{record['name']}' is no longer open: the process has moved on", task_id=task_id,
                          reason="moved_on", name=record["name"])
    _keep_bound_keys(task.data, data, record["name"])
    form = _case_choices(runtime, session, task_form_of(task), task.data)
    if form is not None:
        data = bind_attachments(session, form, record["instance_id"], data)
        try:
            data = form.clean(data)
        except FormInvalid as invalid:
            raise InvalidTaskData(f"the form of '{record['name']}' has errors: {invalid}", fields=invalid.errors,
                                  problems={name: p.to_dict() for name, p in invalid.problems.items()}) from None
    now = clock.now()
    step = runtime.step_context(session, now=now, actor=actor, instance_id=state.id, business_key=state.business_key)
    with running_with(clock):  # completing the task may already evaluate the next timers
        task.data.update(data)
        findings = apply_stage_checks(runtime.stages, task, step)
        task.run()
        store.run_engine(runtime, state.workflow, clock, step)
    store.save(runtime, session, state, now=now, actor=actor, completed_task_id=task_id)
    completed: dict = {"element_id": record["element_id"], "state": "completed", "data": data}
    if findings is not None:
        # What the rules found is part of what happened: a plan the office passed but a rule refused was
        # returned (退回), and the trail must say so (issue 11), in the stage's reading of the form's values.
        completed["data"] = {**data, **findings.pop("recorded")}
        completed["findings"] = findings
    audit.record(session, at=now, actor=actor, action="task.completed", instance_id=state.id, task_id=task_id,
                 before={"element_id": record["element_id"], "state": "open"}, after=completed)
    write_copies(session, task=task, task_id=task_id, instance_id=state.id, groups=declared_copies(task), now=now,
                 actor=actor)
    events.announce(session, events.Event("completed", state.process_key, state.id, now, task_id=task_id,
                                          element_id=record["element_id"]))
    version = runtime.version_specs(session, state.process_version_id).version
    return StartedInstance(state.id, state.process_key, version, state.status,
                           [_task_summary(t) for t in state.mirrored.tasks.values()])


def _keep_bound_keys(current: dict, submitted: dict, task_name: str) -> None:
    changed = {key: "fixed when the procedure started; it cannot be changed by completing a task"
               for key in BOUND_KEYS if key in submitted and submitted[key] != current.get(key)}
    if changed:
        raise InvalidTaskData(f"'{task_name}' cannot change {', '.join(sorted(changed))}", fields=changed)


def claim_task(session: Session, clock: Clock, *, task_id: str, actor: str) -> None:
    record = _open_task(session, task_id)
    result = session.execute(
        update(TaskRecord).where(TaskRecord.id == task_id, TaskRecord.state == "open",
                                 (TaskRecord.assignee.is_(None)) | (TaskRecord.assignee == actor))
        .values(assignee=actor)
    )
    if affected_rows(result) != 1:
        raise TaskNotOpen(f"task '{record['name']}' is already claimed by {record['assignee']}", task_id=task_id,
                          assignee=record["assignee"], reason="claimed_by_other", name=record["name"])
    audit.record(session, at=clock.now(), actor=actor, action="task.claimed", instance_id=record["instance_id"],
                 task_id=task_id, before={"assignee": record["assignee"]}, after={"assignee": actor})


def release_task(session: Session, clock: Clock, *, task_id: str, actor: str) -> None:
    record = _open_task(session, task_id)
    if record["assignee"] != actor:
        raise TaskNotOpen(f"task '{record['name']}' is not claimed by you", task_id=task_id,
                          assignee=record["assignee"], reason="not_claimed_by_you", name=record["name"])
    session.execute(update(TaskRecord).where(TaskRecord.id == task_id).values(assignee=None))
    audit.record(session, at=clock.now(), actor=actor, action="task.released", instance_id=record["instance_id"],
                 task_id=task_id, before={"assignee": actor}, after={"assignee": None})


def get_instance(session: Session, instance_id: int) -> ProcessInstance | None:
    return session.get(ProcessInstance, instance_id)


def task_data(runtime: Runtime, session: Session, task_id: str) -> dict:
    """The data a task's form starts from."""
    return task_form(runtime, session, task_id)[1]


def task_form_of(task) -> FormSpec | None:
    """The form the diagram declares for a SpiffWorkflow task (None: free-form data)."""
    return getattr(task.task_spec, "inspectflow_form", None)


def _case_choices(runtime: Runtime, session: Session, form: FormSpec | None, data: dict) -> FormSpec | None:
    """The form with the choices its `choices_from` fields take from this case (engine.bpmn.forms)."""
    if form is None or not form.choice_sources:
        return form
    found = {name: runtime.choice_sources[name](session, data) if name in runtime.choice_sources else None
             for name in form.choice_sources}
    return form.with_choices(found)


def version_forms(runtime: Runtime, session: Session, version_id: int) -> dict[str, FormSpec]:
    """{user task element id: its form} for every form of a process version (its called processes in the same
    file included)."""
    specs = runtime.version_specs(session, version_id)
    forms: dict[str, FormSpec] = {}
    for spec in (specs.spec, *specs.in_file.values()):
        for element_id, task_spec in spec.task_specs.items():
            form = getattr(task_spec, "inspectflow_form", None)
            if form is not None:
                forms[element_id] = form
    return forms


def form_labels(runtime: Runtime, session: Session, version_id: int) -> dict[str, dict[str, str]]:
    """{user task element id: {field name: label}}: the words for the data a version's history records."""
    return {element_id: {f.name: f.label for f in form.fields}
            for element_id, form in version_forms(runtime, session, version_id).items()}


def task_form(runtime: Runtime, session: Session, task_id: str) -> tuple[FormSpec | None, dict]:
    """A task's form and the data it starts from, for rendering (read-only: the workflow goes back to the
    cache untouched)."""
    def read(task) -> tuple[FormSpec | None, dict]:
        data = dict(task.data)
        form = _case_choices(runtime, session, task_form_of(task), data)
        for field in form.fields if form else ():
            if field.choices_from and field.choices and field.name not in data:
                data[field.name] = list(field.choices)  # chosen once, offered again: all of them until changed
        return form, data

    return _reading_task(runtime, session, task_id, read) or (None, {})


def completed_data(runtime: Runtime, session: Session, task_id: str) -> dict:
    """The data a task held when it completed (the case as that step left it), read-only; empty when the
    workflow no longer has the task."""
    return _reading_task(runtime, session, task_id, lambda task: dict(task.data)) or {}


def task_shows(runtime: Runtime, session: Session, task_id: str) -> CaseShows | None:
    """What the diagram says the task shows of its case (engine.bpmn.case_view); None: it declares nothing."""
    return _reading_task(runtime, session, task_id, lambda task: getattr(task.task_spec, "inspectflow_shows", None))


def _reading_task(runtime: Runtime, session: Session, task_id: str, read: Callable[[Any], T]) -> T | None:
    """`read` of the workflow's task (None when the workflow no longer has it), read-only: the workflow goes
    back to the cache untouched."""
    record = session.get(TaskRecord, task_id)
    if record is None:
        raise TaskNotFound(f"task {task_id} does not exist", task_id=task_id)
    state = store.load(runtime, session, record.instance_id)
    try:
        task = state.workflow.get_task_from_id(UUID(task_id))
        return None if task is None else read(task)
    finally:
        runtime.workflows.put(state.id, store.CachedWorkflow(state.lock_version, state.workflow, state.mirrored))


def _open_task(session: Session, task_id: str) -> dict:
    """The task's row joined with its instance's; refuses unknown and no longer open tasks."""
    try:
        UUID(task_id)
    except (ValueError, AttributeError, TypeError):
        raise TaskNotFound(f"'{task_id}' is not a task id", task_id=task_id) from None
    record = hot_sql(session).task_and_instance(task_id)
    if record is None:
        raise TaskNotFound(f"task {task_id} does not exist", task_id=task_id)
    if record["state"] != "open":
        closed = session.get(TaskRecord, task_id)
        who = f" by {record['completed_by']}" if record["completed_by"] else ""
        when = f" at {_shanghai(closed.completed_at)}" if closed and closed.completed_at else ""
        raise TaskNotOpen(f"task '{record['name']}' was already {record['state']}{who}{when}", task_id=task_id,
                          state=record["state"], completed_by=record["completed_by"], reason="closed",
                          name=record["name"], completed_at=closed.completed_at.isoformat()
                          if closed and closed.completed_at else None)
    return record


def _shanghai(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _task_summary(task) -> dict:
    return {"id": task.id, "element_id": task.element_id, "name": task.name, "lane": task.lane,
            "due_at": task.due_at.isoformat() if task.due_at else None}
