"""A task's desk (issue 12 items 2 and 10): comment on it without completing it, 指派 (agency heads), 转办 with a
reason, and the case's 流转 timeline. Each write is one engine command (engine.commands.task_desk), scoped and
audited there; a refusal is a 403, bad text a 422."""

from __future__ import annotations

from engine.commands import Actor
from engine.commands import task_desk as desk
from engine.identity import access
from engine.runtime import InstanceNotFound
from engine.runtime import instances as runtime_instances
from engine.views.timeline import timeline
from web.api import bp, unit
from web.api.auth import TASK_ROLES, current_user, requires, scope
from web.api.bodies import json_body
from web.api.desk_schemas import (
    AssignInputSchema,
    CommentInputSchema,
    CommentSchema,
    DelegateInputSchema,
    TimelineEntrySchema,
)
from web.api.docs import documented
from web.api.errors import ApiError
from web.api.schemas import TaskSchema
from web.services import services


@bp.get("/process-instances/<int:instance_id>/timeline")
@requires()
@documented(summary="The case's 流转 timeline, oldest first: each completed step's actor, time, decisions and "
                    "opinions (labelled as on its form), and the comments, assignments and delegations on its tasks",
            response=TimelineEntrySchema, many=True, errors=(403, 404))
def instance_timeline(instance_id: int):
    svc = services()
    session = unit.session()
    if runtime_instances.get_instance(session, instance_id) is None:
        raise InstanceNotFound(f"instance {instance_id} does not exist", instance_id=instance_id)
    if not access.may_see_instance(session, scope(session), instance_id):
        raise ApiError(403, "forbidden", "this instance lies outside your agency or jurisdiction",
                       instance_id=instance_id)
    return TimelineEntrySchema(many=True).dump(timeline(session, svc.runtime, instance_id))


@bp.post("/tasks/<task_id>/comments")
@requires(*TASK_ROLES)
@documented(summary="Comment on an open task without completing it (those who may work it or supervise it)",
            body=CommentInputSchema, response=CommentSchema, status=201, errors=(400, 403, 404, 409, 422))
def comment_task(task_id: str):
    loaded = json_body(CommentInputSchema())
    written = desk.comment(unit.work(), Actor.of(current_user()), task_id, loaded["text"])
    return CommentSchema().dump(written), 201


@bp.post("/tasks/<task_id>/assign")
@requires("agency_head")
@documented(summary="指派: an agency head gives an open task of the agency to an active colleague who works its lane",
            body=AssignInputSchema, response=TaskSchema, errors=(400, 403, 404, 409, 422))
def assign_task(task_id: str):
    loaded = json_body(AssignInputSchema())
    return TaskSchema().dump(desk.assign(unit.work(), Actor.of(current_user()), task_id, loaded["username"]))


@bp.post("/tasks/<task_id>/delegate")
@requires(*TASK_ROLES)
@documented(summary="转办: whoever holds the task (or may work it while nobody does) hands it to a colleague who "
                    "may work it, with a reason", body=DelegateInputSchema, response=TaskSchema,
            errors=(400, 403, 404, 409, 422))
def delegate_task(task_id: str):
    loaded = json_body(DelegateInputSchema())
    return TaskSchema().dump(desk.delegate(unit.work(), Actor.of(current_user()), task_id, loaded["username"],
                                           loaded["reason"]))
