"""Tasks: inbox filters and scoping
(engine.identity.access: agency, lanes, joint inspections, jurisdictions), claim/release,
complete (409 when no longer open, 422 form errors, 403 out of scope or lane), the overdue view."""

from __future__ import annotations

from datetime import timedelta

from tests.web.api.conftest import assert_error

GOOD = {"notice_date": "2026-09-30", "method": "书面", "inspectors": "2", "items": ["消防"]}


def start(api, process_key: str, agency: str, **data) -> dict:
    response = api.post("/api/v1/process-instances", as_user="boss",
                        json={"process_key": process_key, "data": {"agency": agency, **data}})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def test_inbox_staff_see_their_agency_supervisors_see_all(api):
    api.deploy("approval_chain.bpmn", "form_task.bpmn")
    mine = start(api, "approval_chain", "A1")
    theirs = start(api, "form_task", "A2")

    clerk = api.get("/api/v1/tasks", as_user="clerk").get_json()
    assert [t["instance_id"] for t in clerk] == [mine["id"]]
    # An agency filter cannot widen a staff member's view.
    assert api.get("/api/v1/tasks?agency=A2", as_user="clerk").get_json() == []

    everything = api.get("/api/v1/tasks", as_user="boss").get_json()
    assert {t["instance_id"] for t in everything} == {mine["id"], theirs["id"]}
    by_key = api.get("/api/v1/tasks?process_key=form_task", as_user="boss").get_json()
    assert [t["instance_id"] for t in by_key] == [theirs["id"]]
    by_agency = api.get("/api/v1/tasks?agency=A1", as_user="boss").get_json()
    assert [t["instance_id"] for t in by_agency] == [mine["id"]]
    by_group = api.get("/api/v1/tasks?candidate_group=执法人员", as_user="boss").get_json()
    assert [t["element_id"] for t in by_group] == ["Fill"]
    assert api.get("/api/v1/tasks?overdue=true", as_user="boss").get_json() == []


def test_agency_heads_are_held_to_their_agency_and_the_county_office_sees_all(api):
    api.deploy("approval_chain.bpmn", "form_task.bpmn")
    mine = start(api, "approval_chain", "A1")
    theirs = start(api, "form_task", "A2")
    api.user("head", "agency_head", agency="A1")
    api.user("office", "county_office")
    assert [t["instance_id"] for t in api.get("/api/v1/tasks", as_user="head").get_json()] == [mine["id"]]
    office = api.get("/api/v1/tasks", as_user="office").get_json()
    assert {t["instance_id"] for t in office} == {mine["id"], theirs["id"]}


def test_bad_inbox_query_is_422(api):
    error = assert_error(api.get("/api/v1/tasks?limit=0", as_user="boss"), 422, "invalid_input")
    assert "limit" in error["details"]["fields"]


def test_claim_release_and_assignee_filter(api):
    api.deploy("approval_chain.bpmn")
    api.user("colleague", "staff", agency="A1")
    task_id = start(api, "approval_chain", "A1")["open_tasks"][0]["id"]
    claimed = api.post(f"/api/v1/tasks/{task_id}/claim", as_user="clerk")
    assert claimed.status_code == 200 and claimed.get_json()["assignee"] == "clerk"
    assert [t["id"] for t in api.get("/api/v1/tasks?assignee=clerk", as_user="boss").get_json()] == [task_id]
    assert_error(api.post(f"/api/v1/tasks/{task_id}/claim", as_user="colleague"), 409, "task_not_open")
    assert_error(api.post(f"/api/v1/tasks/{task_id}/release", as_user="colleague"), 409, "task_not_open")
    released = api.post(f"/api/v1/tasks/{task_id}/release", as_user="clerk")
    assert released.status_code == 200 and released.get_json()["assignee"] is None


def test_staff_cannot_touch_another_agencys_task(api):
    api.deploy("approval_chain.bpmn")
    task_id = start(api, "approval_chain", "A1")["open_tasks"][0]["id"]
    for action in ("claim", "release", "complete"):
        error = assert_error(api.post(f"/api/v1/tasks/{task_id}/{action}", as_user="other", json={}), 403,
                             "forbidden")
        assert error["details"] == {"task_id": task_id, "reason": "outside_scope"}


