"""The OpenAPI 3 document, built by apispec from the marshmallow schemas each view declares (web.api.docs).

Every route of the blueprint appears: the document walks the app's URL map, so a new route cannot be missed.
"""

from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, current_app

from web.api import bp
from web.api.docs import documented
from web.api.schemas import ErrorSchema

_ERROR_TEXT = {400: "Malformed request (e.g. invalid JSON)", 401: "Missing, unknown or revoked token",
               403: "The role or agency is not allowed", 404: "Not found", 409: "Conflict: the task is no longer open",
               422: "Invalid input or refused by the engine"}


def _openapi_path(rule: str) -> tuple[str, list[dict]]:
    parameters = []
    for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", rule):
        parameters.append({"name": name, "in": "path", "required": True,
                           "schema": {"type": "integer" if converter == "int" else "string"}})
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule), parameters


def build_document(app: Flask) -> dict:
    spec = APISpec(title="inspectflow API", version="1.0.0", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "Regulated enterprise inspections as BPMN workflows. Errors are "
                                        '{"error": {"code", "message", "details"}}.'},
                   servers=[{"url": "/"}])
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", schema=ErrorSchema)
    error_ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    paths: dict[str, dict] = {}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(f"{bp.name}."):
            continue
        view = app.view_functions[rule.endpoint]
        meta = getattr(view, "openapi", None) or {"summary": rule.endpoint, "response": None, "many": False,
                                                 "status": 200, "body": None, "query": None, "public": True,
                                                 "errors": (), "content": None}
        path, parameters = _openapi_path(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operation: dict = {"summary": meta["summary"], "operationId": rule.endpoint.split(".", 1)[1],
                               "parameters": list(parameters), "responses": {}}
            if meta["query"] is not None:
                operation["parameters"].append({"in": "query", "schema": meta["query"]})
            if meta["body"] is not None:
                operation["requestBody"] = {"required": True,
                                            "content": {"application/json": {"schema": meta["body"]}}}
            elif meta["content"] and method != "GET":
                operation["requestBody"] = {"required": True, "content": meta["content"]}
            success: dict = {"description": "OK" if meta["status"] == 200 else "Created"}
            if meta["response"] is not None:
                schema = {"type": "array", "items": meta["response"]} if meta["many"] else meta["response"]
                success["content"] = {"application/json": {"schema": schema}}
                if meta["content"] and method == "GET":
                    success["content"].update(meta["content"])
            operation["responses"][str(meta["status"])] = success
            statuses = set(meta["errors"]) | ({422} if meta["query"] or meta["body"] else set())
            if meta["public"]:
                operation["security"] = []
            else:
                operation["security"] = [{"bearerAuth": []}]
                statuses |= {401, 403}
            for status in sorted(statuses):
                operation["responses"][str(status)] = {"description": _ERROR_TEXT[status], "content": error_ref}
            paths.setdefault(path, {})[method.lower()] = operation
    for path, operations in sorted(paths.items()):
        spec.path(path=path, operations=operations)
    return spec.to_dict()


@bp.get("/openapi.json")
@documented(summary="This OpenAPI document", public=True)
def openapi_document():
    cache = current_app.extensions.setdefault("inspectflow_openapi", {})
    if "document" not in cache:
        cache["document"] = build_document(current_app)
    return cache["document"]
