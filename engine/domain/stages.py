"""The engine steps the shipped diagrams declare, for the instance's inspection (`inspection_id` in its
data; processes/bpmn/README.md says which task declares which):

- checks `plan` and `before_site`: engine.domain.inspection_checks, every refusal logged for the
  supervisors' view (in the step's own transaction), the plan stage also moving the record to `planned` and
  raising the R21 alerts when the plan goes on, or to `refused` (no alert) when it is returned or refused;
- actions `record_approval` (R6, the head approved the plan), `issue_code` (the 行政行为码), `record_notice`
  (R8, the notice given or its exemption), `record_quiet_case` (R12, a quiet-period inspection going ahead
  on one of the special cases, no override), `record_override` (R11, the principal head's approval of any
  other quiet-period inspection, with its stated reason and filing deadline);
- the record following the procedure (issue 11 defect 6): `record_reschedule`, `record_visit`,
  `record_inspected`, `close_inspection`, `withdraw_inspection` (engine.domain.inspection_records) and the
  penalty and its revisit rounds (engine.domain.penalty_records, R25), the quiet-period override's filing
  (engine.domain.override_records, R11).

The R7 path (code_retroactive) has two steps of its own, for the urgent inspection's record (created from the
start data when the procedure was started without one): `issue_retroactive_code` (the head's late approval and
the code marked 紧急检查后补办) and `record_no_code_entry` (无码入企: the violation logged, the supervisors'
alert raised, and `escalated_on`, the day the 督办 task's own deadline counts from).

Diagram forms speak Chinese; the records keep the vocabulary's codes: `code_for` accepts either.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time

from sqlalchemy import select

from engine.domain import behavior_code
from engine.domain.decisions import log_refusal
from engine.domain.errors import Refused
from engine.domain.inspection_checks import STAGES, check_inspection, policy_for
from engine.domain.inspection_records import (
    claimed_exemption,
    close_inspection,
    code_for,
    follow_plan_check,
    follow_planned_day,
    quiet_route,
    record_inspected,
    record_noticed,
    record_refused_plan,
    record_reschedule,
    record_visit,
    withdraw_inspection,
)
from engine.domain.override_records import OVERRIDE_STEPS
from engine.domain.penalty_records import PENALTY_STEPS
from engine.models import Agency, Enterprise, Inspection, Notice, QuietPeriodOverride
from engine.models.vocabulary import NOTICE_EXEMPTIONS, QUIET_PERIOD_EXEMPTIONS, URGENT_REASONS
from engine.platform import alerts
from engine.platform.clock import SHANGHAI
from engine.runtime.stages import StageCheck, StageContext, StageFindings


def _inspection(context: StageContext) -> Inspection | Refused:
    inspection_id = context.data.get("inspection_id")
    inspection = context.step.session.get(Inspection, inspection_id) if isinstance(inspection_id, int) else None
    if inspection is None:
        return Refused("R5", "流程没有关联有效的检查记录（inspection_id），无法核验检查条件",
                       {"inspection_id": inspection_id})
    # The record must be the instance's own agency's (its `agency` is bound at start, engine.commands.tasks):
    # a step never writes approvals, codes or notices to another agency's inspection (issue 10 defect 1).
    if inspection.agency.code != context.data.get("agency"):
        return Refused("R6", "检查记录不属于本流程的执法单位，不能在此流程中审批、赋码或告知",
                       {"inspection_id": inspection.id, "agency": context.data.get("agency")})
    return inspection


def refusal_document(refusal: Refused) -> dict:
    return {"rule": refusal.rule, "message": refusal.message, "figures": refusal.figures}


def inspection_stage(stage: str) -> StageCheck:
    def run(context: StageContext) -> StageFindings:
        step = context.step
        inspection = _inspection(context)
        if isinstance(inspection, Refused):
            return StageFindings([refusal_document(inspection)])
        if stage == "plan":
            follow_planned_day(inspection, context.data.get("inspection_date"))
        exemption = claimed_exemption(context.data)
        outcome = check_inspection(step.session, inspection, stage=stage, calendar=step.calendar, now=step.now,
                                   exemption=exemption)
        for refusal in outcome.refusals:
            log_refusal(step.session, refusal, action=f"inspection.{stage}", actor=step.actor, now=step.now,
                        inspection=inspection)
        if stage == "plan":  # refused or returned: `refused`, and no R21 alert for a visit that never happens
            goes_ahead = not outcome.refusals and context.data.get("check_outcome") in (None, "通过")
            follow_plan_check(step.session, inspection, goes_ahead=goes_ahead, actor=step.actor, now=step.now)
        needs_override, case = quiet_route(context.data, outcome.quiet_period_override, outcome.quiet_period_case,
                                           exemption)
        facts = {"needs_quiet_override": needs_override, "quiet_period_case": case,
                 "credit_class": outcome.credit_class}
        returned = _returned(context.data, outcome.refusals) if stage == "plan" and outcome.refusals else {}
        return StageFindings(refusals=[refusal_document(r) for r in outcome.refusals], data=facts, recorded=returned)

    return run


def _returned(data, refusals: list[Refused]) -> dict:
    """The county office's 通过 goes on only when every rule passes (the diagram's gateway): a plan a rule refused
    is returned (退回修改), and the trail records it so, with the rules' words as the reason when the office gave
    none (issue 11: a rule refusal is never silent). The task data keeps what the office chose, so the check's
    next round does not open with a stale 退回修改."""
    if data.get("check_outcome") != "通过":
        return {}
    words = "；".join(f"{r.rule}：{r.message}" for r in refusals)
    return {"check_outcome": "退回修改", "refusal_reason": data.get("refusal_reason") or words}


def inspection_action(act: Callable[[StageContext, Inspection], dict],
                      find: Callable[[StageContext], Inspection | Refused] = _inspection) -> StageCheck:
    """A stage that writes records for the instance's inspection; a rule's refusal is logged and reported."""
    def run(context: StageContext) -> StageFindings:
        inspection = find(context)
        if isinstance(inspection, Refused):
            return StageFindings([refusal_document(inspection)])
        try:
            return StageFindings(data=act(context, inspection))
        except Refused as refusal:
            log_refusal(context.step.session, refusal, action=f"inspection.{context.stage}",
                        actor=context.step.actor, now=context.step.now, inspection=inspection)
            return StageFindings([refusal_document(refusal)])

    return run


def record_approval(context: StageContext, inspection: Inspection) -> dict:
    """R6: the head's approval, on the instance's own inspection record (for a joint inspection's member, its own
    agency's record: every member's approval is kept)."""
    if context.data.get("plan_approved") is True:
        behavior_code.record_approval(inspection, approved_by=context.step.actor, now=context.step.now)
        inspection.status = "approved"
    elif context.data.get("plan_approved") is False:
        record_refused_plan(context, inspection)
    return {}


def issue_code(context: StageContext, inspection: Inspection) -> dict:
    """The 行政行为码 the approved inspection enters with; a joint inspection's member gets the group's one code
    (the first member approval issues it, later ones share it)."""
    step = context.step
    code = behavior_code.code_for_approved(step.session, inspection=inspection, now=step.now, calendar=step.calendar,
                                           policy=policy_for(inspection))
    return {"behavior_code": code.code, "code_valid_to": code.valid_to.isoformat(),
            "joint_group_id": code.joint_group_id}


def record_notice(context: StageContext, inspection: Inspection) -> dict:
    data, step = context.data, context.step
    exemption = code_for(NOTICE_EXEMPTIONS, data.get("notice_exemption"))
    given_on = data.get("notice_date")
    # A joint visit's notice covers the group (one visit, one notice, R18); a record covers one or the other.
    joint = inspection.joint_group_id
    notice = Notice(
        inspection_id=None if joint else inspection.id, joint_group_id=joint,
        given_on=date.fromisoformat(given_on) if isinstance(given_on, str) and not exemption else None,
        method=NOTICE_METHOD_LABELS.get(str(data.get("method")), None) if not exemption else None,
        content={"items": data.get("notice_items"), "inspectors": data.get("notice_inspectors"),
                 "time": data.get("inspection_date")},
        exemption_reason=exemption, exemption_note=data.get("notice_exemption_reason") or None,
        recorded_by=step.actor, recorded_at=step.now)
    if notice.given_on is None and notice.exemption_reason is None:
        raise Refused("R8", "预告既没有送达日期，也没有记录免予预告的理由", {})
    step.session.add(notice)
    record_noticed(inspection)
    step.session.flush()
    return {"notice_id": notice.id}


def record_quiet_case(context: StageContext, inspection: Inspection) -> dict:
    """R12: the inspection enters the quiet period on one of the special cases, with no override; the case is
    on the supervisors' record (outcome "exempted") so an exemption claimed is always seen."""
    step = context.step
    case = code_for(QUIET_PERIOD_EXEMPTIONS, context.data.get("quiet_period_case"))
    if case is None:
        raise Refused("R12", f"「{context.data.get('quiet_period_case')}」不是安静期的特殊情形",
                      {"case": context.data.get("quiet_period_case")})
    decision = log_refusal(
        step.session, Refused("R12", f"企业安静期内入企，属特殊情形「{QUIET_PERIOD_EXEMPTIONS[case]}」，无需审批备案",
                              {"day": _iso(inspection.planned_start), "case": case}),
        action="inspection.quiet_period_case", actor=step.actor, now=step.now, inspection=inspection,
        outcome="exempted")
    return {"quiet_period_case_decision": decision.id}


