"""The OpenAPI document lists every route of the blueprint, with schemas and the bearer scheme; routing
errors under /api/v1 are JSON too."""

from __future__ import annotations

import re

from tests.web.api.conftest import assert_error


def api_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            routes |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def test_document_lists_every_route(app, api):
    response = api.client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    documented = {(path, method) for path, operations in document["paths"].items() for method in operations}
    assert documented == api_routes(app)
    assert len(documented) >= 12
    assert document["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}


def test_operations_carry_schemas_and_security(api):
    document = api.client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    start = paths["/api/v1/process-instances"]["post"]
    assert start["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/StartInstance")
    assert "201" in start["responses"] and "401" in start["responses"]
    assert start["security"] == [{"bearerAuth": []}]
    complete = paths["/api/v1/tasks/{task_id}/complete"]["post"]
    assert {"200", "400", "401", "403", "404", "409", "422"} <= set(complete["responses"])
    assert paths["/api/v1/codes/{code}"]["get"]["security"] == []
    assert "multipart/form-data" in paths["/api/v1/process-definitions"]["post"]["requestBody"]["content"]
    inbox_params = {p["name"] for p in paths["/api/v1/tasks"]["get"]["parameters"]}
    assert {"candidate_group", "agency", "assignee", "overdue", "process_key"} <= inbox_params
    for name in ("Task", "Instance", "Error", "CodeVerification", "Statistics", "Alert"):
        assert name in document["components"]["schemas"]
    for operations in paths.values():
        for operation in operations.values():
            assert operation["responses"], operation


def test_unknown_paths_and_methods_are_json_under_the_api_only(api, app):
    assert_error(api.client.get("/api/v1/nothing-here"), 404, "not_found")
    assert_error(api.client.delete("/api/v1/codes/X"), 405, "method_not_allowed")
    page = api.client.get("/no-such-page")
    assert page.status_code == 404 and not page.is_json


def test_an_unexpected_failure_is_a_json_500_without_a_trace(api, monkeypatch):
    from web.api import processes

    def broken(session):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(processes, "process_definitions", broken)
    error = assert_error(api.get("/api/v1/process-definitions", as_user="boss"), 500, "server_error")
    assert "secret" not in error["message"]
