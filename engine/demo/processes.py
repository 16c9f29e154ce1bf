"""The demo's running work (issue 3 item 8): open tasks in every procedure, some of them overdue.

Started through the runtime exactly as users would start them, as of the clock's now; dates in the start
data are chosen relative to today so that some deadlines have already passed (their escalation tasks are
open in the 司法局 lane) and others are still running. Only runs when no instance exists yet.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.calendar import WorkingCalendar
from engine.demo.records import agency_item_lists
from engine.domain import behavior_code
from engine.domain.complaint_process import start_complaint_process
from engine.domain.enterprise_side import file_complaint
from engine.domain.inspection_process import plan_inspection
from engine.domain.policy import default_policy
from engine.models import Agency, Enterprise, Inspection, Inspector, Penalty, ProcessInstance
from engine.platform.clock import SHANGHAI, Clock
from engine.runtime import Runtime, instances


def working_days_before(calendar: WorkingCalendar, day: date, n: int) -> date:
    """The n-th working day before `day` (for demo dates only; deadlines count forward in engine.calendar)."""
    found = 0
    while found < n:
        day -= timedelta(days=1)
        found += calendar.is_working_day(day)
    return day


def start_demo_work(runtime: Runtime, session: Session, clock: Clock) -> list[int]:
    if session.scalar(select(func.count()).select_from(ProcessInstance)):
        return []
    calendar = runtime.refresh_calendar(session, force=True)
    today = clock.now().astimezone(SHANGHAI).date()
    agencies = {a.code: a for a in session.scalars(select(Agency))}
    enterprises = list(session.scalars(select(Enterprise).order_by(Enterprise.id).limit(12)))
    if not agencies or not enterprises:
        return []

    def start(process_key: str, agency: str, enterprise: Enterprise, **data) -> int:
        started = instances.start_instance(runtime, session, clock, process_key=process_key, actor="load-demo",
                                           data={"agency": agency, "enterprise": enterprise.credit_code, **data},
                                           business_key=f"enterprise:{enterprise.credit_code}")
        return started.id

    ahead_day = calendar.add_working_days(today, 8)
    ahead = ahead_day.isoformat()
    started = [
        # Planned inspections waiting for their plan to be written up and checked.
        _planned(runtime, session, clock, agencies["SCJG"], enterprises[0], calendar.add_working_days(today, 8),
                 with_assistant=True),
        _planned(runtime, session, clock, agencies["XFJY"], enterprises[1], calendar.add_working_days(today, 12)),
        # An urgent inspection yesterday: the head has until the end of the next working day to approve it.
        start("code_retroactive", "SCJG", enterprises[2],
              inspection_date=working_days_before(calendar, today, 1).isoformat(), urgent_type="四不两直",
              urgent_reason="群众举报食品安全隐患，需立即核查"),
        # One from last week nobody approved: 无码入企, already escalated to the justice bureau.
        start("code_retroactive", "YJGL", enterprises[3],
              inspection_date=working_days_before(calendar, today, 6).isoformat(), urgent_type="暗查暗访",
              urgent_reason="危险化学品储存隐患线索"),
        # An approved visit holding a live 行政行为码 (enterprises can verify it), whose notice is still to give.
        start("advance_notice", "SCJG", enterprises[4], inspection_date=ahead, notice_exemption="无",
              notice_exemption_reason="",
              inspection_id=_approved(session, clock, calendar, agencies["SCJG"], enterprises[4], ahead_day,
                                      with_assistant=True)),
        start("quiet_period_override", "SCJG", enterprises[5], inspection_date=ahead,
              inspection_id=_approved(session, clock, calendar, agencies["SCJG"], enterprises[5], ahead_day)),
        # A penalty three weeks ago whose revisit is overdue, and a recent one.
        start("penalty_revisit", "SCJG", enterprises[6], penalty_decision_no="示市监罚〔2026〕56号",
              penalty_date=working_days_before(calendar, today, 15).isoformat(),
              **_penalised(session, clock, agencies["SCJG"], enterprises[6], "示市监罚〔2026〕56号",
                           working_days_before(calendar, today, 15))),
        start("penalty_revisit", "STHJ", enterprises[7], penalty_decision_no="示环罚〔2026〕12号",
              penalty_date=working_days_before(calendar, today, 2).isoformat(),
              **_penalised(session, clock, agencies["STHJ"], enterprises[7], "示环罚〔2026〕12号",
                           working_days_before(calendar, today, 2))),
    ]
    policy = default_policy()
    complaints = [
        ("no_code_entry", "两名自称执法人员的人到店检查，未出示行政行为码", None,
         working_days_before(calendar, today, 3)),
        ("misconduct", "检查人员要求法定代表人必须到场，并暗示需请其吃饭", None, today),
    ]
    for kind, content, code_text, received_on in complaints:
        complaint = file_complaint(session, kind=kind, content=content, contact="13900000000", code_text=code_text,
                                   now=datetime.combine(received_on, time(9, 30), SHANGHAI),
                                   calendar=calendar, policy=policy, enterprise_id=enterprises[8].id).complaint
        started.append(start_complaint_process(runtime, session, clock, complaint, actor="load-demo"))
    return started


def _approved(session: Session, clock: Clock, calendar: WorkingCalendar, agency: Agency, enterprise: Enterprise,
              day: date, *, with_assistant: bool = False) -> int:
    """An inspection the head approved today, coded until the end of its visit day (R6); the code's verification
    lists its assistant when it has one."""
    now = clock.now()
    items = [item for item_list in agency_item_lists(session, agency) for item in item_list.items][:2]
    inspectors = [p for p in agency.inspectors if p.kind == "enforcement_officer" and p.valid_to
                  and p.valid_to >= day][:2]
    inspection = Inspection(agency=agency, enterprise=enterprise, trigger="routine", mode="onsite",
                            planned_start=day, planned_end=day, status="approved", approved_by="局长", approved_at=now,
                            created_by="load-demo", created_at=now, inspectors=inspectors, items=items,
                            assistants=_assistant(agency, with_assistant))
    session.add(inspection)
    session.flush()
    behavior_code.issue_code(session, inspection=inspection, approved_by="局长", now=now, calendar=calendar)
    return inspection.id


def _penalised(session: Session, clock: Clock, agency: Agency, enterprise: Enterprise, number: str,
               decided_on: date) -> dict[str, int]:
    """The inspection a penalty was decided on and the penalty (R25), so the revisit's steps write its records
    (engine.domain.penalty_records): `inspection_id` and `penalty_id` for the revisit's start data."""
    visited = datetime.combine(decided_on - timedelta(days=7), time(9, 30), SHANGHAI)
    inspection = Inspection(agency=agency, enterprise=enterprise, trigger="routine", mode="onsite",
                            planned_start=visited.date(), planned_end=visited.date(), actual_start=visited,
                            actual_end=visited + timedelta(hours=2), status="closed", approved_by="局长",
                            approved_at=visited - timedelta(days=10), created_by="load-demo", created_at=clock.now())
    penalty = Penalty(inspection=inspection, decision_number=number, decided_on=decided_on,
                      summary="检查发现安全隐患未整改，给予警告并责令整改", status="open")
    session.add_all([inspection, penalty])
    session.flush()
    return {"inspection_id": inspection.id, "penalty_id": penalty.id}


def _assistant(agency: Agency, wanted: bool) -> list[Inspector]:
    """One of the agency's 辅助人员 named in advance to accompany the inspectors, so the pages show one."""
    return [p for p in agency.inspectors if p.kind == "auxiliary"][:1] if wanted else []


def _planned(runtime: Runtime, session: Session, clock: Clock, agency: Agency, enterprise: Enterprise,
             day: date, *, with_assistant: bool = False) -> int:
    items = [item for item_list in agency_item_lists(session, agency) for item in item_list.items][:2]
    inspectors = [p for p in agency.inspectors if p.kind == "enforcement_officer"][:2]
    assistants = _assistant(agency, with_assistant)
    _inspection, instance_id = plan_inspection(
        runtime, session, clock, agency_code=agency.code, credit_code=enterprise.credit_code,
        item_codes=[item.code for item in items], inspector_ids=[p.id for p in inspectors], planned_start=day,
        planned_end=day, actor="load-demo", assistant_ids=[p.id for p in assistants])
    return instance_id
