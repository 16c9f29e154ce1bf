"""inspection_lifecycle: plan → checks → head's approval → code → notice (call) → quiet-period override (call)
→ on-site or non-onsite inspection → record → rating → penalty revisit (call) → close; the urgent path
through code_retroactive; the plan refused or returned; the rating timer that keeps a missing rating from
blocking the close."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine.domain.decisions import decisions
from engine.domain.inspection_process import plan_inspection
from engine.models import Agency, BehaviorCode, Inspection, Notice, QuietPeriodOverride, TaskRecord
from engine.platform.clock import SHANGHAI
from engine.runtime import PolicyRefused
from tests.factories import make_agency, make_enterprise, make_inspection, make_inspector, make_item_list
from tests.processes.helpers import (
    complete,
    copies,
    deploy_all,
    end_of,
    finished,
    only_task,
    open_ids,
    start,
    sweep_at,
    task_data,
)

AGENCY = "县市场监管局"
CASE = {"agency": AGENCY, "enterprise": "91331125MA2E000006", "urgent": False}
PLAN = {"inspection_date": "2026-10-16", "inspection_type": "日常检查", "inspection_method": "现场检查",
        "inspection_items": "食品经营许可；从业人员健康证明", "inspectors": "张三（33000001）、李四（33000002）",
        "notice_exemption": "无", "notice_exemption_reason": ""}
CHECK_PASSED = {"check_outcome": "通过", "refusal_reason": "", "in_quiet_period": False}
APPROVED = {"plan_approved": True, "plan_opinion": "同意"}
NOTICE = {"notice_date": "2026-09-30", "method": "政务服务平台"}
ONSITE = {"started_at": "2026-10-16T09:30:00+08:00", "code_shown": True, "conduct_confirmed": True,
          "audio_video": True}


def record(penalty_needed: bool, day: str = "2026-10-16") -> dict:
    return {"record_date": day, "record_text": "现场检查笔录：健康证明过期2份", "problems_found": penalty_needed,
            "penalty_needed": penalty_needed}


def inspection_record(svc, day: str, **fields) -> int:
    """The planned inspection the check step verifies (R1–R17 pass for it unless the test says otherwise)."""
    with svc.transaction() as session:
        planned_on = date.fromisoformat(day)
        # The instance's agency (CASE) must be the inspection's: steps never write to another agency's record.
        agency = session.scalar(select(Agency).where(Agency.code == AGENCY)) or make_agency(session, code=AGENCY)
        return make_inspection(session, agency=agency, planned_start=planned_on, planned_end=planned_on,
                               **fields).id


def notice_of(svc, task_id: str) -> dict:
    """The notice as given: the items and inspectors are those the plan chose, as the step offers them
    (choices_from)."""
    offered = task_data(svc, task_id)
    return {**NOTICE, "notice_items": offered["notice_items"], "notice_inspectors": offered["notice_inspectors"]}


def planned(svc, clock, plan: dict = PLAN, check: dict = CHECK_PASSED, **record_fields):
    deploy_all(svc, clock)
    started = start(svc, clock, "inspection_lifecycle",
                    {**CASE, "inspection_id": inspection_record(svc, plan["inspection_date"], **record_fields)})
    plan_task = only_task(svc, started.id, "Task_plan")
    assert plan_task.candidate_group == "执法人员" and plan_task.agency == AGENCY
    complete(svc, clock, plan_task.id, plan)
    check_task = only_task(svc, started.id, "Task_check")
    assert check_task.candidate_group == "县综合执法办"
    complete(svc, clock, check_task.id, check)
    return started


def waiting_at_record(svc, clock) -> str:
    """A planned lifecycle approved, noticed and visited on 2026-10-16: its 制作现场检查笔录 task's id."""
    started = planned(svc, clock)
    complete(svc, clock, only_task(svc, started.id, "Task_head_approval").id, APPROVED)
    notice = only_task(svc, started.id, "Task_give_notice")
    complete(svc, clock, notice.id, notice_of(svc, notice.id))
    sweep_at(svc, "2026-10-14T00:00:01")
    clock.set("2026-10-16T09:30:00+08:00")
    complete(svc, clock, only_task(svc, started.id, "Task_onsite").id, ONSITE)
    return only_task(svc, started.id, "Task_record").id