# QuietPeriodOverride.exemption_reason of an override: its ground is that the inspection is genuinely necessary
# (确需, R11) — never an R12 case, which needs no override at all.
OVERRIDE_GROUND = "necessary"


def record_override(context: StageContext, inspection: Inspection) -> dict:
    """R11: the principal head approved an inspection inside the quiet period with a stated reason (the
    override's form requires it); filing with the county office is due within the policy's working days."""
    data, step = context.data, context.step
    if data.get("override_approved") is not True:
        return {}
    stated = str(data.get("override_opinion") or "").strip()
    if not stated:
        raise Refused("R11", "主要负责人批准安静期内检查，须写明确需检查的理由", {})
    approved_on = data.get("override_approval_date")
    day = date.fromisoformat(approved_on) if isinstance(approved_on, str) else step.now.astimezone(SHANGHAI).date()
    override = QuietPeriodOverride(
        inspection_id=inspection.id, exemption_reason=OVERRIDE_GROUND, reason_note=stated,
        approved_by=step.actor, approved_at=step.now,
        filing_due_at=step.calendar.period_end(day, policy_for(inspection).deadlines.quiet_override_filing))
    step.session.add(override)
    step.session.flush()
    # Every override is on the supervisors' record beside the refusals (issue 3 item 3).
    due = override.filing_due_at.astimezone(SHANGHAI).date().isoformat()
    message = f"企业安静期内入企：经主要负责人批准，须于 {due} 前向县综合执法办备案（R11）"
    log_refusal(step.session, Refused("R10", message, {"day": _iso(inspection.planned_start),
                                                      "request": data.get("reason_detail"),
                                                      "filing_due_at": override.filing_due_at.isoformat()}),
                action="inspection.quiet_period_override", actor=step.actor, now=step.now, inspection=inspection,
                outcome="overridden", overridden_by=step.actor, override_reason=stated)
    return {"override_id": override.id, "filing_due_at": override.filing_due_at.isoformat()}


