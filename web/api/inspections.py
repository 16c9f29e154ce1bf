"""Planning an inspection through the API (新建检查计划), as the planning page does: the agency's staff and heads
name the enterprise, the listed items (R2), inspectors holding a valid 执法证 (R1) and, optionally, the assistants
named in advance (辅助人员, the agency's own people who may not inspect). One engine command checks and records
it and starts its lifecycle; a wrong plan is a 422 naming every wrong field and writes nothing."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from engine.commands import Actor
from engine.commands import planning as planning_commands
from engine.domain import planning
from engine.identity.access import AGENCY_ROLES
from engine.models import Inspection, InspectionItem
from engine.models.base import column_length
from engine.models.vocabulary import URGENT_REASONS
from web.api import bp, unit
from web.api.auth import current_user, requires
from web.api.bodies import json_body
from web.api.docs import documented
from web.api.errors import ApiError

MAX_ID = 2**31 - 1  # the database's integer ids
_ids = dict(validate=validate.Length(max=50))
_id = fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID))


class PlanInputSchema(Schema):
    enterprise = fields.String(required=True, validate=validate.Length(min=1, max=200),
                               metadata={"description": "unified social credit code or the enterprise's name"})
    planned_start = fields.Date(required=True)
    planned_end = fields.Date(load_default=None, allow_none=True, metadata={"description": "default: the start"})
    items = fields.List(fields.String(validate=validate.Length(min=1, max=column_length(InspectionItem, "code"))),
                        required=True, **_ids, metadata={"description": "codes of the agency's published items"})
    inspectors = fields.List(_id, required=True, **_ids,
                             metadata={"description": "ids of the agency's enforcement officers (valid 执法证, R1)"})
    assistants = fields.List(_id, load_default=list, **_ids,
                             metadata={"description": "ids of the agency's people without a 执法证 named in advance "
                                                      "to assist (辅助人员), at most "
                                                      f"{planning.MAX_ASSISTANTS}"})
    trigger = fields.String(load_default="routine", validate=validate.OneOf(tuple(planning.TRIGGERS)))
    mode = fields.String(load_default="onsite", validate=validate.OneOf(tuple(planning.MODES)))
    urgent = fields.Boolean(load_default=False, metadata={"description": "an urgent inspection already made (R7)"})
    urgent_type = fields.String(load_default="", validate=validate.OneOf(("", *URGENT_REASONS)))
    urgent_reason = fields.String(load_default="", validate=validate.Length(max=2000))


class PersonSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String(metadata={"description": "engine.models.vocabulary.INSPECTOR_KINDS code"})
    certificate_number = fields.String(allow_none=True)


class PlannedInspectionSchema(Schema):
    id = fields.Integer()
    instance_id = fields.Integer()
    status = fields.String()
    enterprise = fields.String(metadata={"description": "unified social credit code"})
    planned_start = fields.Date()
    planned_end = fields.Date()
    trigger = fields.String()
    trigger_reason = fields.String(allow_none=True)
    mode = fields.String()
    items = fields.List(fields.String())
    inspectors = fields.List(fields.Nested(PersonSchema))
    assistants = fields.List(fields.Nested(PersonSchema))


@bp.post("/inspections")
@requires(*AGENCY_ROLES)
@documented(summary="Plan an inspection for the caller's agency and start its lifecycle (staff and heads): listed "
                    "items (R2), inspectors with a valid 执法证 (R1), optional assistants named in advance (辅助人员, "
                    "the agency's own, never its inspectors too); a wrong plan is a 422 naming each field",
            body=PlanInputSchema, response=PlannedInspectionSchema, status=201, errors=(400, 403, 422))
def plan_inspection():
    loaded = json_body(PlanInputSchema())
    form = {**loaded, "planned_start": loaded["planned_start"].isoformat(),
            "planned_end": loaded["planned_end"].isoformat() if loaded["planned_end"] else "",
            "inspectors": [str(i) for i in loaded["inspectors"]], "assistants": [str(i) for i in loaded["assistants"]],
            "urgent": "1" if loaded["urgent"] else ""}
    try:
        inspection, instance_id = planning_commands.plan(unit.work(), Actor.of(current_user()), form,
                                                         visit_day=loaded["planned_start"])
        return PlannedInspectionSchema().dump(_planned(inspection, instance_id)), 201
    except planning.PlanInvalid as invalid:
        raise ApiError(422, "invalid_plan", f"the plan has errors: {invalid}", fields=invalid.fields) from None


def _planned(inspection: Inspection, instance_id: int) -> dict:
    def person(p) -> dict:
        return {"id": p.id, "name": p.name, "kind": p.kind, "certificate_number": p.certificate_number}

    return {"id": inspection.id, "instance_id": instance_id, "status": inspection.status,
            "enterprise": inspection.enterprise.credit_code, "planned_start": inspection.planned_start,
            "planned_end": inspection.planned_end, "trigger": inspection.trigger,
            "trigger_reason": inspection.trigger_reason, "mode": inspection.mode,
            "items": [item.code for item in inspection.items],
            "inspectors": [person(p) for p in inspection.inspectors],
            "assistants": [person(p) for p in inspection.assistants]}
