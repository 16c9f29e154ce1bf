"""Runtime: deploy, start, complete, conflicts, rollback, call activities, restart from storage, audit."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from engine.bpmn.scripting import RestrictedScriptEngine
from engine.models import AuditEntry, Diagram, ProcessInstance, ProcessVersion, TaskRecord
from engine.runtime import (
    ConcurrentUpdate,
    InvalidTaskData,
    ProcessNotFound,
    StepFailed,
    TaskNotFound,
    TaskNotOpen,
    instances,
    store,
)
from engine.runtime.core import Runtime
from tests.engine.helpers import complete, deploy, only_task, open_tasks, start


def test_happy_path_runs_to_the_end_through_the_gateway(svc, clock):
    deploy(svc, clock, "approval_chain.bpmn")
    started = start(svc, clock, "approval_chain", {"agency": "市场监管局"})
    fill = only_task(svc, started.id, "Fill")
    assert (fill.candidate_group, fill.agency, fill.name) == ("staff", "市场监管局", "Fill in the plan")

    complete(svc, clock, fill.id, {"ready": True, "items": ["食品安全"]})
    approve = only_task(svc, started.id, "Approve")
    assert approve.candidate_group == "head"
    result = complete(svc, clock, approve.id, {"approved": True}, actor="head")

    assert result.status == "completed"
    with svc.sessions() as session:
        instance = session.get(ProcessInstance, started.id)
        assert instance.status == "completed" and instance.completed_at is not None
        states = dict(session.execute(select(TaskRecord.element_id, TaskRecord.state)
                                      .where(TaskRecord.instance_id == started.id)).all())
        assert states == {"Fill": "completed", "Approve": "completed"}


def test_gateway_default_path_ends_without_approval(svc, clock):
    deploy(svc, clock, "approval_chain.bpmn")
    started = start(svc, clock, "approval_chain")
    result = complete(svc, clock, only_task(svc, started.id, "Fill").id, {"ready": False, "items": []})
    assert result.status == "completed" and result.open_tasks == []


def test_completing_a_completed_task_names_who_finished_it(svc, clock):
    deploy(svc, clock, "approval_chain.bpmn")
    started = start(svc, clock, "approval_chain")
    fill = only_task(svc, started.id, "Fill")
    complete(svc, clock, fill.id, {"ready": False, "items": []}, actor="alice")
    with pytest.raises(TaskNotOpen, match="already completed by alice"):
        complete(svc, clock, fill.id, {"ready": True, "items": ["x"]}, actor="bob")


def test_unknown_task_and_process_are_clear_errors(svc, clock):
    with pytest.raises(TaskNotFound):
        complete(svc, clock, "00000000-0000-0000-0000-000000000000")
    with pytest.raises(TaskNotFound, match="not a task id"):
        complete(svc, clock, "no-such-task")
    with pytest.raises(ProcessNotFound, match="no process 'nope'"):
        start(svc, clock, "nope")


def test_bad_field_names_are_refused_before_anything_runs(svc, clock):
    deploy(svc, clock, "approval_chain.bpmn")
    with pytest.raises(InvalidTaskData, match="__class__"):
        start(svc, clock, "approval_chain", {"__class__": 1})
    with pytest.raises(InvalidTaskData, match="working_days_after"):
        start(svc, clock, "approval_chain", {"working_days_after": 1})
    with svc.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ProcessInstance)) == 0


def test_two_concurrent_completions_one_wins_one_is_told(svc, clock):
    deploy(svc, clock, "approval_chain.bpmn")
    started = start(svc, clock, "approval_chain")
    fill = only_task(svc, started.id, "Fill")
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def attempt(actor: str) -> None:
        # Each thread has its own runtime, as two server processes would.
        runtime = Runtime()
        barrier.wait()
        try:
            with svc.transaction() as session:
                instances.complete_task(runtime, session, clock, task_id=fill.id,
                                        data={"ready": True, "items": [actor]}, actor=actor)
            outcomes.append("ok")
        except (TaskNotOpen, ConcurrentUpdate) as err:
            outcomes.append(err)

    threads = [threading.Thread(target=attempt, args=(name,)) for name in ("alice", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("ok") == 1
    (error,) = [o for o in outcomes if o != "ok"]
    assert error.http_status == 409 and ("already completed" in error.message or "someone else" in error.message)
    with svc.sessions() as session:
        completions = session.scalars(select(AuditEntry).where(AuditEntry.action == "task.completed")).all()
        assert len(completions) == 1
        assert session.get(ProcessInstance, started.id).lock_version == 2
        assert [t.element_id for t in open_tasks(svc, started.id)] == ["Approve"]


def test_failure_midway_rolls_back_everything(svc, clock):
    deploy(svc, clock, "failing_script.bpmn")
    started = start(svc, clock, "failing_script")
    fill = only_task(svc, started.id, "Fill")
    with svc.sessions() as session:
        before = session.get(ProcessInstance, started.id)
        before_version, before_state = before.lock_version, before.serialized

    with pytest.raises(StepFailed, match="Divide") as caught:
        complete(svc, clock, fill.id, {"divisor": 0})
    assert caught.value.details["element_id"] == "Divide"

    with svc.sessions() as session:
        after = session.get(ProcessInstance, started.id)
        assert (after.lock_version, after.serialized) == (before_version, before_state)
        assert session.get(TaskRecord, fill.id).state == "open"
        assert session.scalar(select(func.count()).select_from(AuditEntry)
                              .where(AuditEntry.action == "task.completed")) == 0
    # The same task can then be completed properly: nothing half-written is left behind.
    complete(svc, clock, fill.id, {"divisor": 4})
    assert only_task(svc, started.id, "Next")


def test_call_activity_runs_the_other_diagram(svc, clock):
    deploy(svc, clock, "call_child.bpmn", "call_parent.bpmn")
    started = start(svc, clock, "call_parent", {"enterprise": "91330000MA2XXXXX0X"})
    notify = only_task(svc, started.id, "Notify")
    assert notify.process_key == "call_child"
    complete(svc, clock, notify.id, {"notified_on": "2026-09-30"})
    inspect = only_task(svc, started.id, "Inspect")
    data = _task_data(svc, inspect.id)
    assert data["notice_recorded"] is True and data["notified_on"] == "2026-09-30"
    assert complete(svc, clock, inspect.id).status == "completed"


def test_call_activity_target_must_be_deployed(svc, clock):
    deploy(svc, clock, "call_parent.bpmn")
    with pytest.raises(ProcessNotFound, match="calls 'call_child'"):
        start(svc, clock, "call_parent")


def test_instances_keep_their_version_after_a_redeploy(svc, clock):
    deploy(svc, clock, "approval_chain.bpmn")
    first = start(svc, clock, "approval_chain")
    changed = (_fixture("approval_chain.bpmn").replace(b'name="Head approves"', b'name="Head signs"'))
    with svc.transaction() as session:
        from engine.runtime.deploy import deploy as deploy_xml

        (v2,) = deploy_xml(svc.runtime, session, clock, xml=changed, source_name="approval_chain.bpmn", actor="owner")
    assert v2.version == 2
    second = start(svc, clock, "approval_chain")
    complete(svc, clock, only_task(svc, first.id, "Fill").id, {"ready": True, "items": ["a"]})
    complete(svc, clock, only_task(svc, second.id, "Fill").id, {"ready": True, "items": ["a"]})
    assert only_task(svc, first.id, "Approve").name == "Head approves"
    assert only_task(svc, second.id, "Approve").name == "Head signs"


def test_redeploying_identical_bytes_creates_no_version(svc, clock):
    (first,) = deploy(svc, clock, "approval_chain.bpmn")
    (again,) = deploy(svc, clock, "approval_chain.bpmn")
    assert (again.version, again.unchanged) == (first.version, True)
    with svc.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ProcessVersion)) == 1
        assert session.scalar(select(func.count()).select_from(Diagram)) == 1


def test_restart_from_storage_continues_where_it_stopped(app, svc, clock, database_url):
    deploy(svc, clock, "call_child.bpmn", "call_parent.bpmn")
    started = start(svc, clock, "call_parent")
    notify = only_task(svc, started.id, "Notify")

    # A new process: fresh runtime, nothing cached; the state comes from the database only.
    from web import create_app

    fresh = create_app({"DATABASE_URL": database_url, "CLOCK_FACTORY": lambda: clock, "TESTING": True,
                        "SECRET_KEY": "test"})
    fresh_svc = fresh.extensions["inspectflow"]
    assert len(fresh_svc.runtime.workflows) == 0
    complete(fresh_svc, clock, notify.id, {"n": 1})
    inspect = only_task(fresh_svc, started.id, "Inspect")
    assert complete(fresh_svc, clock, inspect.id).status == "completed"
    fresh_svc.engine.dispose()


def test_every_state_change_is_audited(svc, clock):
    deploy(svc, clock, "approval_chain.bpmn")
    started = start(svc, clock, "approval_chain", actor="alice")
    fill = only_task(svc, started.id, "Fill")
    with svc.transaction() as session:
        instances.claim_task(session, clock, task_id=fill.id, actor="alice")
    with pytest.raises(TaskNotOpen, match="claimed by alice"):
        complete(svc, clock, fill.id, {"ready": False, "items": []}, actor="bob")
    complete(svc, clock, fill.id, {"ready": False, "items": []}, actor="alice")
    with svc.sessions() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [r.action for r in rows] == ["diagram.deployed", "instance.started", "task.claimed", "task.completed"]
    completed = rows[-1]
    assert (completed.actor, completed.instance_id, completed.task_id) == ("alice", started.id, fill.id)
    assert completed.before == {"element_id": "Fill", "state": "open"}
    assert completed.after["data"] == {"ready": False, "items": []}


def test_workflow_cache_is_bounded(svc, clock):
    svc.runtime.workflows.capacity = 3
    deploy(svc, clock, "approval_chain.bpmn")
    ids = [start(svc, clock, "approval_chain").id for _ in range(6)]
    assert len(svc.runtime.workflows) == 3
    # Instances that fell out of the cache still work (loaded from storage).
    complete(svc, clock, only_task(svc, ids[0], "Fill").id, {"ready": False, "items": []})


def _fixture(name: str) -> bytes:
    from tests.conftest import fixture_bytes

    return fixture_bytes(name)


def _task_data(svc, task_id: str) -> dict:
    with svc.sessions() as session:
        return instances.task_data(svc.runtime, session, task_id)


def test_a_workflow_restored_from_storage_runs_with_the_restricted_engine(svc, clock):
    # SpiffWorkflow's deserializer would attach its unrestricted default engine; ours must be attached instead.
    deploy(svc, clock, "approval_chain.bpmn")
    started = start(svc, clock, "approval_chain")
    svc.runtime.workflows.clear()
    with svc.write_sessions() as session:
        state = store.load(svc.runtime, session, started.id)
    assert state.workflow.script_engine is svc.runtime.script_engine
    assert isinstance(state.workflow.script_engine, RestrictedScriptEngine)
    # And it refuses at run time what it refuses at deploy time.
    (task,) = [t for t in state.workflow.get_tasks() if t.task_spec.bpmn_id == "Fill"]
    with pytest.raises(Exception, match="__class__"):
        state.workflow.script_engine.evaluate(task, "().__class__")
