"""The inspection check points through the runtime: a diagram's `plan` stage runs the real checks for the
instance's inspection, routes on the result, and leaves every refusal in the supervisors' log."""

from __future__ import annotations

from datetime import date

from engine.domain.decisions import decisions
from engine.runtime import instances
from tests.engine.helpers import complete, deploy, only_task, start
from tests.factories import make_agency, make_enterprise, make_inspection, set_credit_class


def planned_inspection(svc, planned_start: date) -> dict:
    """The start data of an instance about a new inspection: its id and its agency."""
    with svc.transaction() as session:
        agency = make_agency(session)
        enterprise = make_enterprise(session, jurisdiction=agency.jurisdiction)
        set_credit_class(session, enterprise, "C")
        inspection = make_inspection(session, agency=agency, enterprise=enterprise, planned_start=planned_start,
                                     planned_end=planned_start)
        return {"inspection_id": inspection.id, "agency": agency.code}


def test_the_app_runtime_has_the_inspection_stages(svc):
    assert {"plan", "before_site", "record_approval", "issue_code", "record_notice", "record_quiet_case",
            "record_override", "issue_retroactive_code", "record_no_code_entry"} <= set(svc.runtime.stages)


def test_a_date_too_close_for_the_notice_is_refused_logged_and_sent_back(svc, clock):
    case = planned_inspection(svc, date(2026, 10, 12))
    deploy(svc, clock, "stage_checks.bpmn")
    started = start(svc, clock, "stage_checks", case, actor="li")
    complete(svc, clock, only_task(svc, started.id, "Plan").id, {"visits": 0}, actor="li")

    replanned = only_task(svc, started.id, "Plan")
    with svc.sessions() as session:
        data = instances.task_data(svc.runtime, session, replanned.id)
        (logged,) = decisions(session, rule="R8")
    assert data["policy_ok"] is False and [r["rule"] for r in data["policy_refusals"]] == ["R8"]
    assert data["policy_refusals"][0]["figures"] == {"day": "2026-10-12", "today": "2026-09-30", "needed": 5,
                                                     "available": 3, "provisional": False}
    assert (logged.inspection_id, logged.actor, logged.action, logged.outcome) == (case["inspection_id"], "li",
                                                                                 "inspection.plan", "refused")


def data_at_the_site_step(svc, clock, planned_start: date) -> dict:
    """Plan an inspection for that day, pass the plan step, and read what the site step starts from."""
    deploy(svc, clock, "stage_checks.bpmn")
    started = start(svc, clock, "stage_checks", planned_inspection(svc, planned_start))
    complete(svc, clock, only_task(svc, started.id, "Plan").id, {"visits": 0})
    with svc.sessions() as session:
        return instances.task_data(svc.runtime, session, only_task(svc, started.id, "Inspect").id)


def test_a_clean_plan_goes_on(svc, clock):
    data = data_at_the_site_step(svc, clock, date(2026, 10, 19))
    assert data["needs_quiet_override"] is False and data["credit_class"] == "C"


def test_a_quiet_period_day_is_flagged_for_the_override(svc, clock):
    data = data_at_the_site_step(svc, clock, date(2026, 10, 22))
    assert data["policy_ok"] is True and data["needs_quiet_override"] is True


def test_an_instance_without_its_inspection_is_refused_by_name(svc, clock):
    deploy(svc, clock, "stage_checks.bpmn")
    started = start(svc, clock, "stage_checks")
    complete(svc, clock, only_task(svc, started.id, "Plan").id, {"visits": 0})
    with svc.sessions() as session:
        data = instances.task_data(svc.runtime, session, only_task(svc, started.id, "Plan").id)
    assert data["policy_refusals"][0]["rule"] == "R5" and "inspection_id" in data["policy_refusals"][0]["message"]


def test_an_inspection_of_another_agency_is_refused_and_left_untouched(svc, clock):
    """Issue 10 defect 1: the step checks the record belongs to the instance's agency before judging or writing."""
    case = planned_inspection(svc, date(2026, 10, 19))
    deploy(svc, clock, "stage_checks.bpmn")
    started = start(svc, clock, "stage_checks", {**case, "agency": "OTHER-AGENCY"})
    complete(svc, clock, only_task(svc, started.id, "Plan").id, {"visits": 0})
    with svc.sessions() as session:
        data = instances.task_data(svc.runtime, session, only_task(svc, started.id, "Plan").id)
        assert decisions(session) == []
    assert [r["rule"] for r in data["policy_refusals"]] == ["R6"]
    assert data["policy_refusals"][0]["figures"] == {"inspection_id": case["inspection_id"], "agency": "OTHER-AGENCY"}
