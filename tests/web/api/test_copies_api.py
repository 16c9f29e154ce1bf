"""GET /api/v1/copies (issue 12 item 4): the cases copied to the caller (抄送), newest first, with the step that sent
each, whether it is unread and where the case stands now; scoped like the pages (engine.identity.access.copied_to).
The case: tests.engine.copy_fixtures."""

from __future__ import annotations

from sqlalchemy import select

from engine.commands import Work
from engine.commands.copies import mark_copy_read
from engine.identity import api_tokens
from engine.models import User
from tests.engine.copy_fixtures import build_copy_case, person, send_draft


def tokens(svc, clock, *usernames: str) -> dict[str, dict]:
    with svc.transaction() as session:
        return {name: {"Authorization": "Bearer " + api_tokens.issue_token(
            session, session.scalar(select(User).where(User.username == name)), "tests", clock.now()).plain}
            for name in usernames}


def test_the_copied_user_lists_the_case_unread_then_read_and_others_get_nothing(app, svc, clock):
    case = build_copy_case(svc, clock)
    send_draft(svc, case)
    headers = tokens(svc, clock, "sup", "wang", "sup2")
    client = app.test_client()
    response = client.get("/api/v1/copies", headers=headers["sup"])
    assert response.status_code == 200, response.get_data(as_text=True)
    [copy] = response.get_json()
    wanted = {"instance_id": case.instance_id, "task_id": case.draft_id, "element_id": "Draft",
              "step_name": "拟定方案", "candidate_group": "司法局", "copied_by": "li", "unread": True}
    assert {key: copy[key] for key in wanted} == wanted
    assert copy["case"]["id"] == case.instance_id and copy["case"]["status"] == "running"
    assert [t["name"] for t in copy["case"]["open_tasks"]] == ["负责人审批"]
    with svc.transaction() as session:
        mark_copy_read(Work(session, clock, svc.runtime), person("sup"), case.instance_id)
    assert client.get("/api/v1/copies?unread=true", headers=headers["sup"]).get_json() == []
    assert [c["unread"] for c in client.get("/api/v1/copies", headers=headers["sup"]).get_json()] == [False]
    for outsider in ("wang", "sup2"):
        assert client.get("/api/v1/copies", headers=headers[outsider]).get_json() == []
    assert client.get("/api/v1/copies?limit=0", headers=headers["sup"]).status_code == 422
    assert client.get("/api/v1/copies").status_code == 401


def test_the_copies_are_documented(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/copies"]["get"]
    assert operation["operationId"] == "list_copies" and "抄送" in operation["summary"]
    assert {"401", "403", "422"} <= set(operation["responses"])
