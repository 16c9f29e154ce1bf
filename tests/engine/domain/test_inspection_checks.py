"""The inspection policy checks, each rule refusing with its R-number and figures (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from engine.calendar import WorkingCalendar
from engine.domain.inspection_checks import check_inspection, credit_class_in
from engine.domain.policy import kaifeng_style
from engine.models import Notice, QuietPeriodOverride
from engine.platform.clock import SHANGHAI
from tests.factories import (
    NOW,
    make_agency,
    make_code,
    make_enterprise,
    make_inspection,
    make_inspector,
    make_item_list,
    make_plan,
    set_credit_class,
)

CALENDAR = WorkingCalendar()
CLEAN_DAY = date(2026, 10, 19)  # a Monday, 8 working days after 2026-09-30 across National Day, before the 21st


def check(session, inspection, stage="plan", now=NOW, **kwargs):
    return check_inspection(session, inspection, stage=stage, calendar=CALENDAR, now=now, **kwargs)


def rules(outcome) -> list[str]:
    return [refusal.rule for refusal in outcome.refusals]


def c_class_inspection(session, **kwargs):
    agency = kwargs.pop("agency", None) or make_agency(session)
    enterprise = kwargs.pop("enterprise", None) or make_enterprise(session, jurisdiction=agency.jurisdiction)
    credit_class = kwargs.pop("credit_class", "C")
    if credit_class_in(session, enterprise.id, 2026) is None:
        set_credit_class(session, enterprise, credit_class)
    kwargs.setdefault("planned_start", CLEAN_DAY)
    kwargs.setdefault("planned_end", kwargs["planned_start"])
    return make_inspection(session, agency=agency, enterprise=enterprise, **kwargs)


def test_a_clean_plan_passes(session):
    outcome = check(session, c_class_inspection(session))
    assert outcome.refusals == [] and outcome.credit_class == "C" and not outcome.quiet_period_override


def test_r1_unconfirmed_agency_and_unqualified_inspectors(session):
    agency = make_agency(session, confirmed=False)
    inspectors = [make_inspector(session, agency=agency, kind="auxiliary", certificate_number=None),
                  make_inspector(session, agency=agency, valid_to=date(2026, 10, 1)),
                  make_inspector(session, agency=agency, status="revoked")]
    outcome = check(session, c_class_inspection(session, agency=agency, inspectors=inspectors))
    assert rules(outcome) == ["R1", "R1", "R1", "R1"]
    messages = [r.message for r in outcome.refusals]
    assert "不是经确认的行政执法主体" in messages[0] and "辅助人员不得从事行政检查" in messages[1]
    expired = outcome.refusals[2].figures
    assert expired["status"] == "expired" and expired["valid_to"] == "2026-10-01"
    assert outcome.refusals[3].figures["status"] == "revoked"


def test_r1_assistants_named_in_advance_are_not_refused_but_never_inspect_alone(session):
    agency = make_agency(session)
    officer = make_inspector(session, agency=agency)
    helper = make_inspector(session, agency=agency, name="钱辅助", kind="auxiliary", certificate_number=None)
    assisted = check(session, c_class_inspection(session, agency=agency, inspectors=[officer], assistants=[helper]))
    assert assisted.refusals == []
    alone = check(session, c_class_inspection(session, agency=agency, inspectors=[], assistants=[helper]))
    assert [r.message for r in alone.refusals] == ["未指定检查人员"]
    both = check(session, c_class_inspection(session, agency=agency, inspectors=[officer], assistants=[officer]))
    assert [r.rule for r in both.refusals] == ["R1"] and "不能既是检查人员又是辅助人员" in both.refusals[0].message


def test_r2_items_must_be_on_the_agencys_published_list(session):
    agency = make_agency(session)
    other_list = make_item_list(session, agency=make_agency(session))
    draft_list = make_item_list(session, agency=agency, version=7, published_on=None)
    outcome = check(session, c_class_inspection(session, agency=agency,
                                                items=[other_list.items[0], draft_list.items[0]]))
    assert rules(outcome) == ["R2", "R2"]
    assert outcome.refusals[1].figures == {"item": draft_list.items[0].code, "list_version": 7, "published_on": None,
                                           "withdrawn_on": None}
    assert rules(check(session, c_class_inspection(session, items=[]))) == ["R2"]


def test_r4_special_inspection_needs_its_approvals_and_fits_the_quota(session):
    agency = make_agency(session, special_quota=1)
    unreviewed = make_plan(session, agency=agency, kind="special")
    outcome = check(session, c_class_inspection(session, agency=agency, plan=unreviewed))
    assert rules(outcome) == ["R4"] and outcome.refusals[0].figures["missing"] == ["法制审核", "集体讨论"]

    second = make_plan(session, agency=agency, kind="special")
    for plan in (unreviewed, second):
        plan.legal_review_at = plan.collective_discussion_at = NOW
    outcome = check(session, c_class_inspection(session, agency=agency, plan=second))
    assert rules(outcome) == ["R4"]
    assert outcome.refusals[0].figures == {"year": 2026, "approved_special_plans": 2, "quota": 1}


@pytest.mark.parametrize("credit_class, cap, rule", [("C", 2, "R15"), ("B", 1, "R17"), ("A", 0, "R17")])
def test_frequency_cap_by_credit_class(session, credit_class, cap, rule):
    agency = make_agency(session)
    enterprise = make_enterprise(session, jurisdiction=agency.jurisdiction)
    for day in (date(2026, 3, 9), date(2026, 6, 8))[:cap]:
        make_inspection(session, agency=agency, enterprise=enterprise, planned_start=day)
    day = date(2026, 10, 13) if credit_class == "B" else CLEAN_DAY  # B-class quiet period starts on the 16th
    outcome = check(session, c_class_inspection(session, agency=agency, enterprise=enterprise,
                                                credit_class=credit_class, planned_start=day),
                    now=datetime(2026, 9, 25, 10, tzinfo=SHANGHAI))
    assert rules(outcome) == [rule]
    assert outcome.refusals[0].figures == {"year": 2026, "credit_class": credit_class, "cap": cap, "done": cap}


def test_triggered_and_non_onsite_inspections_are_not_capped(session):
    agency = make_agency(session)
    enterprise = make_enterprise(session, jurisdiction=agency.jurisdiction)
    for day in (date(2026, 3, 9), date(2026, 6, 8)):
        make_inspection(session, agency=agency, enterprise=enterprise, planned_start=day)
    triggered = c_class_inspection(session, agency=agency, enterprise=enterprise, trigger="triggered",
                                   trigger_reason="complaint_report")
    non_onsite = c_class_inspection(session, agency=agency, enterprise=make_enterprise(session), mode="non_onsite")
    assert check(session, triggered).refusals == [] and check(session, non_onsite).refusals == []
    # Another agency's visits do not count against this agency's cap (000 §8: 同一行政执法主体).
    assert check(session, c_class_inspection(session, enterprise=enterprise)).refusals == []


def test_r10_r12_a_quiet_period_day_goes_ahead_on_a_special_case_and_otherwise_through_the_override(session):
    late = c_class_inspection(session, planned_start=date(2026, 10, 22))
    outcome = check(session, late)
    assert outcome.refusals == [] and outcome.quiet_period_override  # planned only via the override (R11)
    assert outcome.quiet_period_case is None
    # One of R12's special cases: no override, the case is returned for the record.
    with_case = check(session, late, exemption="complaint_report")
    assert with_case.refusals == [] and not with_case.quiet_period_override
    assert with_case.quiet_period_case == "complaint_report"
    # A reason outside R12 is what the override is for: never refused for that.
    other = check(session, late, exemption="not_on_the_list")
    assert other.refusals == [] and other.quiet_period_override and other.quiet_period_case is None
    assert check(session, c_class_inspection(session, planned_start=CLEAN_DAY),
                 exemption="complaint_report").quiet_period_case is None  # outside the window there is no case
    # B-class enterprises have a longer quiet period, from the 16th.
    b_class = c_class_inspection(session, credit_class="B", planned_start=CLEAN_DAY)
    assert check(session, b_class).quiet_period_override
    assert not check(session, c_class_inspection(session, planned_start=CLEAN_DAY)).quiet_period_override


def test_r11_no_site_visit_in_the_quiet_period_without_the_approved_override(session):
    late = c_class_inspection(session, planned_start=date(2026, 10, 22), approved_by="局长")
    make_code(session, inspection=late)
    session.add(Notice(inspection_id=late.id, given_on=date(2026, 10, 12), method="platform", content={},
                       recorded_by="staff", recorded_at=NOW))
    session.flush()
    on_the_day = datetime(2026, 10, 22, 9, tzinfo=SHANGHAI)
    assert rules(check(session, late, stage="before_site", now=on_the_day)) == ["R11"]
    # An R12 special case goes ahead with no override (002(三)).
    assert check(session, late, stage="before_site", now=on_the_day, exemption="case_investigation").refusals == []
    session.add(QuietPeriodOverride(inspection_id=late.id, exemption_reason="complaint_report", approved_by="局长",
                                    approved_at=NOW, filing_due_at=NOW))
    session.flush()
    assert check(session, late, stage="before_site", now=on_the_day).refusals == []


def test_r14_kaifeng_concentrates_routine_inspections_in_the_last_third(session):
    policy = kaifeng_style()
    early = c_class_inspection(session, planned_start=CLEAN_DAY)
    assert rules(check(session, early, policy=policy)) == ["R14"]
    assert check(session, early, policy=policy, exemption="case_investigation").refusals == []
    assert check(session, c_class_inspection(session, planned_start=date(2026, 10, 22)), policy=policy).refusals == []
    state_owned = make_enterprise(session, sector_tags=["state_owned"])
    set_credit_class(session, state_owned, "C")
    assert check(session, make_inspection(session, enterprise=state_owned, planned_start=CLEAN_DAY),
                 policy=policy).refusals == []


def test_r8_a_date_too_close_for_five_working_days_of_notice(session):
    soon = c_class_inspection(session, planned_start=date(2026, 10, 12))  # only Oct 8, 9 and 10 (make-up) between
    outcome = check(session, soon)
    assert rules(outcome) == ["R8"]
    assert outcome.refusals[0].figures == {"day": "2026-10-12", "today": "2026-09-30", "needed": 5, "available": 3,
                                           "provisional": False}
    assert check(session, soon, exemption="unsuitable_for_prior_notice").refusals == []


def test_before_site_needs_a_live_code_and_the_notice_given_in_time(session):
    inspection = c_class_inspection(session, approved_by="局长")
    on_the_day = datetime(2026, 10, 19, 9, tzinfo=SHANGHAI)
    assert rules(check(session, inspection, stage="before_site", now=on_the_day)) == ["R6", "R8"]

    make_code(session, inspection=inspection)
    session.add(Notice(inspection_id=inspection.id, given_on=date(2026, 10, 12), method="platform",
                       content={}, recorded_by="staff", recorded_at=NOW))
    session.flush()
    late = check(session, inspection, stage="before_site", now=on_the_day)
    assert rules(late) == ["R8"] and late.refusals[0].figures["between"] == 4

    session.add(Notice(inspection_id=inspection.id, given_on=date(2026, 10, 9), method="platform",
                       content={}, recorded_by="staff", recorded_at=NOW))
    session.flush()
    assert check(session, inspection, stage="before_site", now=on_the_day).refusals == []
