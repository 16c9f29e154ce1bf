"""Process instances: start one; read one with its open tasks and audit history."""

from __future__ import annotations

from engine.commands import Actor, tasks
from engine.identity import access
from engine.platform import audit
from engine.runtime import InstanceNotFound
from engine.runtime import instances as runtime_instances
from engine.views.inbox import open_tasks
from web.api import bp, unit
from web.api.auth import PROCESS_OWNER, TASK_ROLES, current_user, requires, scope
from web.api.bodies import json_body
from web.api.docs import documented
from web.api.errors import ApiError
from web.api.schemas import InstanceSchema, StartedInstanceSchema, StartInstanceSchema


@bp.post("/process-instances")
@requires(*TASK_ROLES, PROCESS_OWNER)
@documented(summary="Start an instance of the latest version of a process for the caller's agency (staff and heads: "
                    "their own; the county office and supervisors: one of their jurisdiction's); records named in "
                    "the data (inspection_id, complaint_id, enterprise) must belong to it, else 403",
            body=StartInstanceSchema, response=StartedInstanceSchema, status=201, errors=(400, 403, 404, 422))
def start_instance():
    loaded = json_body(StartInstanceSchema())
    started = tasks.start_process(unit.work(), Actor.of(current_user()), process_key=loaded["process_key"],
                                  data=loaded["data"], business_key=loaded["business_key"])
    return StartedInstanceSchema().dump(started), 201


@bp.get("/process-instances/<int:instance_id>")
@requires()
@documented(summary="One instance with its open tasks and its audit history, for users who see one of its "
                    "tasks (their agency's or its joint inspections', or their jurisdiction's)",
            response=InstanceSchema, errors=(403, 404))
def get_instance(instance_id: int):
    session = unit.session()
    instance = runtime_instances.get_instance(session, instance_id)
    if instance is None:
        raise InstanceNotFound(f"instance {instance_id} does not exist", instance_id=instance_id)
    if not access.may_see_instance(session, scope(session), instance_id):
        raise ApiError(403, "forbidden", "this instance lies outside your agency or jurisdiction",
                       instance_id=instance_id)
    document = {column: getattr(instance, column) for column in InstanceSchema().fields
                if column not in ("open_tasks", "history")}
    document["open_tasks"] = open_tasks(session, instance_id=instance_id)
    document["history"] = audit.trail(session, instance_id)
    return InstanceSchema().dump(document)
