"""The persisted workflow runtime: deploy diagrams, start instances, complete tasks, fire timers.

Public entry points live in `deploy`, `instances` and `timers`; they take a `Runtime` (caches and the
restricted script engine), a SQLAlchemy session, a clock and an actor, flush, and leave the commit to the
caller (a request, a CLI command or a sweep job).
"""

from engine.runtime import placement  # noqa: F401 - keeps the task rows' placement in step with every flush
from engine.runtime.core import Runtime
from engine.runtime.errors import (
    ConcurrentUpdate,
    DeployRefused,
    InstanceNotFound,
    InvalidTaskData,
    PolicyRefused,
    ProcessNotFound,
    RuntimeFailure,
    StepFailed,
    TaskNotFound,
    TaskNotOpen,
    WorkflowError,
)

__all__ = [
    "ConcurrentUpdate",
    "DeployRefused",
    "InstanceNotFound",
    "InvalidTaskData",
    "PolicyRefused",
    "ProcessNotFound",
    "Runtime",
    "RuntimeFailure",
    "StepFailed",
    "TaskNotFound",
    "TaskNotOpen",
    "WorkflowError",
]
