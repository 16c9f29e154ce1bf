"""The task desk through the API (issue 12 items 2 and 10): the case's 流转 timeline with each completed step's
actor, time, decision and opinion under the form's labels; comments without completing (403 outside the case,
nothing written); 指派 by the head only; 转办 with a reason; each audited."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.web.api.conftest import assert_error


@pytest.fixture
def case(api):
    api.deploy_as_is("opinion_chain.bpmn")  # lanes 执法人员 then 单位负责人, agency A1
    api.user("head", "agency_head", agency="A1")
    api.user("clerk2", "staff", agency="A1")
    response = api.post("/api/v1/process-instances", as_user="clerk",
                        json={"process_key": "opinion_chain", "data": {"agency": "A1"}})
    assert response.status_code == 201, response.get_data(as_text=True)
    started = response.get_json()
    return started["id"], started["open_tasks"][0]["id"]


def history_actions(api, instance_id: int) -> list[str]:
    return [entry["action"] for entry in api.get(f"/api/v1/process-instances/{instance_id}",
                                                 as_user="boss").get_json()["history"]]


def test_the_timeline_lists_each_completed_steps_actor_time_decision_and_opinion(api, clock, case):
    instance_id, draft = case
    done = api.post(f"/api/v1/tasks/{draft}/complete", as_user="clerk",
                    json={"data": {"visit_date": "2026-10-20", "handling_opinion": "拟现场检查"}})
    assert done.status_code == 200, done.get_data(as_text=True)
    clock.advance(timedelta(minutes=3))
    (approval,) = done.get_json()["open_tasks"]
    assert api.post(f"/api/v1/tasks/{approval['id']}/comments", as_user="boss",
                    json={"text": "请注意安静期"}).status_code == 201
    clock.advance(timedelta(minutes=3))
    assert api.post(f"/api/v1/tasks/{approval['id']}/complete", as_user="head",
                    json={"data": {"approved": False, "approval_opinion": "检查事项不全，退回"}}).status_code == 200
    lines = api.get(f"/api/v1/process-instances/{instance_id}/timeline", as_user="clerk").get_json()
    assert [(line["kind"], line["actor"], line["step"]) for line in lines] == [
        ("completed", "clerk", "拟定方案"), ("comment", "boss", "负责人审批"), ("completed", "head", "负责人审批")]
    assert lines[0]["fields"] == [{"name": "handling_opinion", "label": "办理意见", "kind": "opinion",
                                   "value": "拟现场检查"}]
    assert lines[1]["text"] == "请注意安静期"
    assert [(f["label"], f["value"]) for f in lines[2]["fields"]] == [("是否批准", False),
                                                                      ("审批意见", "检查事项不全，退回")]
    assert lines[0]["at"] < lines[1]["at"] < lines[2]["at"]


def test_the_timeline_is_refused_outside_the_case(api, case):
    instance_id, _ = case
    assert_error(api.get(f"/api/v1/process-instances/{instance_id}/timeline", as_user="other"), 403)
    assert_error(api.get("/api/v1/process-instances/999999/timeline", as_user="clerk"), 404)


def test_a_comment_leaves_the_task_open_and_is_audited(api, case):
    instance_id, draft = case
    response = api.post(f"/api/v1/tasks/{draft}/comments", as_user="clerk", json={"text": "已联系企业"})
    assert response.status_code == 201 and response.get_json()["author"] == "clerk"
    assert [t["id"] for t in api.get("/api/v1/tasks", as_user="clerk").get_json()] == [draft]
    assert "task.commented" in history_actions(api, instance_id)


def test_a_comment_from_another_agency_is_403_and_writes_nothing(api, case):
    instance_id, draft = case
    assert_error(api.post(f"/api/v1/tasks/{draft}/comments", as_user="other", json={"text": "看看"}), 403)
    assert_error(api.post(f"/api/v1/tasks/{draft}/comments", as_user="clerk", json={"text": "铃\u0007"}), 422)
    assert api.get(f"/api/v1/process-instances/{instance_id}/timeline", as_user="clerk").get_json() == []
    assert "task.commented" not in history_actions(api, instance_id)


def test_the_head_assigns_staff_may_not(api, case):
    instance_id, draft = case
    assert_error(api.post(f"/api/v1/tasks/{draft}/assign", as_user="clerk", json={"username": "clerk2"}), 403)
    assert_error(api.post(f"/api/v1/tasks/{draft}/assign", as_user="head", json={"username": "other"}), 403)
    response = api.post(f"/api/v1/tasks/{draft}/assign", as_user="head", json={"username": "clerk2"})
    assert response.status_code == 200 and response.get_json()["assignee"] == "clerk2"
    assert history_actions(api, instance_id).count("task.assigned") == 1


def test_delegation_needs_a_reason_and_is_audited(api, case):
    instance_id, draft = case
    assert_error(api.post(f"/api/v1/tasks/{draft}/delegate", as_user="clerk", json={"username": "clerk2"}), 422)
    response = api.post(f"/api/v1/tasks/{draft}/delegate", as_user="clerk",
                        json={"username": "clerk2", "reason": "休假"})
    assert response.status_code == 200 and response.get_json()["assignee"] == "clerk2"
    assert_error(api.post(f"/api/v1/tasks/{draft}/delegate", as_user="clerk",
                          json={"username": "clerk", "reason": "拿回"}), 403)  # clerk2 holds it now
    (line,) = api.get(f"/api/v1/process-instances/{instance_id}/timeline", as_user="clerk").get_json()
    assert (line["kind"], line["actor"], line["assignee"], line["text"]) == ("delegated", "clerk", "clerk2", "休假")
