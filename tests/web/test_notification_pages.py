"""The notification centre's pages, API and CLI (issue 12 item 7): the header's unread count, the list with mark
read and mark all read, channel settings with their validation, and that nobody reaches another user's
notifications (another user's is a 404 like a missing one, on the pages and in the API)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from engine.identity import accounts, api_tokens
from tests.engine.access_fixtures import add_task, build_world
from tests.factories import NOW
from tests.web.pages import login, make_user, token_of


@pytest.fixture
def reminded(app, svc, clock, runner):
    """li (staff, SCJG) and head (agency head, SCJG) each hold one unread reminder of a new task; wang (XFJY) none."""
    world = build_world(svc, clock)
    for name, role, agency in (("li", "staff", "SCJG"), ("head", "agency_head", "SCJG"), ("wang", "staff", "XFJY")):
        make_user(app, name, role, agency)
    with svc.transaction() as session:
        add_task(session, world, agency="SCJG", lane="执法人员", name="送达检查预告", due_at=NOW + timedelta(days=30))
    result = runner.invoke(args=["notify", "--at", "2026-09-30T10:00:00+08:00", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["created"] == 2
    return world


def logged_in(app, name: str):
    client = app.test_client()
    assert login(client, name).status_code == 302
    return client


def csrf(client) -> str:
    return token_of(client.get("/notifications/settings").get_data(as_text=True))


def own_ids(client) -> list[int]:
    return [int(n) for n in re.findall(r'id="notification-(\d+)"', client.get("/notifications").get_data(as_text=True))]


def test_the_cli_pass_is_once_per_reminder(app, reminded, runner):
    again = runner.invoke(args=["notify", "--at", "2026-09-30T10:05:00+08:00"])
    assert again.exit_code == 0 and "0 created" in again.output


def test_the_header_counts_my_unread_reminders(app, reminded):
    li = logged_in(app, "li")
    page = li.get("/inbox").get_data(as_text=True)
    assert '<span class="unread-count">1</span>' in page
    assert "unread-count" not in logged_in(app, "wang").get("/inbox").get_data(as_text=True)
    listing = li.get("/notifications").get_data(as_text=True)
    assert "送达检查预告" in listing and "新任务" in listing
    (mine,) = own_ids(li)
    response = li.post(f"/notifications/{mine}/read", data={"csrf_token": csrf(li)})
    assert response.status_code == 303
    assert "unread-count" not in li.get("/inbox").get_data(as_text=True)


def test_mark_all_read(app, reminded):
    head = logged_in(app, "head")
    assert head.post("/notifications/read-all", data={"csrf_token": csrf(head)}).status_code == 303
    assert "unread-count" not in head.get("/notifications").get_data(as_text=True)
    assert "unread-count" in logged_in(app, "li").get("/inbox").get_data(as_text=True)  # li's stay unread


def test_another_users_notification_cannot_be_seen_or_marked(app, reminded):
    (lis,) = own_ids(logged_in(app, "li"))
    wang = logged_in(app, "wang")
    assert str(lis) not in "".join(map(str, own_ids(wang)))
    assert "送达检查预告" not in wang.get("/notifications").get_data(as_text=True)
    for path in (f"/notifications/{lis}/read", f"/notifications/{lis}/open", "/notifications/999999/read"):
        assert wang.post(path, data={"csrf_token": csrf(wang)}).status_code == 404, path
    assert "unread-count" in logged_in(app, "li").get("/inbox").get_data(as_text=True)


def test_the_api_lists_only_my_notifications(app, svc, clock, reminded):
    with svc.transaction() as session:
        token = {name: api_tokens.issue_token(session, accounts.find_user(session, name), "t", clock.now()).plain
                 for name in ("li", "wang")}
    mine = app.test_client().get("/api/v1/notifications", headers={"Authorization": f"Bearer {token['li']}"})
    assert mine.status_code == 200
    assert [(n["kind"], "送达检查预告" in n["text"]) for n in mine.get_json()] == [("new_task", True)]
    theirs = app.test_client().get("/api/v1/notifications?unread=true",
                                   headers={"Authorization": f"Bearer {token['wang']}"})
    assert theirs.get_json() == []
    assert app.test_client().get("/api/v1/notifications").status_code == 401


def test_following_an_unread_reminder_to_its_task_marks_it_read(app, reminded):
    li = logged_in(app, "li")
    listing = li.get("/notifications").get_data(as_text=True)
    (mine,) = own_ids(li)
    assert f'action="/notifications/{mine}/open"' in listing
    followed = li.post(f"/notifications/{mine}/open", data={"csrf_token": csrf(li)})
    assert followed.status_code == 303 and re.fullmatch(r"/tasks/[0-9a-f-]{36}", followed.headers["Location"])
    listing = li.get("/notifications").get_data(as_text=True)
    assert "unread-count" not in listing and f'href="{followed.headers["Location"]}"' in listing  # now a link


def test_the_api_marks_my_notifications_read_one_or_all_and_not_anothers(app, svc, clock, reminded):
    with svc.transaction() as session:
        token = {name: api_tokens.issue_token(session, accounts.find_user(session, name), "t", clock.now()).plain
                 for name in ("li", "head", "wang")}

    def call(name: str, path: str):
        return app.test_client().post(path, headers={"Authorization": f"Bearer {token[name]}"})

    def unread(name: str) -> list[int]:
        listed = app.test_client().get("/api/v1/notifications?unread=true",
                                       headers={"Authorization": f"Bearer {token[name]}"})
        return [n["id"] for n in listed.get_json()]

    (lis,) = unread("li")
    theirs = call("wang", f"/api/v1/notifications/{lis}/read")
    missing = call("wang", "/api/v1/notifications/999999/read")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.get_json()["error"]["message"] == missing.get_json()["error"]["message"]  # nothing tells them apart
    assert unread("li") == [lis]
    marked = call("li", f"/api/v1/notifications/{lis}/read")
    assert marked.status_code == 200 and marked.get_json()["id"] == lis and marked.get_json()["read_at"]
    assert unread("li") == [] and call("li", f"/api/v1/notifications/{lis}/read").status_code == 200
    assert call("head", "/api/v1/notifications/read").get_json() == {"marked": 1}
    assert call("head", "/api/v1/notifications/read").get_json() == {"marked": 0}
    assert app.test_client().post("/api/v1/notifications/read").status_code == 401
    paths = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    assert "post" in paths["/api/v1/notifications/{notification_id}/read"]
    assert "post" in paths["/api/v1/notifications/read"]


def test_settings_refuse_a_private_webhook_and_save_a_valid_one(app, reminded):
    li = logged_in(app, "li")
    refused = li.post("/notifications/settings", data={"csrf_token": csrf(li), "webhook_url": "http://127.0.0.1:8080/x",
                                                       "webhook_on": "on", "email": "li@"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "不能发送到本机、内网或保留地址" in page and "邮箱地址格式不正确" in page
    saved = li.post("/notifications/settings", data={"csrf_token": csrf(li), "email": "li@example.gov.cn",
                                                     "email_on": "on", "webhook_url": "https://8.8.8.8/robot"})
    assert saved.status_code == 303
    page = li.get("/notifications/settings").get_data(as_text=True)
    assert 'value="li@example.gov.cn"' in page and 'value="https://8.8.8.8/robot"' in page
    assert "尚未配置邮件发送" in page  # no INSPECTFLOW_SMTP_HOST in the tests' app


def test_anonymous_visitors_are_sent_to_log_in(app):
    client = app.test_client()
    assert client.get("/notifications").status_code == 302
    assert client.get("/notifications/settings").status_code == 302
