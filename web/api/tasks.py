"""Tasks: the inbox query, claim, release and complete; and the overdue view.

Scoped by engine.identity.access like the pages: lists hold the tasks the user may see (their agency and its joint
inspections, or their jurisdiction), cut in the SQL before the limit; claim, release and complete need the right
to work the task (also its lane). Out of scope is a 403 JSON error, an unknown task the engine's 404.
"""

from __future__ import annotations

from engine.commands import Actor, tasks
from engine.identity import access
from engine.models import TaskRecord
from engine.views.inbox import open_tasks
from web.api import bp, unit
from web.api.auth import TASK_ROLES, current_user, requires, scope
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


def _scoped(session, now, **filters) -> list[TaskRecord]:
    return open_tasks(session, now=now, within=access.visible(scope(session)), **filters)


@bp.get("/tasks")
@requires(*TASK_ROLES)
@documented(summary="Open tasks (the inbox), soonest due first: those the user may see (staff: their agency's and "
                    "its joint inspections'; supervisors and the county office: their jurisdiction's)",
            query=TaskQuerySchema, response=TaskSchema, many=True, errors=(422,))
def list_tasks():
    filters = query_args(TaskQuerySchema())
    tasks = _scoped(unit.session(), services().clock().now(), **filters)
    return TaskSchema(many=True).dump(tasks)


@bp.get("/overdue")
@requires(*TASK_ROLES)
@documented(summary="Open tasks past their due moment, most overdue first", query=OverdueQuerySchema,
            response=TaskSchema, many=True, errors=(422,))
def list_overdue():
    filters = query_args(OverdueQuerySchema())
    tasks = _scoped(unit.session(), services().clock().now(), overdue=True, **filters)
    return TaskSchema(many=True).dump(tasks)


@bp.post("/tasks/<task_id>/claim")
@requires(*TASK_ROLES)
@documented(summary="Claim an open task for yourself", response=TaskSchema, errors=(403, 404, 409))
def claim_task(task_id: str):
    return TaskSchema().dump(tasks.claim_task(unit.work(), Actor.of(current_user()), task_id))


@bp.post("/tasks/<task_id>/release")
@requires(*TASK_ROLES)
@documented(summary="Release a task you claimed", response=TaskSchema, errors=(403, 404, 409))
def release_task(task_id: str):
    return TaskSchema().dump(tasks.release_task(unit.work(), Actor.of(current_user()), task_id))


@bp.post("/tasks/<task_id>/complete")
@requires(*TASK_ROLES)
@documented(summary="Complete a task with its form data; 409 when it is no longer open, 422 with per-field "
                    "errors (details.fields) when the form refuses the data",
            body=CompleteTaskSchema, response=CompletedTaskSchema, errors=(400, 403, 404, 409, 422))
def complete_task(task_id: str):
    loaded = json_body(CompleteTaskSchema())
    result = tasks.complete_task(unit.work(), Actor.of(current_user()), task_id, loaded["data"])
    return CompletedTaskSchema().dump({"id": task_id, "instance_id": result.id, "instance_status": result.status,
                                       "open_tasks": result.open_tasks})
