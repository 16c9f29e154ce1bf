"""engine.commands.task_desk and engine.views.timeline (issue 12 items 2 and 10): comments on a task without
completing it, 指派 by the agency head, 转办 with a reason — each scoped and audited — and the case's 流转
timeline with every completed step's actor, time, decision and opinion under the form's labels.
The case: tests.engine.desk_fixtures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.commands import NotPermitted, Work, tasks
from engine.commands.task_desk import assign, comment, delegate
from engine.models import AuditEntry, TaskComment, TaskRecord
from engine.runtime import InvalidTaskData
from engine.views.task_desk import colleagues
from engine.views.timeline import timeline
from tests.engine.desk_fixtures import build_case, person
from tests.engine.helpers import only_task


@pytest.fixture
def case(svc, clock):
    return build_case(svc, clock)


def run(svc, command, *args):
    with svc.transaction() as session:
        return command(Work(session, svc.clock(), svc.runtime), *args)


def trail(svc, instance_id: int, action: str) -> list[AuditEntry]:
    with svc.sessions() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.instance_id == instance_id,
                                                             AuditEntry.action == action)))


def comment_count(svc) -> int:
    with svc.sessions() as session:
        return session.scalar(select(func.count()).select_from(TaskComment))


def assignee(svc, task_id: str) -> str | None:
    with svc.sessions() as session:
        return session.get(TaskRecord, task_id).assignee


def test_a_comment_is_written_and_audited_and_leaves_the_task_open(svc, case):
    written = run(svc, comment, person("li"), case.draft_id, "  请补充检查事项\r\n再报  ")
    assert (written.author, written.text, written.instance_id) == ("li", "请补充检查事项\n再报", case.instance_id)
    (entry,) = trail(svc, case.instance_id, "task.commented")
    assert (entry.actor, entry.task_id, entry.after["text"]) == ("li", case.draft_id, "请补充检查事项\n再报")
    assert only_task(svc, case.instance_id, "Draft").state == "open"


def test_the_supervisor_of_the_county_comments_too(svc, case):
    assert run(svc, comment, person("sup"), case.draft_id, "请按期办理").author == "sup"


@pytest.mark.parametrize("who, reason", [("zhou", "outside_scope"), ("wang", "outside_scope"),
                                         ("sup2", "outside_scope"), ("admin", "role")])
def test_a_comment_from_outside_the_case_is_refused_and_nothing_is_written(svc, case, who, reason):
    with pytest.raises(NotPermitted) as refused:
        run(svc, comment, person(who), case.draft_id, "看看")
    assert refused.value.reason == reason
    assert comment_count(svc) == 0 and trail(svc, case.instance_id, "task.commented") == []


@pytest.mark.parametrize("text, code", [("", "required"), ("   ", "required"), ("响铃\x07", "control_characters"),
                                        ("\u202e反转", "control_characters"), ("长" * 501, "too_long")])
def test_comment_text_is_required_capped_and_free_of_control_characters(svc, case, text, code):
    with pytest.raises(InvalidTaskData) as refused:
        run(svc, comment, person("li"), case.draft_id, text)
    assert refused.value.details["problems"]["text"]["code"] == code
    assert comment_count(svc) == 0


def test_the_head_assigns_a_task_to_a_colleague_in_its_lane_and_it_is_audited(svc, case):
    run(svc, tasks.claim_task, person("li"), case.draft_id)
    assert run(svc, assign, person("head"), case.draft_id, "li2").assignee == "li2"
    (entry,) = trail(svc, case.instance_id, "task.assigned")
    assert (entry.actor, entry.before, entry.after["assignee"]) == ("head", {"assignee": "li"}, "li2")


def test_the_heads_choice_lists_only_active_colleagues_of_the_agency_in_the_lane(svc, case):
    with svc.transaction() as session:
        draft = session.get(TaskRecord, case.draft_id)
        names = [user.username for user in colleagues(session, person("head"), draft)]
    assert names == ["li", "li2"]  # not wang (XFJY), zhou (LXJG), gone (inactive), nor the head itself


@pytest.mark.parametrize("who, to, reason", [("li", "li2", "role"), ("head", "wang", "not_a_colleague"),
                                             ("head", "zhou", "not_a_colleague"), ("head", "gone", "not_a_colleague"),
                                             ("head", "nobody", "not_a_colleague"), ("sup", "li2", "role")])
def test_assignment_is_refused_to_staff_and_to_anyone_not_an_active_colleague(svc, case, who, to, reason):
    with pytest.raises(NotPermitted) as refused:
        run(svc, assign, person(who), case.draft_id, to)
    assert refused.value.reason == reason
    assert assignee(svc, case.draft_id) is None and trail(svc, case.instance_id, "task.assigned") == []


def test_assignment_follows_the_lane_a_staff_member_does_not_get_the_heads_approval(svc, clock, case):
    run(svc, tasks.complete_task, person("li"), case.draft_id, {"visit_date": "2026-10-20"})
    approval = only_task(svc, case.instance_id, "Approve").id
    with pytest.raises(NotPermitted) as refused:
        run(svc, assign, person("head"), approval, "li")
    assert refused.value.reason == "not_a_colleague"


def test_the_holder_delegates_with_a_reason_and_it_is_audited(svc, case):
    run(svc, tasks.claim_task, person("li"), case.draft_id)
    assert run(svc, delegate, person("li"), case.draft_id, "li2", "出差，请代办").assignee == "li2"
    (entry,) = trail(svc, case.instance_id, "task.delegated")
    assert (entry.actor, entry.before, entry.after["assignee"], entry.after["reason"]) == \
        ("li", {"assignee": "li"}, "li2", "出差，请代办")


def test_a_lane_member_delegates_an_unclaimed_task(svc, case):
    assert run(svc, delegate, person("li2"), case.draft_id, "li", "熟悉该企业").assignee == "li"


def test_delegation_needs_a_reason(svc, case):
    with pytest.raises(InvalidTaskData) as refused:
        run(svc, delegate, person("li"), case.draft_id, "li2", " ")
    assert refused.value.details["problems"]["reason"]["code"] == "required"
    assert assignee(svc, case.draft_id) is None and trail(svc, case.instance_id, "task.delegated") == []


@pytest.mark.parametrize("who, to, reason", [("li2", "head", "not_holder"), ("wang", "li2", "outside_scope"),
                                             ("li", "zhou", "not_a_colleague"), ("li", "gone", "not_a_colleague"),
                                             ("li", "li", "not_a_colleague"), ("sup", "li2", "not_your_lane")])
def test_delegation_is_refused_to_anyone_not_holding_the_task_or_to_a_non_colleague(svc, case, who, to, reason):
    run(svc, tasks.claim_task, person("li"), case.draft_id)
    with pytest.raises(NotPermitted) as refused:
        run(svc, delegate, person(who), case.draft_id, to, "请代办")
    assert refused.value.reason == reason
    assert assignee(svc, case.draft_id) == "li" and trail(svc, case.instance_id, "task.delegated") == []


def test_the_timeline_holds_each_step_its_decision_and_opinion_and_the_comments_in_order(svc, clock, case):
    run(svc, comment, person("head"), case.draft_id, "注意安静期")
    clock.advance(timedelta(minutes=5))
    run(svc, tasks.complete_task, person("li"), case.draft_id, {"visit_date": "2026-10-20",
                                                                "handling_opinion": "拟于10月20日检查"})
    clock.advance(timedelta(minutes=5))
    approval = only_task(svc, case.instance_id, "Approve").id
    run(svc, tasks.complete_task, person("head"), approval,
        {"approved": "true", "approval_opinion": "同意，按计划实施"})
    with svc.sessions() as session:
        lines = timeline(session, svc.runtime, case.instance_id)
    assert [(line.kind, line.actor, line.step) for line in lines] == [
        ("comment", "head", "拟定方案"), ("completed", "li", "拟定方案"), ("completed", "head", "负责人审批")]
    assert lines[0].text == "注意安静期"
    assert [(f.label, f.kind, f.value) for f in lines[1].fields] == [("办理意见", "opinion", "拟于10月20日检查")]
    assert [(f.label, f.kind, f.value) for f in lines[2].fields] == [("是否批准", "decision", True),
                                                                     ("审批意见", "opinion", "同意，按计划实施")]
    assert lines[1].at < lines[2].at


def test_the_timeline_shows_assignments_and_delegations_with_the_reason(svc, clock, case):
    run(svc, assign, person("head"), case.draft_id, "li")
    clock.advance(timedelta(minutes=1))
    run(svc, delegate, person("li"), case.draft_id, "li2", "出差")
    with svc.sessions() as session:
        lines = timeline(session, svc.runtime, case.instance_id)
    assert [(line.kind, line.actor, line.assignee, line.text) for line in lines] == [
        ("assigned", "head", "li", None), ("delegated", "li", "li2", "出差")]