def test_onsite_inspection_with_notice_penalty_and_revisit(svc, clock):
    started = planned(svc, clock)
    approval = only_task(svc, started.id, "Task_head_approval")
    assert approval.candidate_group == "单位负责人"
    complete(svc, clock, approval.id, APPROVED)

    notice = only_task(svc, started.id, "Task_give_notice")
    assert notice.process_key == "advance_notice" and notice.agency == AGENCY
    assert task_data(svc, notice.id)["code_issued"] is True
    complete(svc, clock, notice.id, notice_of(svc, notice.id))
    assert open_ids(svc, started.id) == set()
    # 5 working days after 2026-09-30: 10-08, 10-09, 10-10 (make-up Saturday), 10-12, 10-13.
    assert sweep_at(svc, "2026-10-13T23:59:59") == []
    assert sweep_at(svc, "2026-10-14T00:00:01") == ["Timer_notice_period"]

    clock.set("2026-10-16T09:30:00+08:00")
    onsite = only_task(svc, started.id, "Task_onsite")
    assert onsite.process_key == "inspection_lifecycle"
    complete(svc, clock, onsite.id, ONSITE)
    complete(svc, clock, only_task(svc, started.id, "Task_record").id, record(True))
    rating = only_task(svc, started.id, "Task_rating")
    assert rating.candidate_group == "企业" and rating.due_at == end_of("2026-10-23")
    complete(svc, clock, rating.id, {"rating": "满意", "rating_comment": "程序规范"})
    penalty = only_task(svc, started.id, "Task_penalty")
    assert penalty.candidate_group == "单位负责人"
    complete(svc, clock, penalty.id, {"penalty_decision_no": "云市监罚〔2026〕101号", "penalty_date": "2026-10-20"})
    assert copies(svc, started.id) == [("作出行政处罚决定", "县综合执法办")]  # 抄送 the county office

    revisit = only_task(svc, started.id, "Task_revisit")
    assert revisit.process_key == "penalty_revisit" and revisit.agency == AGENCY
    assert revisit.due_at == end_of("2026-11-03")
    complete(svc, clock, revisit.id, {"revisit_date": "2026-10-28", "revisit_method": "实地回访",
                                      "revisit_findings": "已整改", "rectification_needed": False})
    assert finished(svc, started.id)


def test_check_step_returns_the_plan_then_refuses_it(svc, clock):
    started = planned(svc, clock, check={"check_outcome": "退回修改", "in_quiet_period": False,
                                         "refusal_reason": "R2：检查事项不在检查事项清单内"})
    replan = only_task(svc, started.id, "Task_plan")
    assert task_data(svc, replan.id)["refusal_reason"].startswith("R2")
    complete(svc, clock, replan.id, PLAN)
    complete(svc, clock, only_task(svc, started.id, "Task_check").id,
             {"check_outcome": "不予检查", "in_quiet_period": False,
              "refusal_reason": "R15：本年度对该企业现场检查已达2次上限"})
    assert finished(svc, started.id)


def test_head_returns_the_plan(svc, clock):
    started = planned(svc, clock)
    complete(svc, clock, only_task(svc, started.id, "Task_head_approval").id,
             {"plan_approved": False, "plan_opinion": "与市场监管联合检查合并"})
    assert open_ids(svc, started.id) == {"Task_plan"}


def quiet_tasks(svc) -> list[str]:
    """Every task the quiet-period override procedure ever opened, in any instance."""
    with svc.sessions() as session:
        return list(session.scalars(select(TaskRecord.element_id).where(
            TaskRecord.process_key == "quiet_period_override")))


def test_a_complaint_inspection_in_the_quiet_period_goes_to_the_site_with_no_override_and_the_case_recorded(
        svc, clock):
    # 002(三): 投诉举报 is one of R12's special cases, so the quiet period does not hold it back at all.
    plan = {**PLAN, "inspection_date": "2026-10-23", "notice_exemption": "不适宜事先通知",
            "notice_exemption_reason": "投诉举报核查，事先通知将影响取证", "quiet_exemption": "投诉举报"}
    started = planned(svc, clock, plan, {**CHECK_PASSED, "in_quiet_period": True}, trigger="triggered",
                      trigger_reason="complaint_report")
    complete(svc, clock, only_task(svc, started.id, "Task_head_approval").id, APPROVED)

    assert open_ids(svc, started.id) == {"Task_onsite"} and quiet_tasks(svc) == []
    onsite = only_task(svc, started.id, "Task_onsite")
    data = task_data(svc, onsite.id)
    assert (data["needs_quiet_override"], data["quiet_period_case"]) == (False, "complaint_report")
    with svc.sessions() as session:  # the case is on the supervisors' record; no override was made
        (recorded,) = decisions(session, outcome="exempted")
        assert session.scalars(select(QuietPeriodOverride)).all() == []
        assert decisions(session, outcome="overridden") == []
    assert (recorded.rule, recorded.inspection_id, recorded.figures) == (
        "R12", data["inspection_id"], {"day": "2026-10-23", "case": "complaint_report"})
    assert "投诉举报" in recorded.message
    clock.set("2026-10-23T09:30:00+08:00")  # the site step accepts the visit: no R11 refusal
    complete(svc, clock, onsite.id, {**ONSITE, "started_at": "2026-10-23T09:30:00+08:00"})
    assert open_ids(svc, started.id) == {"Task_record"}


