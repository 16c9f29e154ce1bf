"""engine.runtime.serialization: task data is measured before it is written (or even compared), and data the
encoder cannot write is refused naming the element, whatever put it there; and the codec agrees with
SpiffWorkflow's own serializer on a shipped diagram's state."""

from __future__ import annotations

import json

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.loader import load_diagram
from engine.bpmn.shipped import shipped_diagrams
from engine.runtime import deploy as deploy_module
from engine.runtime import store
from engine.runtime.errors import StepFailed
from engine.runtime.serialization import WorkflowCodec
from tests.conftest import fixture_bytes
from tests.engine.helpers import complete, only_task, start

COMPLAINT = {"agency": "县市场监管局", "enterprise": "91331125MA2E000005", "complainant": "某食品有限公司",
             "complaint_text": "执法人员未出示行政行为码即入企检查", "received_date": "2026-09-30"}


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


def test_the_codec_restores_what_the_library_serializer_writes_and_writes_it_back_alike(svc, clock):
    """The runtime relies on SpiffWorkflow's internals (our converters list the library's fields themselves):
    a shipped diagram run into its handling sub-process, with a boundary timer waiting, saved by the library's
    own serializer, is restored by our codec to a workflow the library serializes identically, and our codec
    writes the very state the library wrote (less the specs, stored by reference). A SpiffWorkflow release
    that changes its format or fields fails here."""
    with svc.transaction() as session:
        for path in shipped_diagrams():
            deploy_module.deploy(svc.runtime, session, clock, xml=path.read_bytes(), source_name=path.name,
                                 actor="owner")
    started = start(svc, clock, "complaint_correction", COMPLAINT)
    complete(svc, clock, only_task(svc, started.id, "Task_accept").id,
             {"acceptance_date": "2026-09-30", "category": "无码入企", "handler": "王五"})
    with svc.sessions() as session:
        workflow = store.load(svc.runtime, session, started.id).workflow
    assert workflow.subprocesses, "the handling sub-process is running"
    library = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    written = library.serialize_json(workflow)

    codec = svc.runtime.codec
    restored = codec.loads(written, workflow.spec, workflow.subprocess_specs, svc.runtime.script_engine)
    assert library.to_dict(restored) == library.to_dict(workflow)
    assert [t.task_spec.bpmn_id for t in restored.get_tasks(state=TaskState.READY, manual=True)] == ["Task_investigate"]
    by_reference = {key: value for key, value in json.loads(written).items()
                    if key not in ("spec", "subprocess_specs")}
    assert json.loads(codec.dumps(restored)) == by_reference