def test_nobody_works_a_lane_that_is_not_theirs(api):
    """The supervisor sees the inspectors' step but may not work it; the head may, and works the head's step."""
    api.deploy("approval_chain.bpmn")
    api.user("head", "agency_head", agency="A1")
    api.user("admin", "administrator")
    task_id = start(api, "approval_chain", "A1")["open_tasks"][0]["id"]
    for who in ("boss", "admin"):
        error = assert_error(api.post(f"/api/v1/tasks/{task_id}/claim", as_user=who), 403, "forbidden")
        assert error["details"]["reason"] == "not_your_lane"
    # The process owner is refused by role before any task is looked at.
    assert_error(api.post(f"/api/v1/tasks/{task_id}/claim", as_user="owner"), 403, "forbidden")
    done = api.post(f"/api/v1/tasks/{task_id}/complete", as_user="head", json={"data": {"ready": True,
                                                                                         "items": ["消防"]}})
    (approve,) = done.get_json()["open_tasks"]
    assert_error(api.post(f"/api/v1/tasks/{approve['id']}/complete", as_user="clerk", json={"data": {}}), 403,
                 "forbidden")
    assert api.post(f"/api/v1/tasks/{approve['id']}/claim", as_user="head").status_code == 200


def test_complete_returns_next_tasks_and_twice_is_409(api):
    api.deploy("approval_chain.bpmn")
    task_id = start(api, "approval_chain", "A1")["open_tasks"][0]["id"]
    done = api.post(f"/api/v1/tasks/{task_id}/complete", as_user="clerk",
                    json={"data": {"ready": True, "items": ["消防"]}})
    assert done.status_code == 200, done.get_data(as_text=True)
    body = done.get_json()
    assert body["id"] == task_id and body["instance_status"] == "running"
    assert [t["element_id"] for t in body["open_tasks"]] == ["Approve"]

    again = api.post(f"/api/v1/tasks/{task_id}/complete", as_user="clerk", json={"data": {}})
    error = assert_error(again, 409, "task_not_open")
    assert error["details"]["completed_by"] == "clerk"


def test_form_errors_are_422_with_field_names(api):
    api.deploy("form_task.bpmn")
    task_id = start(api, "form_task", "A1")["open_tasks"][0]["id"]
    response = api.post(f"/api/v1/tasks/{task_id}/complete", as_user="clerk",
                        json={"data": {**GOOD, "method": "微信", "notice_date": ""}})
    error = assert_error(response, 422, "invalid_task_data")
    assert set(error["details"]["fields"]) == {"method", "notice_date"}
    ok = api.post(f"/api/v1/tasks/{task_id}/complete", as_user="clerk", json={"data": GOOD})
    assert ok.status_code == 200 and [t["element_id"] for t in ok.get_json()["open_tasks"]] == ["Inspect"]


def test_complete_body_errors(api):
    api.deploy("approval_chain.bpmn")
    task_id = start(api, "approval_chain", "A1")["open_tasks"][0]["id"]
    assert_error(api.post(f"/api/v1/tasks/{task_id}/complete", as_user="clerk", data="{",
                          content_type="application/json"), 400, "bad_request")
    error = assert_error(api.post(f"/api/v1/tasks/{task_id}/complete", as_user="clerk", json={"data": "x"}), 422)
    assert "data" in error["details"]["fields"]


def test_unknown_task_is_404(api):
    unknown = "00000000-0000-0000-0000-000000000000"
    assert_error(api.post(f"/api/v1/tasks/{unknown}/complete", as_user="boss", json={}), 404, "task_not_found")
    assert_error(api.post(f"/api/v1/tasks/{unknown}/claim", as_user="clerk"), 404, "task_not_found")
    assert_error(api.post("/api/v1/tasks/not-a-uuid/release", as_user="other"), 404, "task_not_found")


def test_overdue_lists_open_tasks_past_due(api, clock):
    api.deploy("timer_escalation.bpmn")
    started = start(api, "timer_escalation", "A1", inspection_date="2026-09-30")
    assert api.get("/api/v1/overdue", as_user="boss").get_json() == []
    clock.advance(timedelta(days=30))  # no sweep has run: the step is still open, past its due moment
    overdue = api.get("/api/v1/overdue", as_user="boss").get_json()
    assert [t["instance_id"] for t in overdue] == [started["id"]] and overdue[0]["due_at"]
    assert [t["instance_id"] for t in api.get("/api/v1/overdue", as_user="clerk").get_json()] == [started["id"]]
    assert api.get("/api/v1/overdue", as_user="other").get_json() == []
    assert len(api.get("/api/v1/tasks?overdue=1", as_user="boss").get_json()) == 1
