"""Process definitions: list with versions; deploy a BPMN file as new versions (process owners)."""

from __future__ import annotations

from flask import request

from engine.commands import Actor, administration
from engine.runtime.deploy import process_definitions
from web.api import bp, unit
from web.api.auth import PROCESS_OWNER, current_user, requires
from web.api.docs import documented
from web.api.schemas import DeployedVersionSchema, DeployInputSchema, ProcessDefinitionSchema


@bp.get("/process-definitions")
@requires()
@documented(summary="Deployed processes with all their versions, newest first", response=ProcessDefinitionSchema,
            many=True)
def list_process_definitions():
    return ProcessDefinitionSchema(many=True).dump(process_definitions(unit.session()))


@bp.post("/process-definitions")
@requires(PROCESS_OWNER)
@documented(summary="Deploy a BPMN diagram (multipart field `file`, or the XML as an application/xml body); "
                    "a refused diagram is a 422 naming the element or line",
            response=DeployedVersionSchema, many=True, status=201, errors=(400, 422),
            content={"application/xml": {"schema": {"type": "string"}},
                     "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
                         "file": {"type": "string", "format": "binary"}}}}})
def deploy_process_definition():
    upload = request.files.get("file")
    if upload is not None:
        raw = {"source_name": upload.filename or "upload.bpmn", "xml": upload.read()}
    else:
        raw = {"source_name": request.args.get("source_name", "upload.bpmn"), "xml": request.get_data()}
    loaded = DeployInputSchema().load(raw)
    deployed = administration.deploy_diagram(unit.work(), Actor.of(current_user()), xml=loaded["xml"],
                                             source_name=loaded["source_name"])
    return DeployedVersionSchema(many=True).dump(deployed), 201
