"""Errors the runtime raises. Each carries a machine code (for the API's error shape) and a plain message."""

from __future__ import annotations


class WorkflowError(Exception):
    code = "workflow_error"
    http_status = 400

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "details": self.details}


class ProcessNotFound(WorkflowError):
    code = "process_not_found"
    http_status = 404


class InstanceNotFound(WorkflowError):
    code = "instance_not_found"
    http_status = 404


class TaskNotFound(WorkflowError):
    code = "task_not_found"
    http_status = 404


class TaskNotOpen(WorkflowError):
    """The task cannot be worked now. `details["reason"]`: "closed" (completed or cancelled already: `state`,
    `completed_by`, `completed_at`), "moved_on" (the diagram went past it), "claimed_by_other" (`assignee`) or
    "not_claimed_by_you" (releasing someone else's claim); `name` is the task's."""

    code = "task_not_open"
    http_status = 409


class ConcurrentUpdate(WorkflowError):
    """Another transaction changed the instance between our read and our write; nothing was saved."""

    code = "concurrent_update"
    http_status = 409


class InvalidTaskData(WorkflowError):
    code = "invalid_task_data"
    http_status = 422


class DeployRefused(WorkflowError):
    code = "diagram_refused"
    http_status = 422


class PolicyRefused(WorkflowError):
    """A blocking check point refused the step (the rules and figures are in `details["refusals"]`)."""

    code = "policy_refused"
    http_status = 422


class StepFailed(WorkflowError):
    """A script, condition or timer in the diagram failed while the engine ran; nothing was saved."""

    code = "step_failed"
    http_status = 422


class RuntimeFailure(WorkflowError):
    code = "runtime_failure"
    http_status = 500