def _urgent_inspection(context: StageContext) -> Inspection | Refused:
    """The record of the urgent inspection the R7 path is about, marked as urgent: the instance's own
    (`inspection_id`, e.g. the lifecycle's), or — for a procedure started on its own (紧急检查已实施) — one
    recorded from the start data at its first step, whose id then stays in the instance's data."""
    data, step = context.data, context.step
    try:
        day = date.fromisoformat(str(data.get("inspection_date")))
    except ValueError:
        return Refused("R7", "紧急检查没有有效的检查日期（inspection_date），无法计算补办期限",
                       {"inspection_date": data.get("inspection_date")})
    if data.get("inspection_id") is not None:
        inspection = _inspection(context)
        if isinstance(inspection, Refused):
            return inspection
    else:
        agency = step.session.scalar(select(Agency).where(Agency.code == str(data.get("agency"))))
        enterprise = step.session.scalar(select(Enterprise).where(
            Enterprise.credit_code == str(data.get("enterprise"))))
        if agency is None or enterprise is None:
            return Refused("R7", "紧急检查的执法单位或企业不在系统中，无法登记检查记录",
                           {"agency": data.get("agency"), "enterprise": data.get("enterprise")})
        # Not a routine visit: an urgent inspection counts against no R15/R17 cap.
        inspection = Inspection(agency=agency, enterprise=enterprise, trigger="triggered", mode="onsite",
                                planned_start=day, planned_end=day, status="completed",
                                purpose=data.get("urgent_reason") or None, process_instance_id=step.instance_id,
                                created_by=step.actor, created_at=step.now)
        step.session.add(inspection)
    inspection.retroactive = True
    # The urgent visit has taken place (R7 is about approving it afterwards).
    inspection.status = "in_progress" if inspection.status in ("planned", "approved") else inspection.status
    inspection.urgent_reason = inspection.urgent_reason or code_for(URGENT_REASONS, data.get("urgent_type"))
    if inspection.actual_start is None:  # the day is known, the hour is not: R7 counts from the day
        inspection.actual_start = datetime.combine(day, time(), SHANGHAI)
    step.session.flush()
    return inspection


