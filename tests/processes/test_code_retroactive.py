"""code_retroactive (R7): an urgent inspection on 2026-09-30, the eve of the National Day week, must be
approved and coded by the end of 2026-10-08; late or refused → 无码入企, supervised by the 司法局 lane."""

from __future__ import annotations

from tests.processes.helpers import (
    complete,
    deploy_all,
    end_of,
    finished,
    only_task,
    open_ids,
    start,
    sweep_at,
    task_data,
)

URGENT = {"agency": "县市场监管局", "enterprise": "91331125MA2E000001", "inspection_date": "2026-09-30",
          "urgent_type": "四不两直", "urgent_reason": "群众举报食品安全隐患，需立即核查"}
APPROVED = {"retro_approved": True, "retro_approval_date": "2026-10-08", "retro_opinion": "同意补办"}
SUPERVISED = {"supervision_action": "约谈", "supervision_opinion": "约谈单位负责人，限期说明情况"}


def test_approval_is_due_at_the_end_of_the_first_working_day_after_the_holiday(svc, clock):
    deploy_all(svc, clock)
    started = start(svc, clock, "code_retroactive", URGENT)
    approval = only_task(svc, started.id, "Task_retro_approval")
    assert approval.candidate_group == "单位负责人" and approval.agency == "县市场监管局"
    assert approval.due_at == end_of("2026-10-08")

    assert sweep_at(svc, "2026-10-08T23:59:59") == []
    clock.set("2026-10-08T16:00:00+08:00")
    complete(svc, clock, approval.id, APPROVED)
    assert finished(svc, started.id)
    assert sweep_at(svc, "2026-10-09T00:00:01") == []


def test_late_approval_is_no_code_entry_escalated_to_the_justice_bureau(svc, clock):
    deploy_all(svc, clock)
    started = start(svc, clock, "code_retroactive", URGENT)
    assert sweep_at(svc, "2026-10-09T00:00:01") == ["Timer_retro_deadline"]
    assert open_ids(svc, started.id) == {"Task_supervise_no_code"}
    supervise = only_task(svc, started.id, "Task_supervise_no_code")
    assert supervise.candidate_group == "司法局" and supervise.agency == "县市场监管局"
    data = task_data(svc, supervise.id)
    assert data["overdue"] is True and data["no_code_entry"] is True and data["escalated_to"] == "司法局"
    assert data["code_issued"] is False

    clock.set("2026-10-09T09:00:00+08:00")
    complete(svc, clock, supervise.id, SUPERVISED)
    assert finished(svc, started.id)


def test_refused_retroactive_approval_is_supervised_too(svc, clock):
    deploy_all(svc, clock)
    started = start(svc, clock, "code_retroactive", URGENT)
    approval = only_task(svc, started.id, "Task_retro_approval")
    complete(svc, clock, approval.id, {"retro_approved": False, "retro_approval_date": "2026-09-30",
                                       "retro_opinion": "不符合紧急检查情形"})
    supervise = only_task(svc, started.id, "Task_supervise_no_code")
    assert supervise.candidate_group == "司法局"
    assert task_data(svc, supervise.id)["no_code_entry"] is True
    assert "overdue" not in task_data(svc, supervise.id)
