"""code_retroactive (R7): an urgent inspection on 2026-09-30, the eve of the National Day week, must be
approved and coded by the end of 2026-10-08. Approved in time, it gets its 行政行为码 marked 紧急检查后补办; late
or refused → 无码入企: the violation logged, the alert raised for the supervisors of the inspecting agency's
county, and a 督办 task in the 司法局 lane with its own due date (so it counts in the overdue view).

The agencies and enterprises are the access world's (tests.engine.access_fixtures): SCJG and the firm in 示范县,
LXJG in 邻县, each county with its supervisor."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from engine.domain.stages import NO_CODE_ENTRY_ALERT
from engine.identity import accounts, api_tokens
from engine.models import Alert, BehaviorCode, Inspection, PolicyDecision
from engine.platform.clock import SHANGHAI
from engine.runtime.errors import PolicyRefused
from tests.engine.access_fixtures import build_world
from tests.factories import make_inspection
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

APPROVED = {"retro_approved": True, "retro_approval_date": "2026-10-08", "retro_opinion": "同意补办"}
SUPERVISED = {"supervision_action": "约谈", "supervision_opinion": "约谈单位负责人，限期说明情况"}


@pytest.fixture
def world(svc, clock):
    built = build_world(svc, clock)
    deploy_all(svc, clock)
    return built


def urgent(world, **extra) -> dict:
    return {"agency": "SCJG", "enterprise": world.firm.credit_code, "inspection_date": "2026-09-30",
            "urgent_type": "四不两直", "urgent_reason": "群众举报食品安全隐患，需立即核查", **extra}


def inspection_of(svc, instance_id: int) -> Inspection:
    with svc.sessions() as session:
        inspection = session.scalar(select(Inspection).where(Inspection.process_instance_id == instance_id))
        assert inspection is not None
        session.expunge(inspection)
        return inspection


def codes_of(svc, inspection_id: int) -> list[BehaviorCode]:
    with svc.sessions() as session:
        found = list(session.scalars(select(BehaviorCode).where(BehaviorCode.inspection_id == inspection_id)))
        session.expunge_all()
        return found


def test_approval_in_time_issues_the_retroactive_code(svc, clock, world):
    started = start(svc, clock, "code_retroactive", urgent(world))
    approval = only_task(svc, started.id, "Task_retro_approval")
    assert approval.candidate_group == "单位负责人" and approval.agency == "SCJG"
    assert approval.due_at == end_of("2026-10-08")

    assert sweep_at(svc, "2026-10-08T23:59:59") == []
    clock.set("2026-10-08T16:00:00+08:00")
    complete(svc, clock, approval.id, APPROVED, actor="head")
    assert finished(svc, started.id)
    assert sweep_at(svc, "2026-10-09T00:00:01") == []

    inspection = inspection_of(svc, started.id)
    assert inspection.retroactive and inspection.urgent_reason == "four_nots_two_directs"
    assert inspection.approved_by == "head"
    (code,) = codes_of(svc, inspection.id)
    assert code.retroactive and not code.issued_late and code.status == "issued" and code.approved_by == "head"
    assert code.retroactive_deadline == end_of("2026-10-08")
    with svc.sessions() as session:
        assert session.scalars(select(PolicyDecision)).all() == []


def test_the_lifecycle_inspection_gets_the_code_and_another_agencys_is_refused(svc, clock, world):
    with svc.transaction() as session:
        mine = make_inspection(session, agency=session.merge(world.agencies["SCJG"]),
                               enterprise=session.merge(world.firm), planned_start=date(2026, 9, 30),
                               planned_end=date(2026, 9, 30)).id
        theirs = make_inspection(session, agency=session.merge(world.agencies["LXJG"]),
                                 enterprise=session.merge(world.other_firm)).id
    started = start(svc, clock, "code_retroactive", urgent(world, inspection_id=mine))
    complete(svc, clock, only_task(svc, started.id, "Task_retro_approval").id, APPROVED, actor="head")
    (code,) = codes_of(svc, mine)
    assert code.retroactive and code.valid_from == datetime(2026, 9, 30, tzinfo=SHANGHAI)  # the day, not the hour

    foreign = start(svc, clock, "code_retroactive", urgent(world, inspection_id=theirs))
    approval = only_task(svc, foreign.id, "Task_retro_approval")
    with pytest.raises(PolicyRefused, match="不属于本流程的执法单位"):
        complete(svc, clock, approval.id, APPROVED, actor="head")
    assert codes_of(svc, theirs) == []
    assert open_ids(svc, foreign.id) == {"Task_retro_approval"}


def test_a_lapse_is_logged_alerted_and_supervised_with_a_due_date(svc, clock, world, app, runner):
    started = start(svc, clock, "code_retroactive", urgent(world))
    result = runner.invoke(args=["sweep", "--at", "2026-10-09T00:00:01+08:00"])
    assert result.exit_code == 0, result.output
    assert open_ids(svc, started.id) == {"Task_supervise_no_code"}
    supervise = only_task(svc, started.id, "Task_supervise_no_code")
    assert supervise.candidate_group == "司法局" and supervise.agency == "SCJG"
    # The 督办 counts from the deadline it supervises (1 WD after the urgent inspection: 10-08), not from the
    # sweep that noticed the lapse a day later: one rule for every 督办 (issue 11 defect 8).
    due = svc.runtime.calendar.period_end(date(2026, 10, 8), 5)
    assert supervise.due_at == due
    data = task_data(svc, supervise.id)
    assert data["overdue"] is True and data["no_code_entry"] is True and data["escalated_to"] == "司法局"
    assert data["code_issued"] is False and data["escalated_on"] == "2026-10-09"
    assert data["retro_deadline"] == "2026-10-08T23:59:59.999999+08:00"

    inspection = inspection_of(svc, started.id)
    assert inspection.retroactive and codes_of(svc, inspection.id) == []
    with svc.sessions() as session:
        (decision,) = session.scalars(select(PolicyDecision)).all()
        assert (decision.rule, decision.outcome, decision.inspection_id, decision.agency_id) == \
            ("R7", "violation", inspection.id, inspection.agency_id)
        assert "无码入企" in decision.message
        (alert,) = session.scalars(select(Alert).where(Alert.kind == NO_CODE_ENTRY_ALERT)).all()
        assert alert.status == "open" and alert.details["inspection_id"] == inspection.id

    # What each county's supervisor sees: the alert and, once its due date passes, the overdue 督办.
    client = app.test_client()
    tokens = {}
    with svc.transaction() as session:
        for username, county in (("sup", "331125"), ("sup2", "331126")):
            user = accounts.create_user(session, username=username, password="password1", role="supervisor",
                                        now=clock.now(), jurisdiction=county)
            token = api_tokens.issue_token(session, user, "tests", clock.now()).plain
            tokens[username] = {"Authorization": f"Bearer {token}"}
    here = client.get("/api/v1/alerts", headers=tokens["sup"]).get_json()
    assert [(a["kind"], a["details"]["inspection_id"]) for a in here] == [(NO_CODE_ENTRY_ALERT, inspection.id)]
    assert client.get("/api/v1/alerts", headers=tokens["sup2"]).get_json() == []

    assert client.get("/api/v1/overdue", headers=tokens["sup"]).get_json() == []
    late = (due + timedelta(seconds=1)).astimezone(SHANGHAI).replace(microsecond=0).isoformat()
    result = runner.invoke(args=["sweep", "--at", late])
    assert result.exit_code == 0, result.output
    assert open_ids(svc, started.id) == {"Task_supervise_no_code", "Task_explain_supervision_delay"}
    clock.set(late)
    overdue = client.get("/api/v1/overdue", headers=tokens["sup"]).get_json()
    assert [t["id"] for t in overdue] == [supervise.id]
    assert client.get("/api/v1/overdue", headers=tokens["sup2"]).get_json() == []

    complete(svc, clock, supervise.id, SUPERVISED, actor="sup")
    explain = only_task(svc, started.id, "Task_explain_supervision_delay")
    assert explain.candidate_group == "司法局"
    complete(svc, clock, explain.id, {"supervision_delay_reason": "节后积压，已约谈"}, actor="sup")
    assert finished(svc, started.id)


def test_refused_retroactive_approval_is_a_violation_supervised_too(svc, clock, world):
    started = start(svc, clock, "code_retroactive", urgent(world))
    approval = only_task(svc, started.id, "Task_retro_approval")
    complete(svc, clock, approval.id, {"retro_approved": False, "retro_approval_date": "2026-09-30",
                                       "retro_opinion": "不符合紧急检查情形"}, actor="head")
    supervise = only_task(svc, started.id, "Task_supervise_no_code")
    assert supervise.candidate_group == "司法局"
    # Refused before the deadline: the 督办 still counts from the R7 deadline it supervises (10-08).
    assert supervise.due_at == svc.runtime.calendar.period_end(date(2026, 10, 8), 5)
    data = task_data(svc, supervise.id)
    assert data["no_code_entry"] is True and "overdue" not in data
    inspection = inspection_of(svc, started.id)
    assert codes_of(svc, inspection.id) == []
    with svc.sessions() as session:
        (decision,) = session.scalars(select(PolicyDecision)).all()
        assert decision.outcome == "violation" and "未获补办审批" in decision.message
