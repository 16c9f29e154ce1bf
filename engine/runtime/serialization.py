"""Workflow state to JSON and back, with the process specs stored by reference.

SpiffWorkflow's serializer writes the whole process spec into every saved instance and parses it again on
every load; for a step-by-step runtime that is most of the cost. Here the top-level workflow converter
leaves the specs out, and restoring takes the already-parsed spec objects (cached per deployed version)
plus the script engine, which is attached at construction so the library's unrestricted default is never
installed on a restored workflow.
"""

from __future__ import annotations

from uuid import UUID

import orjson
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, TaskConverter
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task

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


class _TaskConverter(TaskConverter):
    """The library's task format, produced with cached id texts (the same output, about twice as fast)."""

    def to_dict(self, task):
        parent = task.parent
        if parent is None:
            data, delta = task.data, {}
        else:
            parent_data, data_now = parent.data, task.data
            data = {}
            delta = {
                "updates": {k: v for k, v in data_now.items() if k not in parent_data or v != parent_data[k]},
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
        registry._encoder_mode = True
        try:
            dct = registry.convert(workflow)
        finally:
            registry._encoder_mode = False
        dct[self._serializer.VERSION_KEY] = self._serializer.VERSION
        return orjson.dumps(dct, default=registry._convert_for_encoder, option=_ORJSON_OPTIONS).decode()

    def loads(self, text: str, spec, subprocess_specs: dict, script_engine) -> BpmnWorkflow:
        dct = orjson.loads(text)
        self._serializer.migrate(dct)
        return self._serializer.from_dict(
            dct, spec=spec, subprocess_specs=subprocess_specs, script_engine=script_engine
        )