def issue_retroactive_code(context: StageContext, inspection: Inspection) -> dict:
    """R7: the head's late approval and the code marked 紧急检查后补办, in the approval's transaction (issued after
    the deadline, behavior_code flags it late and logs the violation itself)."""
    step = context.step
    behavior_code.record_approval(inspection, approved_by=step.actor, now=step.now)
    code = behavior_code.issue_code(step.session, inspection=inspection, approved_by=step.actor, now=step.now,
                                    calendar=step.calendar, policy=policy_for(inspection), retroactive=True)
    return {"inspection_id": inspection.id, "behavior_code": code.code,
            "code_valid_to": code.valid_to.isoformat(), "code_issued_late": code.issued_late}


NO_CODE_ENTRY_ALERT = "no_code_entry"


def record_no_code_entry(context: StageContext) -> StageFindings:
    """R7/R22 无码入企: the urgent inspection was not approved and coded in time (or its approval was refused).
    The violation goes to the decision log, the alert to the supervisors of the inspecting agency's
    jurisdiction; `escalated_on` is set whatever happens, since the 督办 task's deadline counts from it."""
    step = context.step
    facts: dict = {"escalated_on": step.now.astimezone(SHANGHAI).date().isoformat()}
    inspection = _urgent_inspection(context)
    if isinstance(inspection, Refused):
        log_refusal(step.session, inspection, action="inspection.no_code_entry", actor=step.actor, now=step.now)
        return StageFindings([refusal_document(inspection)], facts)
    policy = policy_for(inspection)
    deadline = behavior_code.retroactive_deadline(inspection, step.calendar, policy)
    if context.data.get("retro_approved") is False:
        breach = "紧急检查未获补办审批"
    else:
        breach = f"紧急检查未在检查后{policy.deadlines.retroactive_approval}个工作日内补办审批和赋码"
    day = inspection.actual_start.astimezone(SHANGHAI).date().isoformat()  # type: ignore[union-attr]
    figures = {"inspection_id": inspection.id, "inspection_date": day, "deadline": deadline.isoformat()}
    log_refusal(step.session, Refused("R7", f"无码入企：{breach}", figures), action="inspection.no_code_entry",
                actor=step.actor, now=step.now, inspection=inspection, outcome="violation")
    alert = alerts.raise_alert(
        step.session, kind=NO_CODE_ENTRY_ALERT, subject=f"inspection:{inspection.id}",
        message=f"无码入企预警：{inspection.agency.name} 于 {day} 对 {inspection.enterprise.name} 的紧急检查，"
                f"{breach}（R7），已交司法局督办",
        details={**figures, "agency_id": inspection.agency_id, "enterprise_id": inspection.enterprise_id,
                 "instance_id": step.instance_id, "rule": "R7"},
        now=step.now)
    return StageFindings(data={**facts, "inspection_id": inspection.id, "alert_id": alert.id})


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


# The notice form's choices, as the records' vocabulary (engine.models.vocabulary.NOTICE_METHODS).
NOTICE_METHOD_LABELS = {"书面": "letter", "电话": "phone", "短信": "sms", "政务服务平台": "platform",
                        "当面": "in_person"}

INSPECTION_STAGES: dict[str, StageCheck] = {
    **{stage: inspection_stage(stage) for stage in STAGES},
    "record_approval": inspection_action(record_approval),
    "issue_code": inspection_action(issue_code),
    "record_notice": inspection_action(record_notice),
    "issue_retroactive_code": inspection_action(issue_retroactive_code, find=_urgent_inspection),
    "record_no_code_entry": record_no_code_entry,
    "record_quiet_case": inspection_action(record_quiet_case),
    "record_override": inspection_action(record_override),
    # The record follows the procedure (engine.domain.inspection_records, penalty_records).
    "record_reschedule": inspection_action(record_reschedule),
    "record_visit": inspection_action(record_visit),
    "record_inspected": inspection_action(record_inspected),
    "close_inspection": inspection_action(close_inspection),
    "withdraw_inspection": inspection_action(withdraw_inspection),
    **{stage: inspection_action(act) for stage, act in {**PENALTY_STEPS, **OVERRIDE_STEPS}.items()},
}
