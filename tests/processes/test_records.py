"""The inspection record follows its procedure (issue 11 defect 6), on the shipped diagrams: every step that
changes the case changes the record in the same transaction — status planned → approved → noticed →
in_progress → completed → closed, refused/withdrawn for a visit that does not go ahead (which then counts
against no R15/R17 cap and raises no R21 alert), the visit's times, a day moved in the advance notice (with its
quiet-period routing judged again, R10–R12), the penalty (R25) and one revisit row per round."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from engine.domain.inspection_checks import routine_onsite_count
from engine.models import Agency, Alert, Inspection, JointInspectionGroup, Penalty, QuietPeriodOverride
from engine.platform.clock import SHANGHAI
from engine.runtime import PolicyRefused
from tests.factories import make_agency, make_enterprise, make_inspection, make_item_list
from tests.processes.helpers import complete, deploy_all, finished, only_task, open_ids, start, sweep_at, task_data
from tests.processes.test_inspection_lifecycle import notice_of

AGENCY = "县市场监管局"
PLAN = {"inspection_date": "2026-10-16", "inspection_type": "日常检查", "inspection_method": "现场检查",
        "inspection_items": "食品经营许可", "inspectors": "张三（33000001）", "notice_exemption": "依法不予公开",
        "notice_exemption_reason": ""}
PASSED = {"check_outcome": "通过", "refusal_reason": "", "in_quiet_period": False}
APPROVED = {"plan_approved": True, "plan_opinion": "同意"}
ONSITE = {"started_at": "2026-10-16T09:30:00+08:00", "code_shown": True, "conduct_confirmed": True}
RECORD = {"record_date": "2026-10-16", "record_text": "健康证明过期2份", "problems_found": True}
PENALTY = {"penalty_decision_no": "云市监罚〔2026〕7号", "penalty_date": "2026-10-20",
           "penalty_summary": "警告并罚款", "fine_amount": 2000}


def records(svc, day: str = "2026-10-16", credit_class: str | None = None, others: int = 0) -> int:
    """An inspection of a fresh enterprise by AGENCY on `day`, after `others` completed visits of the same item
    on 10-09 (for the caps and the repeated-inspection alert)."""
    with svc.transaction() as session:
        agency = session.scalar(select(Agency).where(Agency.code == AGENCY)) or make_agency(session, code=AGENCY)
        items = list(make_item_list(session, agency=agency, version=7).items)[:1]
        enterprise = make_enterprise(session, jurisdiction=agency.jurisdiction, credit_class=credit_class)
        for _ in range(others):
            make_inspection(session, agency=agency, enterprise=enterprise, items=items,
                            planned_start=date(2026, 10, 9), planned_end=date(2026, 10, 9)).status = "completed"
        planned_on = date.fromisoformat(day)
        return make_inspection(session, agency=agency, enterprise=enterprise, items=items,
                               planned_start=planned_on, planned_end=planned_on).id


def another(svc, like: int) -> int:
    """A second plan of the same agency, enterprise, item and day."""
    with svc.transaction() as session:
        first = session.get(Inspection, like)
        return make_inspection(session, agency=first.agency, enterprise=first.enterprise, items=list(first.items),
                               planned_start=first.planned_start, planned_end=first.planned_end).id


def lifecycle(svc, clock, inspection_id: int, plan: dict = PLAN, check: dict = PASSED):
    with svc.sessions() as session:
        credit_code = session.get(Inspection, inspection_id).enterprise.credit_code
    started = start(svc, clock, "inspection_lifecycle", {"agency": AGENCY, "enterprise": credit_code,
                                                         "urgent": False, "inspection_id": inspection_id})
    complete(svc, clock, only_task(svc, started.id, "Task_plan").id, plan)
    complete(svc, clock, only_task(svc, started.id, "Task_check").id, check)
    return started


def status_of(svc, inspection_id: int) -> str:
    with svc.sessions() as session:
        return session.get(Inspection, inspection_id).status


def inspection(svc, inspection_id: int) -> Inspection:
    with svc.sessions() as session:
        found = session.get(Inspection, inspection_id)
        session.expunge(found)
        return found


def penalty_of(svc, inspection_id: int) -> dict:
    with svc.sessions() as session:
        (penalty,) = session.scalars(select(Penalty).where(Penalty.inspection_id == inspection_id)).all()
        return {"number": penalty.decision_number, "decided_on": penalty.decided_on, "summary": penalty.summary,
                "fine": penalty.fine_amount, "status": penalty.status,
                "rounds": [(r.round, r.findings, r.assigned_to is not None, r.rectification, r.evaluation, r.result)
                           for r in penalty.revisits]}


def test_the_record_follows_the_lifecycle_from_plan_to_close(svc, clock):
    deploy_all(svc, clock)
    inspection_id = records(svc)
    started = lifecycle(svc, clock, inspection_id)
    assert status_of(svc, inspection_id) == "planned"
    complete(svc, clock, only_task(svc, started.id, "Task_head_approval").id, APPROVED, actor="head")
    # The notice exemption is recorded in the approval's transaction (Script_notice_exempt): the record is ready.
    assert status_of(svc, inspection_id) == "noticed"

    clock.set("2026-10-16T09:30:00+08:00")
    complete(svc, clock, only_task(svc, started.id, "Task_onsite").id, ONSITE)
    visited = inspection(svc, inspection_id)
    assert visited.status == "in_progress"
    assert visited.actual_start == datetime(2026, 10, 16, 9, 30, tzinfo=SHANGHAI)

    clock.set("2026-10-16T11:00:00+08:00")
    complete(svc, clock, only_task(svc, started.id, "Task_record").id, {**RECORD, "penalty_needed": False})
    done = inspection(svc, inspection_id)
    # A visited status: the enterprise may now rate it (R24, engine.domain.enterprise_side.VISITED_STATUSES).
    assert done.status == "completed" and done.actual_end == datetime(2026, 10, 16, 11, 0, tzinfo=SHANGHAI)

    complete(svc, clock, only_task(svc, started.id, "Task_rating").id, {"rating": "满意"})
    assert finished(svc, started.id) and status_of(svc, inspection_id) == "closed"


def test_a_plan_the_head_returns_is_refused_until_it_passes_the_check_again(svc, clock):
    deploy_all(svc, clock)
    inspection_id = records(svc)
    started = lifecycle(svc, clock, inspection_id)
    complete(svc, clock, only_task(svc, started.id, "Task_head_approval").id,
             {"plan_approved": False, "plan_opinion": "与联合检查合并"}, actor="head")
    assert status_of(svc, inspection_id) == "refused"
    complete(svc, clock, only_task(svc, started.id, "Task_plan").id, PLAN)
    complete(svc, clock, only_task(svc, started.id, "Task_check").id, PASSED)
    assert status_of(svc, inspection_id) == "planned"


def test_a_refused_plan_counts_against_no_cap_and_raises_no_alert(svc, clock):
    # A C-class enterprise (cap 2, R15) already visited once on the same item by this agency.
    deploy_all(svc, clock)
    refused_id = records(svc, credit_class="C", others=1)
    refused = lifecycle(svc, clock, refused_id,
                        check={"check_outcome": "不予检查", "refusal_reason": "无需检查", "in_quiet_period": False})
    assert finished(svc, refused.id) and status_of(svc, refused_id) == "refused"
    with svc.sessions() as session:
        # R21: no repeated (or high-frequency) alert for a visit that never happens.
        assert session.scalars(select(Alert).where(Alert.subject == f"inspection:{refused_id}")).all() == []
        assert session.scalars(select(Alert).where(Alert.kind == "high_frequency")).all() == []
        first = session.get(Inspection, refused_id)
        assert routine_onsite_count(session, agency_id=first.agency_id, enterprise_id=first.enterprise_id,
                                    year=2026) == 1

    # The next plan is the second visit of the year, within the cap: the check passes it to the head.
    next_id = another(svc, refused_id)
    following = lifecycle(svc, clock, next_id)
    assert open_ids(svc, following.id) == {"Task_head_approval"}
    assert task_data(svc, only_task(svc, following.id, "Task_head_approval").id)["policy_refusals"] == []


def test_a_plan_a_rule_refuses_sets_off_no_alert(svc, clock):
    # B class (cap 1, R17): the earlier visit used the year's one routine visit; the plan is refused and returned.
    deploy_all(svc, clock)
    inspection_id = records(svc, credit_class="B", day="2026-10-15", others=1)
    started = lifecycle(svc, clock, inspection_id, plan={**PLAN, "inspection_date": "2026-10-15"})
    assert open_ids(svc, started.id) == {"Task_plan"}
    assert status_of(svc, inspection_id) == "refused"
    with svc.sessions() as session:
        assert session.scalars(select(Alert).where(Alert.subject == f"inspection:{inspection_id}")).all() == []


def test_a_quiet_period_override_refused_withdraws_the_inspection(svc, clock):
    deploy_all(svc, clock)
    inspection_id = records(svc, day="2026-10-23")
    started = lifecycle(svc, clock, inspection_id, plan={**PLAN, "inspection_date": "2026-10-23"})
    complete(svc, clock, only_task(svc, started.id, "Task_head_approval").id, APPROVED, actor="head")
    complete(svc, clock, only_task(svc, started.id, "Task_request_override").id, {"reason_detail": "任务未完成"})
    complete(svc, clock, only_task(svc, started.id, "Task_principal_approval").id,
             {"override_approved": False, "override_approval_date": "2026-09-30", "override_opinion": "并非确需"})
    assert finished(svc, started.id) and status_of(svc, inspection_id) == "withdrawn"
    with svc.sessions() as session:
        first = session.get(Inspection, inspection_id)
        assert routine_onsite_count(session, agency_id=first.agency_id, enterprise_id=first.enterprise_id,
                                    year=2026) == 0


def test_a_day_moved_in_the_notice_moves_the_record_and_is_judged_for_the_quiet_period_again(svc, clock):
    deploy_all(svc, clock)
    inspection_id = records(svc)
    started = lifecycle(svc, clock, inspection_id, plan={**PLAN, "notice_exemption": "无"})
    complete(svc, clock, only_task(svc, started.id, "Task_head_approval").id, APPROVED, actor="head")
    notice = only_task(svc, started.id, "Task_give_notice")
    # Given on 10-12, 5 working days end on 10-19: too late for 10-16, so the day is moved, into the quiet
    # period (the 21st on).
    complete(svc, clock, notice.id, {**notice_of(svc, notice.id), "notice_date": "2026-10-12", "method": "书面"})
    assert status_of(svc, inspection_id) == "noticed"
    complete(svc, clock, only_task(svc, started.id, "Task_reschedule").id,
             {"inspection_date": "2026-10-22", "reschedule_reason": "预告期不足"})
    moved = inspection(svc, inspection_id)
    assert (moved.planned_start, moved.planned_end) == (date(2026, 10, 22), date(2026, 10, 22))
    assert sweep_at(svc, "2026-10-20T00:00:01") == ["Timer_notice_period"]
    # Not an R12 case: the quiet-period override procedure runs before the visit (R11).
    assert open_ids(svc, started.id) == {"Task_request_override"}


def to_the_penalty(svc, clock) -> tuple[int, int]:
    """A lifecycle whose inspection found problems needing a penalty, waiting at 作出行政处罚决定."""
    deploy_all(svc, clock)
    inspection_id = records(svc)
    started = lifecycle(svc, clock, inspection_id)
    complete(svc, clock, only_task(svc, started.id, "Task_head_approval").id, APPROVED, actor="head")
    clock.set("2026-10-16T09:30:00+08:00")
    complete(svc, clock, only_task(svc, started.id, "Task_onsite").id, ONSITE)
    complete(svc, clock, only_task(svc, started.id, "Task_record").id, {**RECORD, "penalty_needed": True})
    complete(svc, clock, only_task(svc, started.id, "Task_rating").id, {"rating": "满意"})
    return started.id, inspection_id


def test_the_penalty_and_every_revisit_round_are_recorded_until_one_passes(svc, clock):
    instance_id, inspection_id = to_the_penalty(svc, clock)
    complete(svc, clock, only_task(svc, instance_id, "Task_penalty").id, PENALTY, actor="head")
    assert penalty_of(svc, inspection_id) == {
        "number": "云市监罚〔2026〕7号", "decided_on": date(2026, 10, 20), "summary": "警告并罚款",
        "fine": Decimal("2000.00"), "status": "open", "rounds": []}

    complete(svc, clock, only_task(svc, instance_id, "Task_revisit").id,
             {"revisit_date": "2026-10-22", "revisit_method": "实地回访", "revisit_findings": "健康证明仍未更新",
              "rectification_needed": True})
    complete(svc, clock, only_task(svc, instance_id, "Task_assign").id,
             {"assigned_date": "2026-10-22", "rectify_items": "更新健康证明"}, actor="head")
    complete(svc, clock, only_task(svc, instance_id, "Task_rectify").id,
             {"rectified_date": "2026-10-26", "rectification_report": "已更新1份"}, actor="enterprise")
    complete(svc, clock, only_task(svc, instance_id, "Task_evaluate").id,
             {"evaluation_date": "2026-10-27", "evaluation_passed": False, "evaluation": "仍缺1份"})
    assert penalty_of(svc, inspection_id)["rounds"] == [
        (1, "健康证明仍未更新", True, "已更新1份", "仍缺1份", "failed")]

    complete(svc, clock, only_task(svc, instance_id, "Task_assign").id,
             {"assigned_date": "2026-10-27", "rectify_items": "补齐健康证明"}, actor="head")
    complete(svc, clock, only_task(svc, instance_id, "Task_rectify").id,
             {"rectified_date": "2026-10-29", "rectification_report": "已全部更新"}, actor="enterprise")
    complete(svc, clock, only_task(svc, instance_id, "Task_evaluate").id,
             {"evaluation_date": "2026-10-30", "evaluation_passed": True, "evaluation": "整改到位"})
    recorded = penalty_of(svc, inspection_id)
    assert recorded["rounds"] == [(1, "健康证明仍未更新", True, "已更新1份", "仍缺1份", "failed"),
                                  (2, "仍缺1份", True, "已全部更新", "整改到位", "passed")]
    assert recorded["status"] == "closed"
    assert finished(svc, instance_id) and status_of(svc, inspection_id) == "closed"


def test_a_decision_number_already_on_record_is_refused_and_nothing_is_saved(svc, clock):
    instance_id, inspection_id = to_the_penalty(svc, clock)
    with svc.transaction() as session:
        earlier = make_inspection(session, agency=session.scalar(select(Agency).where(Agency.code == AGENCY)))
        session.add(Penalty(inspection_id=earlier.id, decision_number=PENALTY["penalty_decision_no"],
                            decided_on=date(2026, 9, 1), summary="另案"))
    penalty = only_task(svc, instance_id, "Task_penalty")
    with pytest.raises(PolicyRefused, match="R25") as caught:
        complete(svc, clock, penalty.id, PENALTY, actor="head")
    assert "已登记" in caught.value.details["refusals"][0]["message"]
    assert open_ids(svc, instance_id) == {"Task_penalty"}
    with svc.sessions() as session:
        assert session.scalars(select(Penalty).where(Penalty.inspection_id == inspection_id)).all() == []


def test_a_rectification_overdue_fails_its_round_and_the_new_assignment_opens_the_next(svc, clock):
    instance_id, inspection_id = to_the_penalty(svc, clock)
    complete(svc, clock, only_task(svc, instance_id, "Task_penalty").id, PENALTY, actor="head")
    complete(svc, clock, only_task(svc, instance_id, "Task_revisit").id,
             {"revisit_date": "2026-10-22", "revisit_method": "电话回访", "revisit_findings": "未整改",
              "rectification_needed": True})
    complete(svc, clock, only_task(svc, instance_id, "Task_assign").id,
             {"assigned_date": "2026-10-22", "rectify_items": "更新健康证明"}, actor="head")
    # R25: 10 working days after 10-22 end on 11-05.
    assert sweep_at(svc, "2026-11-06T00:00:01") == ["Timer_rectify_deadline"]
    complete(svc, clock, only_task(svc, instance_id, "Task_handle_rectify_overdue").id,
             {"handling": "重新交办", "handling_opinion": "再给5个工作日"}, actor="head")
    complete(svc, clock, only_task(svc, instance_id, "Task_assign").id,
             {"assigned_date": "2026-11-06", "rectify_items": "更新健康证明"}, actor="head")
    assert penalty_of(svc, inspection_id)["rounds"] == [
        (1, "未整改", True, None, "逾期未整改（重新交办）：再给5个工作日", "failed"),
        (2, "逾期未整改（重新交办）：再给5个工作日", True, None, None, "pending")]


def test_an_urgent_inspection_is_visited_when_its_approval_comes_and_completed_by_its_record(svc, clock):
    # R7: the visit came first; the record says so once the late approval codes it.
    deploy_all(svc, clock)
    inspection_id = records(svc, day="2026-09-30")
    with svc.sessions() as session:
        credit_code = session.get(Inspection, inspection_id).enterprise.credit_code
    started = start(svc, clock, "inspection_lifecycle", {
        "agency": AGENCY, "enterprise": credit_code, "urgent": True, "inspection_id": inspection_id,
        "inspection_date": "2026-09-30", "urgent_type": "四不两直", "urgent_reason": "举报涉及食品安全"})
    complete(svc, clock, only_task(svc, started.id, "Task_retro_approval").id,
             {"retro_approved": True, "retro_approval_date": "2026-09-30", "retro_opinion": "同意"}, actor="head")
    visited = inspection(svc, inspection_id)
    assert visited.status == "in_progress" and visited.actual_start == datetime(2026, 9, 30, tzinfo=SHANGHAI)
    complete(svc, clock, only_task(svc, started.id, "Task_record").id,
             {**RECORD, "record_date": "2026-09-30", "penalty_needed": False})
    assert status_of(svc, inspection_id) == "completed"


def test_a_non_onsite_check_records_its_day(svc, clock):
    deploy_all(svc, clock)
    inspection_id = records(svc)
    started = lifecycle(svc, clock, inspection_id, plan={**PLAN, "inspection_method": "非现场检查"})
    complete(svc, clock, only_task(svc, started.id, "Task_head_approval").id, APPROVED, actor="head")
    clock.set("2026-10-09T14:00:00+08:00")
    complete(svc, clock, only_task(svc, started.id, "Task_offsite").id,
             {"offsite_method": "书面核查", "done_date": "2026-10-09"})
    checked = inspection(svc, inspection_id)
    assert (checked.status, checked.actual_start) == ("in_progress", datetime(2026, 10, 9, 14, 0, tzinfo=SHANGHAI))


def test_the_quiet_period_override_filing_and_its_registration_are_recorded(svc, clock):
    # R11: a routine visit in the quiet period, approved by the principal head and filed with the county office.
    deploy_all(svc, clock)
    inspection_id = records(svc, day="2026-10-23")
    started = lifecycle(svc, clock, inspection_id, plan={**PLAN, "inspection_date": "2026-10-23"})
    complete(svc, clock, only_task(svc, started.id, "Task_head_approval").id, APPROVED, actor="head")
    complete(svc, clock, only_task(svc, started.id, "Task_request_override").id, {"reason_detail": "仅下旬生产"})
    complete(svc, clock, only_task(svc, started.id, "Task_principal_approval").id,
             {"override_approved": True, "override_approval_date": "2026-09-30", "override_opinion": "确需现场核查"},
             actor="head")
    clock.set("2026-10-08T10:00:00+08:00")
    complete(svc, clock, only_task(svc, started.id, "Task_file_override").id,
             {"filing_date": "2026-10-08", "filing_content": "安静期内检查备案"})
    complete(svc, clock, only_task(svc, started.id, "Task_register_filing").id,
             {"filing_no": "BA-2026-1008-01", "registered_date": "2026-10-08"}, actor="office")
    with svc.sessions() as session:
        (override,) = session.scalars(select(QuietPeriodOverride).where(
            QuietPeriodOverride.inspection_id == inspection_id)).all()
        assert override.filed_at == datetime(2026, 10, 8, 10, 0, tzinfo=SHANGHAI)
        assert (override.filed_with, override.filing_reference) == ("县综合执法办", "BA-2026-1008-01")
    assert open_ids(svc, started.id) == {"Task_onsite"}


def test_a_joint_visit_begins_with_its_first_member_on_site_and_ends_with_its_last_record(svc, app, clock):
    # 综合查一次 (R18): each member's record follows its own lifecycle; the group holds the one visit's times.
    from tests.processes.test_joint_inspection import AGENCIES, approve, merge, two_lifecycles

    jurisdiction, planned = two_lifecycles(svc, clock)
    group_id = merge(svc, clock, jurisdiction, [inspection_id for inspection_id, _ in planned])
    for (_, instance_id), (_code, _name, head) in zip(planned, AGENCIES, strict=True):
        approve(svc, clock, instance_id, head)
        notice = only_task(svc, instance_id, "Task_give_notice")
        complete(svc, clock, notice.id, notice_of(svc, notice.id))
    sweep_at(svc, "2026-10-14T00:00:01")
    for (_, instance_id), minute in zip(planned, (30, 45), strict=True):
        clock.set(f"2026-10-16T09:{minute}:00+08:00")
        complete(svc, clock, only_task(svc, instance_id, "Task_onsite").id,
                 {**ONSITE, "started_at": f"2026-10-16T09:{minute}:00+08:00"})
    for (_, instance_id), hour in zip(planned, (11, 12), strict=True):
        clock.set(f"2026-10-16T{hour}:00:00+08:00")
        complete(svc, clock, only_task(svc, instance_id, "Task_record").id, {**RECORD, "penalty_needed": False})
    with svc.sessions() as session:
        group = session.get(JointInspectionGroup, group_id)
        assert group.actual_start == datetime(2026, 10, 16, 9, 30, tzinfo=SHANGHAI)
        assert group.actual_end == datetime(2026, 10, 16, 12, 0, tzinfo=SHANGHAI)
        assert [i.status for i in group.inspections] == ["completed", "completed"]
