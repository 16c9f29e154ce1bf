"""penalty_revisit (R25): revisit within 10 working days of the penalty (2026-09-30, across the National Day
week), findings, assignment (交办), rectification within 10 working days, evaluation looping until it passes.
A late revisit's 督办 is due 5 working days after the revisit deadline and counts in the supervisors' overdue
view once that passes."""

from __future__ import annotations

from tests.engine.access_fixtures import build_world
from tests.processes.helpers import (
    complete,
    deploy_all,
    end_of,
    finished,
    late_supervision,
    only_task,
    open_ids,
    start,
    sweep_at,
    task_data,
)

CASE = {"agency": "县市场监管局", "enterprise": "91331125MA2E000004", "penalty_decision_no": "云市监罚〔2026〕88号",
        "penalty_date": "2026-09-30"}
REVISIT = {"revisit_date": "2026-10-15", "revisit_method": "实地回访", "revisit_findings": "消防通道仍有堆放物",
           "rectification_needed": True}
ASSIGN = {"assigned_date": "2026-10-20", "rectify_items": "清理消防通道", "rectify_requirements": "拍照上传"}
RECTIFIED = {"rectified_date": "2026-10-28", "rectification_report": "已清理并设置警示标志"}


def evaluate(passed: bool) -> dict:
    return {"evaluation_date": "2026-10-30", "evaluation_passed": passed,
            "evaluation": "通过" if passed else "仍有堆放"}


def test_revisit_without_problems_closes(svc, clock):
    deploy_all(svc, clock)
    started = start(svc, clock, "penalty_revisit", CASE)
    revisit = only_task(svc, started.id, "Task_revisit")
    assert revisit.candidate_group == "执法人员" and revisit.due_at == end_of("2026-10-20")
    complete(svc, clock, revisit.id, {**REVISIT, "revisit_findings": "无", "rectification_needed": False})
    assert finished(svc, started.id)


def test_evaluation_loops_back_to_assignment_until_it_passes(svc, clock):
    deploy_all(svc, clock)
    started = start(svc, clock, "penalty_revisit", CASE)
    complete(svc, clock, only_task(svc, started.id, "Task_revisit").id, REVISIT)
    for passed in (False, True):
        assign = only_task(svc, started.id, "Task_assign")
        assert assign.candidate_group == "单位负责人"
        complete(svc, clock, assign.id, ASSIGN)
        rectify = only_task(svc, started.id, "Task_rectify")
        assert rectify.candidate_group == "企业" and rectify.due_at == end_of("2026-11-03")
        complete(svc, clock, rectify.id, RECTIFIED)
        complete(svc, clock, only_task(svc, started.id, "Task_evaluate").id, evaluate(passed))
    assert finished(svc, started.id)


def test_late_revisit_is_supervised_beside_the_open_revisit(svc, clock):
    deploy_all(svc, clock)
    started = start(svc, clock, "penalty_revisit", CASE)
    assert sweep_at(svc, "2026-10-20T23:00:00") == []
    assert sweep_at(svc, "2026-10-21T00:00:01") == ["Timer_revisit_deadline"]
    assert open_ids(svc, started.id) == {"Task_revisit", "Task_supervise_revisit"}
    supervise = only_task(svc, started.id, "Task_supervise_revisit")
    assert supervise.candidate_group == "司法局"
    assert task_data(svc, supervise.id)["revisit_overdue"] is True
    clock.set("2026-10-21T09:00:00+08:00")
    complete(svc, clock, supervise.id, {"supervision_action": "通报批评", "supervision_opinion": "立即回访"})
    complete(svc, clock, only_task(svc, started.id, "Task_revisit").id, {**REVISIT, "rectification_needed": False})
    assert finished(svc, started.id)


def test_late_rectification_goes_to_the_head_and_is_assigned_again(svc, clock):
    deploy_all(svc, clock)
    started = start(svc, clock, "penalty_revisit", CASE)
    complete(svc, clock, only_task(svc, started.id, "Task_revisit").id, REVISIT)
    complete(svc, clock, only_task(svc, started.id, "Task_assign").id, ASSIGN)
    assert sweep_at(svc, "2026-11-04T00:00:01") == ["Timer_rectify_deadline"]
    assert open_ids(svc, started.id) == {"Task_handle_rectify_overdue"}
    handle = only_task(svc, started.id, "Task_handle_rectify_overdue")
    assert handle.candidate_group == "单位负责人"
    assert task_data(svc, handle.id)["rectify_overdue"] is True
    clock.set("2026-11-04T09:00:00+08:00")
    complete(svc, clock, handle.id, {"handling": "重新交办", "handling_opinion": "再给5个工作日"})
    complete(svc, clock, only_task(svc, started.id, "Task_assign").id, {**ASSIGN, "assigned_date": "2026-11-04"})
    complete(svc, clock, only_task(svc, started.id, "Task_rectify").id, RECTIFIED)
    complete(svc, clock, only_task(svc, started.id, "Task_evaluate").id, evaluate(True))
    assert finished(svc, started.id)


def test_the_revisit_supervision_has_its_due_date_and_shows_overdue(svc, clock, app, runner):
    world = build_world(svc, clock)
    deploy_all(svc, clock)
    started = start(svc, clock, "penalty_revisit", {**CASE, "agency": "SCJG", "enterprise": world.firm.credit_code})
    # The revisit deadline ends on 2026-10-20 (10-10, a Saturday, is a 调休 working day); 5 working days on.
    late_supervision(svc, clock, app, runner, started.id, late_step="Task_revisit", deadline="2026-10-20",
                     supervise="Task_supervise_revisit", due="2026-10-27", county="331125",
                     recorded="revisit_deadline", flag="revisit_supervision_overdue",
                     delay_field="revisit_supervision_delay_reason")
    complete(svc, clock, only_task(svc, started.id, "Task_revisit").id, {**REVISIT, "rectification_needed": False})
    assert finished(svc, started.id)
