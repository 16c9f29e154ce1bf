"""Process definitions: list with versions; deploy (process owners only); refusals name the element."""

from __future__ import annotations

import io

from tests.conftest import fixture_bytes
from tests.web.api.conftest import assert_error

BAD_FIELD = '<inspectflow:field name="when" type="timestamp"/>'


def test_deploy_by_upload_then_list_versions(api):
    response = api.post("/api/v1/process-definitions", as_user="owner",
                        data={"file": (io.BytesIO(fixture_bytes("approval_chain.bpmn")), "approval_chain.bpmn")},
                        content_type="multipart/form-data")
    assert response.status_code == 201, response.get_data(as_text=True)
    assert [(d["process_key"], d["version"]) for d in response.get_json()] == [("approval_chain", 1)]

    changed = fixture_bytes("approval_chain.bpmn").replace(b"Head approves", b"Head signs")
    again = api.post("/api/v1/process-definitions?source_name=v2.bpmn", as_user="owner", data=changed,
                     content_type="application/xml")
    assert again.status_code == 201 and again.get_json()[0]["version"] == 2

    listed = api.get("/api/v1/process-definitions", as_user="clerk")
    assert listed.status_code == 200
    [definition] = listed.get_json()
    assert definition["process_key"] == "approval_chain" and definition["latest_version"] == 2
    assert [v["version"] for v in definition["versions"]] == [2, 1]
    assert definition["versions"][0]["deployed_by"] == "owner"


def test_staff_cannot_deploy(api):
    response = api.post("/api/v1/process-definitions", as_user="clerk", data=fixture_bytes("approval_chain.bpmn"),
                        content_type="application/xml")
    assert_error(response, 403, "forbidden")


def test_refused_diagram_is_422_naming_the_element(api):
    xml = fixture_bytes("form_task.bpmn").decode().replace(
        '<inspectflow:field name="note" type="text" label="备注"/>', BAD_FIELD)
    response = api.post("/api/v1/process-definitions", as_user="owner", data=xml.encode(),
                        content_type="application/xml")
    error = assert_error(response, 422, "diagram_refused")
    assert error["details"]["element_id"] == "GiveNotice"
    assert "timestamp" in error["message"]


def test_malformed_xml_is_422_with_the_line(api):
    response = api.post("/api/v1/process-definitions", as_user="owner", data=b"<definitions>\n<broken",
                        content_type="application/xml")
    error = assert_error(response, 422, "diagram_refused")
    assert error["details"].get("line") is not None


def test_empty_upload_is_422(api):
    response = api.post("/api/v1/process-definitions", as_user="owner", data=b"", content_type="application/xml")
    error = assert_error(response, 422, "invalid_input")
    assert "xml" in error["details"]["fields"]
