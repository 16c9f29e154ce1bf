"""抄送 over the API (issue 12 item 4): the cases copied to the caller — a group they work, within their agency or
jurisdiction (engine.identity.access.copied_to) — newest first, each with the step that sent it, whether the caller
has opened it since (on the pages) and where the case stands now. Read-only: opening a copy is the page's act."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from engine.views.copies import copies_for
from web.api import bp, unit
from web.api.auth import TASK_ROLES, current_user, requires
from web.api.bodies import query_args
from web.api.cases import case_body
from web.api.docs import documented
from web.api.schemas import CaseSchema


class CopyQuerySchema(Schema):
    unread = fields.Boolean(load_default=False, metadata={"description": "only the copies not opened since made"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class CopySchema(Schema):
    instance_id = fields.Integer()
    task_id = fields.String(metadata={"description": "the completed step that sent the copy"})
    element_id = fields.String()
    step_name = fields.String()
    candidate_group = fields.String(metadata={"description": "the group (lane) the case was copied to"})
    copied_by = fields.String()
    copied_at = fields.DateTime()
    unread = fields.Boolean()
    case = fields.Nested(CaseSchema)


@bp.get("/copies")
@requires(*TASK_ROLES)
@documented(summary="Cases copied to the caller (抄送) when a step completed, newest first, with the step that sent "
                    "each, whether it is unread and where the case stands now", query=CopyQuerySchema,
            response=CopySchema, many=True, errors=(422,))
def list_copies():
    filters = query_args(CopyQuerySchema())
    found = copies_for(unit.session(), current_user(), unread_only=filters["unread"], limit=filters["limit"])
    return CopySchema(many=True).dump([
        {"instance_id": row.copy.instance_id, "task_id": row.copy.task_id, "element_id": row.copy.element_id,
         "step_name": row.copy.step_name, "candidate_group": row.copy.candidate_group,
         "copied_by": row.copy.copied_by, "copied_at": row.copy.copied_at, "unread": row.unread,
         "case": case_body(row.case)} for row in found])
