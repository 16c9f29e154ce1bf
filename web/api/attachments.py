"""Attachments for API clients: upload a step's files (multipart, one part per file field), then complete the
step naming them by id (`{"photos": [12, 13]}`; the task data keeps their summaries); fetch a file of a case one
may see. Same commands and scope rules as the pages (engine.commands.attachments, engine.views.attachments)."""

from __future__ import annotations

from flask import request

from engine.commands import Actor
from engine.commands import attachments as attachment_commands
from engine.views.attachments import readable_by
from web.api import bp, unit
from web.api.auth import TASK_ROLES, current_user, requires
from web.api.docs import documented
from web.api.errors import ApiError
from web.api.schemas import AttachmentSchema
from web.attachments import served
from web.services import services
from web.uploads import files_named


@bp.post("/tasks/<task_id>/attachments")
@requires(*TASK_ROLES)
@documented(summary="Attach files to an open step's file fields (multipart: each part named after its field); "
                    "complete the step naming them by id. 422 names the field of a refused file (its type read "
                    "from its bytes, its size)",
            response=AttachmentSchema, many=True, status=201, errors=(400, 403, 404, 409, 422),
            content={"multipart/form-data": {"schema": {"type": "object", "additionalProperties": {
                "type": "string", "format": "binary"}}}})
def attach_files(task_id: str):
    uploads = {name: files_named(name) for name in request.files}
    attached = attachment_commands.attach_to_task(unit.work(), Actor.of(current_user()), services().attachments,
                                                  task_id, uploads)
    rows = [{**row.summary, "field": field} for field, found in attached.items() for row in found]
    return AttachmentSchema(many=True).dump(rows), 201


@bp.get("/attachments/<int:attachment_id>")
@requires(*TASK_ROLES, "process_owner")
@documented(summary="An attached file, for those who may see its case (404 for anyone else)", errors=(404,),
            content={"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}})
def attachment_file(attachment_id: int):
    session = unit.session()
    row = readable_by(session, current_user(), attachment_id)
    if row is None:
        raise ApiError(404, "not_found", f"no attachment {attachment_id} you may see")
    return served(row)