def test_a_quiet_period_case_non_onsite_inspection_and_a_missing_rating(svc, clock):
    plan = {**PLAN, "inspection_date": "2026-10-23", "inspection_method": "非现场检查",
            "notice_exemption": "依法不予公开", "quiet_exemption": "案件查处"}
    started = planned(svc, clock, plan)  # the rules place 10-23 in the quiet period without the office's flag
    complete(svc, clock, only_task(svc, started.id, "Task_head_approval").id, APPROVED)
    offsite = only_task(svc, started.id, "Task_offsite")
    assert task_data(svc, offsite.id)["notice_exempted"] is True and quiet_tasks(svc) == []
    complete(svc, clock, offsite.id, {"offsite_method": "书面核查", "done_date": "2026-10-09"})
    complete(svc, clock, only_task(svc, started.id, "Task_record").id, record(False, "2026-10-09"))
    # 5 working days after 10-09: 10-10 (make-up Saturday), 10-12 … 10-15.
    assert only_task(svc, started.id, "Task_rating").due_at == end_of("2026-10-15")
    assert sweep_at(svc, "2026-10-16T00:00:01") == ["Timer_rating_deadline"]
    assert finished(svc, started.id)


def test_an_inspection_outside_the_quiet_period_needs_neither_override_nor_case(svc, clock):
    # A special case claimed on the plan changes nothing outside the window: no override, nothing recorded.
    plan = {**PLAN, "inspection_date": "2026-10-19", "notice_exemption": "依法不予公开", "quiet_exemption": "投诉举报"}
    started = planned(svc, clock, plan)
    complete(svc, clock, only_task(svc, started.id, "Task_head_approval").id, APPROVED)
    onsite = only_task(svc, started.id, "Task_onsite")
    data = task_data(svc, onsite.id)
    assert (data["needs_quiet_override"], data["quiet_period_case"]) == (False, None)
    assert open_ids(svc, started.id) == {"Task_onsite"} and quiet_tasks(svc) == []
    assert "quiet_period_exempted" not in data
    with svc.sessions() as session:
        assert decisions(session, outcome="exempted") == decisions(session, outcome="overridden") == []


def test_refused_quiet_period_override_stops_the_inspection(svc, clock):
    started = planned(svc, clock, {**PLAN, "inspection_date": "2026-10-23", "notice_exemption": "依法不予公开"},
                      {**CHECK_PASSED, "in_quiet_period": True})
    complete(svc, clock, only_task(svc, started.id, "Task_head_approval").id, APPROVED)
    complete(svc, clock, only_task(svc, started.id, "Task_request_override").id,
             {"reason_detail": "本季度检查任务尚未完成"})
    complete(svc, clock, only_task(svc, started.id, "Task_principal_approval").id,
             {"override_approved": False, "override_approval_date": "2026-09-30",
              "override_opinion": "并非确需，安静期后再查"})
    assert finished(svc, started.id)
    with svc.sessions() as session:
        assert session.scalars(select(QuietPeriodOverride)).all() == []


URGENT = {**CASE, "urgent": True, "inspection_date": "2026-09-30", "urgent_type": "四不两直",
          "urgent_reason": "举报涉及食品安全"}


def test_urgent_inspection_is_approved_retroactively_then_recorded(svc, clock):
    deploy_all(svc, clock)
    inspection_id = inspection_record(svc, "2026-09-30")
    started = start(svc, clock, "inspection_lifecycle", {**URGENT, "inspection_id": inspection_id})
    approval = only_task(svc, started.id, "Task_retro_approval")
    assert approval.process_key == "code_retroactive" and approval.due_at == end_of("2026-10-08")
    complete(svc, clock, approval.id,
             {"retro_approved": True, "retro_approval_date": "2026-09-30", "retro_opinion": "同意"})
    record_task = only_task(svc, started.id, "Task_record")
    assert task_data(svc, record_task.id)["code_retroactive"] is True
    with svc.sessions() as session:  # the lifecycle's own record gets the code, marked 紧急检查后补办 (R7)
        code = session.scalar(select(BehaviorCode).where(BehaviorCode.inspection_id == inspection_id))
        assert code is not None and code.retroactive and not code.issued_late
    complete(svc, clock, record_task.id, record(False, "2026-09-30"))
    complete(svc, clock, only_task(svc, started.id, "Task_rating").id, {"rating": "基本满意"})
    assert finished(svc, started.id)


