"""Completing a task whose next script leaves task data that cannot be saved (a set, a function or a
generator nested in it, or far too much of it): a 422 step failure naming the script, never a 500."""

from __future__ import annotations

import pytest

from engine.runtime import deploy as deploy_module
from engine.runtime.errors import StepFailed
from tests.engine.helpers import complete, open_tasks, start
from tests.web.api.conftest import assert_error

SCRIPTS = {
    "set": "summary = {'kinds': set(items)}",
    "function": "summary = [lambda: 1]",
    "generator": "summary = {'each': (item for item in items)}",
    "size": "s = 'x' * 10**6\nsummary = [s] * 10**6",
}


def diagram(script: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs" targetNamespace="http://t">
  <bpmn:process id="summarise" name="Summarise" isExecutable="true">
    <bpmn:laneSet id="Lanes"><bpmn:lane id="Staff" name="执法人员"><bpmn:flowNodeRef>Collect</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>Review</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="StartEvent"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Collect" name="Collect">
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing></bpmn:userTask>
    <bpmn:scriptTask id="Summarise" name="Summarise"><bpmn:incoming>F2</bpmn:incoming><bpmn:outgoing>F3</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="Review" name="Review">
      <bpmn:incoming>F3</bpmn:incoming><bpmn:outgoing>F4</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="Done"><bpmn:incoming>F4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="StartEvent" targetRef="Collect" />
    <bpmn:sequenceFlow id="F2" sourceRef="Collect" targetRef="Summarise" />
    <bpmn:sequenceFlow id="F3" sourceRef="Summarise" targetRef="Review" />
    <bpmn:sequenceFlow id="F4" sourceRef="Review" targetRef="Done" />
  </bpmn:process>
</bpmn:definitions>
""".encode()


def deploy(svc, clock, kind: str) -> None:
    with svc.transaction() as session:
        deploy_module.deploy(svc.runtime, session, clock, xml=diagram(SCRIPTS[kind]), source_name="summarise.bpmn",
                             actor="owner")


@pytest.mark.parametrize("kind", ["set", "function", "generator", "size"])
def test_completing_into_unsaveable_task_data_is_a_422_naming_the_script(api, svc, clock, kind):
    deploy(svc, clock, kind)
    started = api.post("/api/v1/process-instances", as_user="boss",
                       json={"process_key": "summarise", "data": {"agency": "A1"}})
    assert started.status_code == 201, started.get_data(as_text=True)
    task_id = started.get_json()["open_tasks"][0]["id"]

    response = api.post(f"/api/v1/tasks/{task_id}/complete", as_user="clerk", json={"data": {"items": ["消防"]}})

    error = assert_error(response, 422, "step_failed")
    assert "'Summarise'" in error["message"] and "cannot be saved" in error["message"]
    assert error["details"]["element_id"] == "Summarise"
    # Nothing was saved: the task is still open.
    assert [t["element_id"] for t in api.get("/api/v1/tasks", as_user="clerk").get_json()] == ["Collect"]


@pytest.mark.parametrize("kind", ["set", "function", "generator", "size"])
def test_the_engine_refuses_it_as_a_step_failure(svc, clock, kind):
    deploy(svc, clock, kind)
    started = start(svc, clock, "summarise", {"agency": "A1"})
    with pytest.raises(StepFailed) as failed:
        complete(svc, clock, started.open_tasks[0]["id"], {"items": ["消防"]}, actor="clerk")
    assert failed.value.details["element_id"] == "Summarise"
    assert [t.element_id for t in open_tasks(svc, started.id)] == ["Collect"]
