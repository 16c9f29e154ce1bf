"""Workflow state to JSON and back, with the process specs stored by reference.

SpiffWorkflow's serializer writes the whole process spec into every saved instance and parses it again on
every load; for a step-by-step runtime that is most of the cost. Here the top-level workflow converter
leaves the specs out, and restoring takes the already-parsed spec objects (cached per deployed version)
plus the script engine, which is attached at construction so the library's unrestricted default is never
installed on a restored workflow.

Task data is capped before it is written (`engine.bpmn.task_data.MAX_TASK_DATA_CHARS` per task, measured by
a walk that stops at the cap, before the changed values are even compared with the parent's): a value
that is small in memory but enormous written out is refused instead of exhausting the process. Data the
encoder cannot write (a set, a function) is refused too. Both raise `StepFailed` naming the element.
"""

from __future__ import annotations

from uuid import UUID

import orjson
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, TaskConverter
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task

from engine.bpmn.limits import NESTED_TYPES, tree_size
from engine.bpmn.task_data import MAX_TASK_DATA_CHARS, data_problem, size_problem
from engine.runtime.errors import StepFailed

_UUID_TEXT: dict[int, str] = {}


def uuid_text(value: UUID) -> str:
    """str(UUID) is slow and a save formats every task id several times: remember the texts (keyed by the
    UUID's integer, whose hash is computed in C, unlike UUID.__hash__)."""
    key = value.int
    text = _UUID_TEXT.get(key)
    if text is None:
        if len(_UUID_TEXT) > 200_000:
            _UUID_TEXT.clear()
        text = _UUID_TEXT[key] = str(value)
    return text


def _element(task: Task) -> str:
    return task.task_spec.bpmn_id or task.task_spec.name


def _unsaveable(task: Task, problem: str) -> StepFailed:
    element = _element(task)
    return StepFailed(f"the data of '{element}' cannot be saved: {problem}; nothing was saved", element_id=element)


def _updates(task: Task, data_now: dict, parent_data: dict) -> dict:
    """The values that changed since the parent task, each measured before it is compared (a comparison
    walks the whole value)."""
    updates = {}
    size = 0
    for key, value in data_now.items():
        if type(value) in NESTED_TYPES:
            if key in parent_data and parent_data[key] is value:
                continue
            size += tree_size(value, MAX_TASK_DATA_CHARS, text_chars=1)
            if size > MAX_TASK_DATA_CHARS:
                raise _unsaveable(task, f"'{key}' would take more than {MAX_TASK_DATA_CHARS:,} characters to "
                                        "save (the limit for one task's data)")
        if key not in parent_data or value != parent_data[key]:
            updates[key] = value
    return updates


class _TaskConverter(TaskConverter):
    """The library's task format, produced with cached id texts (the same output, about twice as fast)."""

    def to_dict(self, task):
        parent = task.parent
        if parent is None:
            data, delta = task.data, {}
            problem = size_problem(data, "the task data")
            if problem:
                raise _unsaveable(task, problem)
        else:
            parent_data, data_now = parent.data, task.data
            data = {}
            delta = {
                "updates": _updates(task, data_now, parent_data),
                "deletions": [k for k in parent_data if k not in data_now],
            }
        return {
            "id": uuid_text(task.id),
            "parent": uuid_text(task._parent) if parent is not None else None,
            "children": [uuid_text(child) for child in task._children],
            "last_state_change": task.last_state_change,
            "state": task.state,
            "task_spec": task.task_spec.name,
            "triggered": task.triggered,
            "internal_data": self.registry.convert(task.internal_data),
            "data": data,
            "delta": delta,
        }


class _SpecByReferenceConverter(BpmnWorkflowConverter):
    def to_dict(self, workflow):
        # WorkflowConverter.to_dict's fields, with cached id texts.
        convert = self.registry.convert
        return {
            "data": convert(self.registry.clean(workflow.data)),
            "correlations": workflow.correlations,
            "last_task": uuid_text(workflow.last_task.id) if workflow.last_task is not None else None,
            "success": workflow.success,
            "completed": workflow.completed,
            # Straight to the task converter: every entry is a Task, and the registry's dispatch per task cost
            # a quarter of the save.
            "tasks": {uuid_text(task_id): self._task_to_dict(task) for task_id, task in workflow.tasks.items()},
            "root": uuid_text(workflow.task_tree.id),
            "subprocesses": self.mapping_to_dict(workflow.subprocesses),
            "bpmn_events": convert(workflow.bpmn_events),
        }

    @property
    def _task_to_dict(self):
        return self.registry.convert_to_dict[self.registry.typenames[Task]]

    def from_dict(self, dct, spec=None, subprocess_specs=None, script_engine=None):
        if spec is None:
            raise ValueError("restoring a workflow needs its process spec")
        workflow = self.target_class(spec, subprocess_specs or {}, script_engine=script_engine, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


class WorkflowCodec:
    def __init__(self) -> None:
        config = dict(SPIFF_CONFIG)
        config[BpmnWorkflow] = _SpecByReferenceConverter
        config[Task] = _TaskConverter
        self._serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))

    def dumps(self, workflow: BpmnWorkflow) -> str:
        """What `serialize_json` produces, encoded with orjson (about 40 % of a save's cost saved).

        Like the library, the registry runs in encoder mode (plain dicts are only cleaned, not walked) and
        values it knows (datetimes and the like) are converted when the encoder meets them.
        """
        registry = self._serializer.registry
        problem = size_problem(workflow.data, "the workflow's data objects")
        if problem:
            raise StepFailed(f"{problem}; nothing was saved")
        registry._encoder_mode = True
        try:
            dct = registry.convert(workflow)
        finally:
            registry._encoder_mode = False
        dct[self._serializer.VERSION_KEY] = self._serializer.VERSION
        try:
            return orjson.dumps(dct, default=registry._convert_for_encoder, option=_ORJSON_OPTIONS).decode()
        except TypeError as exc:  # orjson.JSONEncodeError: a value JSON cannot hold
            refusal = _first_unsaveable(workflow)
            if refusal is None:
                raise
            raise refusal from exc

    def loads(self, text: str, spec, subprocess_specs: dict, script_engine) -> BpmnWorkflow:
        dct = orjson.loads(text)
        self._serializer.migrate(dct)
        return self._serializer.from_dict(
            dct, spec=spec, subprocess_specs=subprocess_specs, script_engine=script_engine
        )


def _first_unsaveable(workflow: BpmnWorkflow) -> StepFailed | None:
    """The refusal naming the first task (in creation order, so where a value was made) whose data the
    encoder cannot write."""
    for process in (workflow, *workflow.subprocesses.values()):
        for task in process.tasks.values():
            problem = data_problem(task.data)
            if problem:
                return _unsaveable(task, problem)
    return None
