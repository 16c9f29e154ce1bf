"""The task desk on the pages (issue 12 items 2 and 10): the 流转 timeline on the task page and on the supervisors'
instance page shows each completed step's actor, time, decision and opinion in order; a comment leaves the task
open (refused outside the case, nothing written); the head's 指派 offers only colleagues in the lane; 转办 needs a
reason; each is audited. The case: tests.engine.desk_fixtures (opinion_chain for SCJG)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.commands import Work, tasks
from engine.models import AuditEntry, TaskComment, TaskRecord
from tests.engine.desk_fixtures import build_case, person
from tests.engine.helpers import only_task
from tests.web.pages import login, token_of
from web.presenters import shanghai


@pytest.fixture
def case(svc, clock):
    return build_case(svc, clock)


def complete(svc, who: str, task_id: str, data: dict) -> None:
    with svc.transaction() as session:
        tasks.complete_task(Work(session, svc.clock(), svc.runtime), person(who), task_id, data)


def client_of(app, username: str):
    client = app.test_client()
    login(client, username)
    return client


def post(client, path: str, page: str, data: dict):
    return client.post(path, data={**data, "csrf_token": token_of(page)})


def moment(app, at) -> str:
    with app.test_request_context():
        return shanghai(at)


def timeline_of(page: str) -> str:
    return page[page.index("流转记录"):page.index("</section>", page.index("流转记录"))]


def actions(svc, action: str) -> list[AuditEntry]:
    with svc.sessions() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_the_task_page_and_the_instance_page_show_each_steps_actor_time_decision_and_opinion(app, svc, clock, case):
    complete(svc, "li", case.draft_id, {"visit_date": "2026-10-20", "handling_opinion": "拟于10月20日现场检查"})
    drafted_at = moment(app, clock.now())
    clock.advance(timedelta(hours=2))
    approval = only_task(svc, case.instance_id, "Approve").id
    head = client_of(app, "head")
    shown = timeline_of(head.get(f"/tasks/{approval}").get_data(as_text=True))
    assert "拟定方案" in shown and "li" in shown and drafted_at in shown
    assert "<dt>办理意见</dt><dd>拟于10月20日现场检查</dd>" in shown
    complete(svc, "head", approval, {"approved": "true", "approval_opinion": "同意，按计划实施"})
    shown = timeline_of(client_of(app, "sup").get(f"/supervise/instances/{case.instance_id}").get_data(as_text=True))
    assert shown.index("拟于10月20日现场检查") < shown.index("负责人审批") < shown.index("同意，按计划实施")
    assert "<dt>是否批准</dt><dd>是</dd>" in shown and moment(app, clock.now()) in shown


def test_a_comment_on_the_task_page_leaves_the_task_open(app, svc, case):
    li = client_of(app, "li")
    page = li.get(f"/tasks/{case.draft_id}").get_data(as_text=True)
    assert "留言（不提交本环节）" in page
    response = post(li, f"/tasks/{case.draft_id}/comments", page, {"text": "已电话联系企业"})
    assert response.status_code == 302
    page = li.get(f"/tasks/{case.draft_id}").get_data(as_text=True)
    assert "已电话联系企业" in timeline_of(page) and "留言已保存" in page
    assert only_task(svc, case.instance_id, "Draft").state == "open"
    assert [entry.actor for entry in actions(svc, "task.commented")] == ["li"]


def test_a_comment_from_another_county_is_refused_and_nothing_is_written(app, svc, case):
    zhou = client_of(app, "zhou")
    page = zhou.get("/inbox").get_data(as_text=True)
    assert post(zhou, f"/tasks/{case.draft_id}/comments", page, {"text": "看看"}).status_code == 403
    with svc.sessions() as session:
        assert session.scalars(select(TaskComment)).all() == []
    assert actions(svc, "task.commented") == []


def test_the_head_assigns_to_a_colleague_in_the_lane_and_it_is_audited(app, svc, case):
    head = client_of(app, "head")
    page = head.get(f"/tasks/{case.draft_id}").get_data(as_text=True)
    offered = page[page.index('name="username"'):page.index("</select>", page.index('name="username"'))]
    assert 'value="li"' in offered and 'value="li2"' in offered
    assert 'value="wang"' not in offered and 'value="gone"' not in offered and 'value="zhou"' not in offered
    assert post(head, f"/tasks/{case.draft_id}/assignment", page, {"username": "li2"}).status_code == 302
    with svc.sessions() as session:
        assert session.get(TaskRecord, case.draft_id).assignee == "li2"
    assert [(e.actor, e.after["assignee"]) for e in actions(svc, "task.assigned")] == [("head", "li2")]
    assert post(head, f"/tasks/{case.draft_id}/assignment", page, {"username": "gone"}).status_code == 403


def test_staff_cannot_assign(app, svc, case):
    li = client_of(app, "li")
    page = li.get(f"/tasks/{case.draft_id}").get_data(as_text=True)
    assert "指派给" not in page
    assert post(li, f"/tasks/{case.draft_id}/assignment", page, {"username": "li2"}).status_code == 403
    assert actions(svc, "task.assigned") == []


def test_delegation_needs_a_reason_and_is_audited(app, svc, case):
    li = client_of(app, "li")
    page = li.get(f"/tasks/{case.draft_id}").get_data(as_text=True)
    post(li, f"/tasks/{case.draft_id}/delegation", page, {"username": "li2", "reason": "  "})
    assert "请填写转办理由" in li.get(f"/tasks/{case.draft_id}").get_data(as_text=True)
    assert actions(svc, "task.delegated") == []
    assert post(li, f"/tasks/{case.draft_id}/delegation", page,
                {"username": "li2", "reason": "出差，请代办"}).status_code == 302
    page = li.get(f"/tasks/{case.draft_id}").get_data(as_text=True)
    assert "转办给 li2" in timeline_of(page) and "出差，请代办" in timeline_of(page)
    assert "转办理由" not in page  # li no longer holds it
    assert post(li, f"/tasks/{case.draft_id}/delegation", page,
                {"username": "li", "reason": "拿回"}).status_code == 403


def test_the_audit_trail_words_comments_assignments_and_delegations(app, svc, clock, case):
    li, head = client_of(app, "li"), client_of(app, "head")
    post(li, f"/tasks/{case.draft_id}/comments", li.get("/inbox").get_data(as_text=True), {"text": "已联系企业"})
    post(head, f"/tasks/{case.draft_id}/assignment", head.get("/inbox").get_data(as_text=True), {"username": "li"})
    post(li, f"/tasks/{case.draft_id}/delegation", li.get("/inbox").get_data(as_text=True),
         {"username": "li2", "reason": "出差"})
    page = client_of(app, "sup").get(f"/supervise/instances/{case.instance_id}").get_data(as_text=True)
    trail = page[page.index("审计记录"):]
    assert "<dt>留言</dt><dd>已联系企业</dd>" in trail and "<dt>指派给</dt><dd>li</dd>" in trail
    assert "<dt>转办给</dt><dd>li2</dd><dt>转办理由</dt><dd>出差</dd>" in trail
    assert "task.commented" not in trail and "task.assigned" not in trail and "task.delegated" not in trail


def test_the_supervisor_comments_from_the_instance_page_on_a_step_of_another_lane(app, svc, case):
    sup = client_of(app, "sup")
    page = sup.get(f"/supervise/instances/{case.instance_id}").get_data(as_text=True)
    assert "对「拟定方案」留言（不提交该环节）" in page
    assert post(sup, f"/tasks/{case.draft_id}/comments", page, {"text": "请按期办理"}).status_code == 302
    page = sup.get(f"/supervise/instances/{case.instance_id}").get_data(as_text=True)
    assert "请按期办理" in timeline_of(page)
    assert only_task(svc, case.instance_id, "Draft").state == "open"
    sup2 = client_of(app, "sup2")
    assert post(sup2, f"/tasks/{case.draft_id}/comments", sup2.get("/inbox").get_data(as_text=True),
                {"text": "越权"}).status_code == 403
    assert [entry.actor for entry in actions(svc, "task.commented")] == ["sup"]


def test_the_earlier_opinions_show_once_above_the_form_and_the_full_timeline_folded_below(app, svc, case):
    """The approval shows the drafting step's opinion in 前序环节意见 above its form; the 流转 timeline, the full
    record, starts folded below the form instead of repeating it; a step without that section keeps it open."""
    li = client_of(app, "li")
    post(li, f"/tasks/{case.draft_id}/comments", li.get(f"/tasks/{case.draft_id}").get_data(as_text=True),
         {"text": "已电话联系企业"})
    drafting = li.get(f"/tasks/{case.draft_id}").get_data(as_text=True)
    assert "已电话联系企业" in timeline_of(drafting) and "<details" not in drafting
    complete(svc, "li", case.draft_id, {"visit_date": "2026-10-20", "handling_opinion": "拟于10月20日现场检查"})
    approval = only_task(svc, case.instance_id, "Approve").id
    page = client_of(app, "head").get(f"/tasks/{approval}").get_data(as_text=True)
    form_at, folded_at = page.index('<form method="post" enctype'), page.index('<details class="timeline-record">')
    opinions = page[page.index('<section class="case opinions">'):form_at]
    assert "拟于10月20日现场检查" in opinions and form_at < folded_at
    assert page.count("拟于10月20日现场检查") == 2  # above the form, and once more only inside the folded record
    assert page.index("拟于10月20日现场检查", form_at) > folded_at
    assert '<details class="timeline-record" open' not in page
    supervised = client_of(app, "sup").get(f"/supervise/instances/{case.instance_id}").get_data(as_text=True)
    assert "拟于10月20日现场检查" in timeline_of(supervised) and "<details" not in supervised