def test_urgent_inspection_without_approval_in_time_is_supervised_then_recorded(svc, clock):
    deploy_all(svc, clock)
    started = start(svc, clock, "inspection_lifecycle",
                    {**URGENT, "inspection_id": inspection_record(svc, "2026-09-30")})
    assert sweep_at(svc, "2026-10-09T00:00:01") == ["Timer_retro_deadline"]
    supervise = only_task(svc, started.id, "Task_supervise_no_code")
    assert supervise.candidate_group == "司法局" and supervise.agency == AGENCY
    clock.set("2026-10-09T09:00:00+08:00")
    complete(svc, clock, supervise.id, {"supervision_action": "通报批评", "supervision_opinion": "无码入企"})
    record_task = only_task(svc, started.id, "Task_record")
    assert task_data(svc, record_task.id)["no_code_entry"] is True


HEAD_REASON = "生产线仅在下旬运行，年度例行检查确需在此时进行"


def test_a_routine_inspection_in_the_quiet_period_is_approved_by_the_principal_head_and_filed_late(svc, clock):
    # 002(三): not an R12 case, genuinely necessary (确需): the principal head approves it with a stated reason,
    # filed with the county office within 3 WD of the approval; unfiled → the 司法局 supervises.
    started = planned(svc, clock, {**PLAN, "inspection_date": "2026-10-23", "notice_exemption": "依法不予公开"})
    complete(svc, clock, only_task(svc, started.id, "Task_head_approval").id, APPROVED)
    request = only_task(svc, started.id, "Task_request_override")
    assert request.process_key == "quiet_period_override" and request.candidate_group == "执法人员"
    assert task_data(svc, request.id)["needs_quiet_override"] is True
    complete(svc, clock, request.id, {"reason_detail": "企业生产线仅在下旬运行，须现场核查"})
    approval = only_task(svc, started.id, "Task_principal_approval")
    assert approval.candidate_group == "单位负责人"
    complete(svc, clock, approval.id, {"override_approved": True, "override_approval_date": "2026-09-30",
                                       "override_opinion": HEAD_REASON}, actor="head")
    # 10-08, 10-09 and the make-up Saturday 10-10: due at the end of the 3rd working day after the approval.
    assert only_task(svc, started.id, "Task_file_override").due_at == end_of("2026-10-10")
    with svc.sessions() as session:
        (override,) = session.scalars(select(QuietPeriodOverride)).all()
        (logged,) = decisions(session, outcome="overridden")
        assert decisions(session, outcome="exempted") == []
    assert override.filing_due_at == end_of("2026-10-10") and override.filed_at is None
    assert (override.reason_note, override.approved_by, override.exemption_reason) == (HEAD_REASON, "head",
                                                                                         "necessary")
    assert (logged.rule, logged.overridden_by, logged.override_reason) == ("R10", "head", HEAD_REASON)
    assert sweep_at(svc, "2026-10-10T23:59:59") == []
    assert sweep_at(svc, "2026-10-11T00:00:01") == ["Timer_filing_deadline"]
    supervise = only_task(svc, started.id, "Task_supervise_filing")
    assert supervise.process_key == "quiet_period_override" and supervise.candidate_group == "司法局"
    assert supervise.agency == AGENCY and task_data(svc, supervise.id)["filing_overdue"] is True
    clock.set("2026-10-12T09:00:00+08:00")
    complete(svc, clock, only_task(svc, started.id, "Task_file_override").id,
             {"filing_date": "2026-10-12", "filing_content": "补报备案"})
    complete(svc, clock, only_task(svc, started.id, "Task_register_filing").id,
             {"filing_no": "BA-2026-1012-01", "registered_date": "2026-10-12"})
    # The called process ends only when its escalation branch has ended too.
    assert open_ids(svc, started.id) == {"Task_supervise_filing"}
    complete(svc, clock, supervise.id, {"supervision_action": "约谈", "supervision_opinion": "逾期备案"})
    data = task_data(svc, only_task(svc, started.id, "Task_onsite").id)
    assert data["override_granted"] is True and data["filing_no"] == "BA-2026-1012-01"
    assert data["filing_overdue"] is True and data["supervision_action"] == "约谈"


