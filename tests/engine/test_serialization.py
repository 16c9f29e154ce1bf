"""engine.runtime.serialization: task data is measured before it is written (or even compared), and data the
encoder cannot write is refused naming the element, whatever put it there."""

from __future__ import annotations

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.loader import load_diagram
from engine.runtime.errors import StepFailed
from engine.runtime.serialization import WorkflowCodec
from tests.conftest import fixture_bytes


@pytest.fixture
def waiting() -> BpmnWorkflow:
    """approval_chain at its first user task."""
    spec = load_diagram(fixture_bytes("approval_chain.bpmn"), "approval_chain.bpmn").specs["approval_chain"]
    workflow = BpmnWorkflow(spec)
    workflow.do_engine_steps()
    return workflow


def ready_task(workflow: BpmnWorkflow):
    (task,) = workflow.get_tasks(state=TaskState.READY, manual=True)
    return task


@pytest.mark.parametrize(
    "value, problem",
    [({1, 2}, "'kept' is a set"), ([print], "'kept[0]' is a builtin_function_or_method"),
     ({"d": {(1, 2): 3}}, "'kept.d' has a key that is a tuple")],
)
def test_data_the_encoder_cannot_write_is_refused_naming_the_element(waiting, value, problem):
    task = ready_task(waiting)
    task.data["kept"] = value
    with pytest.raises(StepFailed) as failed:
        WorkflowCodec().dumps(waiting)
    assert failed.value.details["element_id"] == task.task_spec.bpmn_id
    assert problem in failed.value.message


def test_a_value_enormous_when_written_is_refused_before_it_is_compared_or_written(waiting):
    task = ready_task(waiting)
    # Equal to its parent's value but not the same object: writing the delta would compare them first,
    # walking 2**60 leaves.
    doubled, twin = [1], [1]
    for _ in range(60):
        doubled, twin = [doubled, doubled], [twin, twin]
    task.parent.data["tree"], task.data["tree"] = doubled, twin
    with pytest.raises(StepFailed, match="'tree' would take more than 2,000,000 characters to save"):
        WorkflowCodec().dumps(waiting)


def test_ordinary_data_round_trips(waiting):
    task = ready_task(waiting)
    task.data.update({"items": ["消防", "安全"], "counts": {"a": 1}, "ok": True, "ratio": 0.5})
    codec = WorkflowCodec()
    restored = codec.loads(codec.dumps(waiting), waiting.spec, {}, None)
    assert restored.get_task_from_id(task.id).data == task.data
