"""Process instances: start, read with open tasks and history; unknown instances and bad bodies."""

from __future__ import annotations

from tests.web.api.conftest import assert_error


def test_start_and_read_an_instance(api):
    api.deploy("approval_chain.bpmn")
    response = api.post("/api/v1/process-instances", as_user="clerk",
                        json={"process_key": "approval_chain", "data": {"agency": "A1"}, "business_key": "E-1"})
    assert response.status_code == 201, response.get_data(as_text=True)
    started = response.get_json()
    assert started["process_key"] == "approval_chain" and started["version"] == 1
    assert [t["element_id"] for t in started["open_tasks"]] == ["Fill"]

    read = api.get(f"/api/v1/process-instances/{started['id']}", as_user="boss")
    assert read.status_code == 200
    body = read.get_json()
    assert body["business_key"] == "E-1" and body["started_by"] == "clerk" and body["status"] == "running"
    assert [t["element_id"] for t in body["open_tasks"]] == ["Fill"]
    assert body["open_tasks"][0]["agency"] == "A1"
    assert [h["action"] for h in body["history"]] == ["instance.started"]


def test_staff_read_only_their_agencys_instances(api):
    api.deploy("approval_chain.bpmn")
    started = api.post("/api/v1/process-instances", as_user="boss",
                       json={"process_key": "approval_chain", "data": {"agency": "A1"}}).get_json()
    assert api.get(f"/api/v1/process-instances/{started['id']}", as_user="clerk").status_code == 200
    assert_error(api.get(f"/api/v1/process-instances/{started['id']}", as_user="other"), 403, "forbidden")
    assert api.get(f"/api/v1/process-instances/{started['id']}", as_user="owner").status_code == 200


def test_unknown_instance_is_404(api):
    assert_error(api.get("/api/v1/process-instances/999", as_user="boss"), 404, "instance_not_found")


def test_unknown_process_is_404(api):
    response = api.post("/api/v1/process-instances", as_user="clerk", json={"process_key": "nope"})
    assert_error(response, 404, "process_not_found")


def test_malformed_json_is_400(api):
    response = api.post("/api/v1/process-instances", as_user="clerk", data="{not json",
                        content_type="application/json")
    assert_error(response, 400, "bad_request")


def test_missing_field_is_422_naming_it(api):
    response = api.post("/api/v1/process-instances", as_user="clerk", json={"data": []})
    error = assert_error(response, 422, "invalid_input")
    assert set(error["details"]["fields"]) == {"process_key", "data"}


def test_bad_data_keys_are_422(api):
    api.deploy("approval_chain.bpmn")
    response = api.post("/api/v1/process-instances", as_user="clerk",
                        json={"process_key": "approval_chain", "data": {"class": 1}})
    error = assert_error(response, 422, "invalid_task_data")
    assert "class" in error["details"]["fields"]


def test_process_owner_may_start_but_not_read_the_inbox(api):
    api.deploy("approval_chain.bpmn")
    assert api.post("/api/v1/process-instances", as_user="owner",
                    json={"process_key": "approval_chain", "data": {"agency": "A1"}}).status_code == 201