def test_the_check_step_runs_the_rules_and_returns_a_plan_they_refuse(svc, clock):
    # 2026-10-12 leaves only three working days after today (Oct 8, 9 and the make-up Saturday 10): R8.
    plan = {**PLAN, "inspection_date": "2026-10-12"}
    started = planned(svc, clock, plan, CHECK_PASSED)  # the office says "通过", the rules say no
    replanned = only_task(svc, started.id, "Task_plan")
    refusals = task_data(svc, replanned.id)["policy_refusals"]
    assert [r["rule"] for r in refusals] == ["R8"] and refusals[0]["figures"]["available"] == 3


def test_a_day_moved_on_the_plan_form_moves_the_record_the_rules_judge(svc, clock):
    deploy_all(svc, clock)
    inspection_id = inspection_record(svc, "2026-10-16")
    started = start(svc, clock, "inspection_lifecycle", {**CASE, "inspection_id": inspection_id})
    complete(svc, clock, only_task(svc, started.id, "Task_plan").id, {**PLAN, "inspection_date": "2026-10-12"})
    complete(svc, clock, only_task(svc, started.id, "Task_check").id, CHECK_PASSED)
    refusals = task_data(svc, only_task(svc, started.id, "Task_plan").id)["policy_refusals"]
    assert [r["rule"] for r in refusals] == ["R8"]  # judged on Oct 12, not the record's Oct 16
    with svc.sessions() as session:
        moved = session.get(Inspection, inspection_id)
        assert (moved.planned_start, moved.planned_end) == (date(2026, 10, 12), date(2026, 10, 12))


def test_plan_inspection_creates_the_record_and_starts_its_lifecycle(svc, clock):
    deploy_all(svc, clock)
    with svc.transaction() as session:
        agency = make_agency(session)
        enterprise = make_enterprise(session, jurisdiction=agency.jurisdiction)
        items = make_item_list(session, agency=agency).items
        inspector = make_inspector(session, agency=agency)
        inspection, instance_id = plan_inspection(
            svc.runtime, session, clock, agency_code=agency.code, credit_code=enterprise.credit_code,
            item_codes=[items[0].code], inspector_ids=[inspector.id], planned_start=date(2026, 10, 19),
            planned_end=date(2026, 10, 19), actor="li")
        assert inspection.process_instance_id == instance_id and inspection.status == "planned"
        agency_code, inspection_id = agency.code, inspection.id
    plan_task = only_task(svc, instance_id, "Task_plan")
    assert plan_task.agency == agency_code and plan_task.business_key == f"inspection:{inspection_id}"


def test_the_steps_write_the_inspection_records_and_no_code_means_no_site_visit(svc, clock):
    started = planned(svc, clock)
    inspection_id = task_data(svc, only_task(svc, started.id, "Task_head_approval").id)["inspection_id"]
    complete(svc, clock, only_task(svc, started.id, "Task_head_approval").id, APPROVED, actor="head")
    notice = only_task(svc, started.id, "Task_give_notice")
    assert task_data(svc, notice.id)["behavior_code"]
    complete(svc, clock, notice.id, notice_of(svc, notice.id))
    with svc.sessions() as session:
        inspection = session.get(Inspection, inspection_id)
        (code,) = session.scalars(select(BehaviorCode).where(BehaviorCode.inspection_id == inspection_id)).all()
        (given,) = session.scalars(select(Notice).where(Notice.inspection_id == inspection_id)).all()
        # The record follows the procedure: approved, then noticed (issue 11 defect 6).
        assert (inspection.status, inspection.approved_by) == ("noticed", "head")
        assert (given.given_on.isoformat(), given.method) == ("2026-09-30", "platform")
        assert code.valid_to.astimezone(SHANGHAI).date().isoformat() == "2026-10-16"
    sweep_at(svc, "2026-10-14T00:00:01")

    # The code is revoked before the visit: the site visit cannot be recorded (R6), nothing is saved.
    with svc.transaction() as session:
        session.get(BehaviorCode, code.id).status = "revoked"
    clock.set("2026-10-16T09:30:00+08:00")
    onsite = only_task(svc, started.id, "Task_onsite")
    with pytest.raises(PolicyRefused, match="R6") as caught:
        complete(svc, clock, onsite.id, ONSITE)
    assert caught.value.details["refusals"][0]["rule"] == "R6"
    assert only_task(svc, started.id, "Task_onsite").id == onsite.id
