"""quiet_period_override (R10-R11): an inspection inside the quiet period that is none of R12's special cases,
genuinely necessary (确需): the principal head approves it with a stated reason (free text, never refused for
not being an R12 case), filing with the county office within 3 working days, counted across the Qingming
holiday (2026-04-04..06). The R12 cases themselves never come here (tests/processes/test_inspection_lifecycle.py).
An unfiled override's 督办 is due 5 working days after the filing deadline and counts in the supervisors'
overdue view once that passes."""

from __future__ import annotations

from datetime import date

from engine.calendar import WorkingCalendar
from tests.engine.access_fixtures import build_world
from tests.processes.helpers import (
    complete,
    deploy_all,
    end_of,
    finished,
    forms,
    late_supervision,
    only_task,
    open_ids,
    start,
    sweep_at,
    task_data,
)

CASE = {"agency": "县生态环境局", "enterprise": "91331125MA2E000003", "inspection_date": "2026-04-24"}
REQUEST = {"reason_detail": "废水处理设施只在下旬满负荷运行，年度例行检查须在此时进行"}
APPROVAL = {"override_approved": True, "override_approval_date": "2026-04-02",
            "override_opinion": "同意：设施仅在下旬满负荷运行，确需在安静期内检查"}
FILING = {"filing_date": "2026-04-08", "filing_content": "检查对象、事项、时间及确需检查的理由"}
REGISTERED = {"filing_no": "YH-BA-2026-0408-01", "registered_date": "2026-04-08"}


def test_the_forms_ask_for_a_stated_reason_and_offer_no_r12_case():
    request = forms()["quiet_period_override"]["Task_request_override"]
    approval = forms()["quiet_period_override"]["Task_principal_approval"]
    assert set(request) == {"reason_detail"} and request["reason_detail"]["type"] == "text"
    assert approval["override_opinion"]["type"] == "text" and approval["override_opinion"]["required"] == "true"
    assert not any(field["type"] == "choice" for field in [*request.values(), *approval.values()])


def approved(svc, clock):
    clock.set("2026-04-02T09:00:00+08:00")
    deploy_all(svc, clock)
    started = start(svc, clock, "quiet_period_override", CASE)
    request = only_task(svc, started.id, "Task_request_override")
    assert request.candidate_group == "执法人员"
    complete(svc, clock, request.id, REQUEST)
    approval = only_task(svc, started.id, "Task_principal_approval")
    assert approval.candidate_group == "单位负责人"
    complete(svc, clock, approval.id, APPROVAL)
    return started


def test_filing_is_due_three_working_days_after_approval_across_qingming(svc, clock):
    assert not WorkingCalendar().is_working_day(date(2026, 4, 6))
    started = approved(svc, clock)
    filing = only_task(svc, started.id, "Task_file_override")
    # 04-03, then 04-07 and 04-08 after the holiday.
    assert filing.due_at == end_of("2026-04-08")
    assert sweep_at(svc, "2026-04-08T23:59:59") == []
    clock.set("2026-04-08T15:00:00+08:00")
    complete(svc, clock, filing.id, FILING)
    register = only_task(svc, started.id, "Task_register_filing")
    assert register.candidate_group == "县综合执法办"
    complete(svc, clock, register.id, REGISTERED)
    assert finished(svc, started.id)
    assert sweep_at(svc, "2026-04-09T00:00:01") == []


def test_unfiled_override_is_marked_overdue_and_supervised_while_filing_stays_open(svc, clock):
    started = approved(svc, clock)
    assert sweep_at(svc, "2026-04-09T00:00:01") == ["Timer_filing_deadline"]
    assert open_ids(svc, started.id) == {"Task_file_override", "Task_supervise_filing"}
    supervise = only_task(svc, started.id, "Task_supervise_filing")
    assert supervise.candidate_group == "司法局" and supervise.agency == "县生态环境局"
    data = task_data(svc, supervise.id)
    assert data["overdue"] is True and data["filing_overdue"] is True and data["escalated_to"] == "司法局"
    assert data["reason_detail"] == REQUEST["reason_detail"]
    assert data["override_opinion"] == APPROVAL["override_opinion"]

    clock.set("2026-04-09T10:00:00+08:00")
    complete(svc, clock, supervise.id, {"supervision_action": "责令说明情况", "supervision_opinion": "限当日补报"})
    complete(svc, clock, only_task(svc, started.id, "Task_file_override").id, {**FILING, "filing_date": "2026-04-09"})
    complete(svc, clock, only_task(svc, started.id, "Task_register_filing").id,
             {**REGISTERED, "registered_date": "2026-04-09"})
    assert finished(svc, started.id)


def test_refused_override_ends_without_filing(svc, clock):
    deploy_all(svc, clock)
    started = start(svc, clock, "quiet_period_override", CASE)
    complete(svc, clock, only_task(svc, started.id, "Task_request_override").id,
             {"reason_detail": "希望在月底前完成本季度检查"})
    complete(svc, clock, only_task(svc, started.id, "Task_principal_approval").id,
             {"override_approved": False, "override_approval_date": "2026-09-30",
              "override_opinion": "可安排在安静期后"})
    assert finished(svc, started.id)
    assert sweep_at(svc, "2026-10-30T00:00:00") == []


def test_the_filing_supervision_has_its_due_date_and_shows_overdue(svc, clock, app, runner):
    clock.set("2026-04-02T09:00:00+08:00")
    world = build_world(svc, clock)
    deploy_all(svc, clock)
    started = start(svc, clock, "quiet_period_override",
                    {**CASE, "agency": "SCJG", "enterprise": world.firm.credit_code})
    complete(svc, clock, only_task(svc, started.id, "Task_request_override").id, REQUEST)
    complete(svc, clock, only_task(svc, started.id, "Task_principal_approval").id, APPROVAL, actor="head")
    # The filing deadline ends on 2026-04-08 (after Qingming); 5 working days on.
    late_supervision(svc, clock, app, runner, started.id, late_step="Task_file_override", deadline="2026-04-08",
                     supervise="Task_supervise_filing", due="2026-04-15", county="331125",
                     recorded="filing_deadline", flag="filing_supervision_overdue",
                     delay_field="filing_supervision_delay_reason")
    complete(svc, clock, only_task(svc, started.id, "Task_file_override").id, {**FILING, "filing_date": "2026-04-16"})
    complete(svc, clock, only_task(svc, started.id, "Task_register_filing").id,
             {**REGISTERED, "registered_date": "2026-04-16"}, actor="office")
    assert finished(svc, started.id)
