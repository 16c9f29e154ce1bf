"""Tasks: the inbox query, claim, release and complete; and the overdue view.

Staff see and act on their own agency's tasks only; supervisors (and administrators) see all.
"""

from __future__ import annotations

from engine.inbox import open_tasks, task_agency
from engine.models import TaskRecord
from engine.runtime import instances as runtime_instances
from web.api import bp
from web.api.auth import AGENCY_SCOPED, TASK_ROLES, current_user, require_task_access, requires
from web.api.bodies import json_body, query_args
from web.api.docs import documented
from web.api.schemas import (
    CompletedTaskSchema,
    CompleteTaskSchema,
    OverdueQuerySchema,
    TaskQuerySchema,
    TaskSchema,
)
from web.services import services


def _scope() -> str | None:
    user = current_user()
    return (user.agency or "") if user.role in AGENCY_SCOPED else None


def _scoped(session, now, *, agency: str | None = None, **filters) -> list[TaskRecord]:
    """Staff are held to their own agency whatever `agency` filter they send."""
    scope = _scope()
    if scope is not None and agency is not None and agency != scope:
        return []
    return open_tasks(session, now=now, agency=scope if scope is not None else agency, **filters)


@bp.get("/tasks")
@requires(*TASK_ROLES)
@documented(summary="Open tasks (the inbox), soonest due first; staff see only their agency's",
            query=TaskQuerySchema, response=TaskSchema, many=True, errors=(422,))
def list_tasks():
    filters = query_args(TaskQuerySchema())
    svc = services()
    with svc.sessions() as session:
        tasks = _scoped(session, svc.clock().now(), **filters)
        return TaskSchema(many=True).dump(tasks)


@bp.get("/overdue")
@requires(*TASK_ROLES)
@documented(summary="Open tasks past their due moment, most overdue first", query=OverdueQuerySchema,
            response=TaskSchema, many=True, errors=(422,))
def list_overdue():
    filters = query_args(OverdueQuerySchema())
    svc = services()
    with svc.sessions() as session:
        tasks = _scoped(session, svc.clock().now(), overdue=True, **filters)
        return TaskSchema(many=True).dump(tasks)


def _check_access(task_id: str) -> None:
    """403 when staff act on another agency's task; unknown tasks are left to the engine's 404."""
    with services().sessions() as session:
        found = task_agency(session, task_id)
    if found is not None:
        require_task_access(current_user(), found[0], task_id)


@bp.post("/tasks/<task_id>/claim")
@requires(*TASK_ROLES)
@documented(summary="Claim an open task for yourself", response=TaskSchema, errors=(403, 404, 409))
def claim_task(task_id: str):
    _check_access(task_id)
    svc = services()
    with svc.transaction() as session:
        runtime_instances.claim_task(session, svc.clock(), task_id=task_id, actor=current_user().username)
        return TaskSchema().dump(session.get(TaskRecord, task_id))


@bp.post("/tasks/<task_id>/release")
@requires(*TASK_ROLES)
@documented(summary="Release a task you claimed", response=TaskSchema, errors=(403, 404, 409))
def release_task(task_id: str):
    _check_access(task_id)
    svc = services()
    with svc.transaction() as session:
        runtime_instances.release_task(session, svc.clock(), task_id=task_id, actor=current_user().username)
        return TaskSchema().dump(session.get(TaskRecord, task_id))


@bp.post("/tasks/<task_id>/complete")
@requires(*TASK_ROLES)
@documented(summary="Complete a task with its form data; 409 when it is no longer open, 422 with per-field "
                    "errors (details.fields) when the form refuses the data",
            body=CompleteTaskSchema, response=CompletedTaskSchema, errors=(400, 403, 404, 409, 422))
def complete_task(task_id: str):
    loaded = json_body(CompleteTaskSchema())
    _check_access(task_id)
    svc = services()
    with svc.transaction() as session:
        result = runtime_instances.complete_task(svc.runtime, session, svc.clock(), task_id=task_id,
                                                 data=loaded["data"], actor=current_user().username)
    return CompletedTaskSchema().dump({"id": task_id, "instance_id": result.id, "instance_status": result.status,
                                       "open_tasks": result.open_tasks})
