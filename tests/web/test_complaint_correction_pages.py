"""A substantiated complaint reaches the agency that must correct (R26 有错必纠) and is worked through the pages:
the coded inspection's agency, or for a complaint without a code the agency the county office names at
acceptance (refused when it lies in another county); the supervision (督办) steps carry due dates and show in
the supervisors' overdue view once past them (issue 11 defects 8 and 9)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from engine.background.sweep import sweep
from engine.models import TaskRecord
from engine.platform.clock import FrozenClock
from engine.runtime.deploy import deploy
from tests.factories import make_agency, make_code, make_enterprise, make_inspection, make_jurisdiction
from tests.web.pages import login, make_user, token_of

BPMN = Path(__file__).resolve().parents[2] / "processes" / "bpmn" / "complaint_correction.bpmn"


@pytest.fixture
def county(app, svc, clock):
    """A county with two agencies, another county with one, users of each seat, the complaint diagram."""
    with svc.transaction() as session:
        home, other = make_jurisdiction(session), make_jurisdiction(session, name="邻县")
        app.config["PORTAL_JURISDICTION"] = home.code
        deploy(svc.runtime, session, clock, xml=BPMN.read_bytes(), source_name=BPMN.name, actor="owner")
        market, water = make_agency(session, jurisdiction=home), make_agency(session, jurisdiction=home, name="水利局")
        stranger = make_agency(session, jurisdiction=other, name="邻县市场监督管理局")
        enterprise = make_enterprise(session, jurisdiction=home)
        code = make_code(session, inspection=make_inspection(session, agency=market, enterprise=enterprise,
                                                             approved_by="局长")).code
        found = {"home": home.code, "market": market.code, "water": water.code, "stranger": stranger.code,
                 "water_choice": f"{water.code} {water.name}", "stranger_choice": f"{stranger.code} {stranger.name}",
                 "code": code}
    make_user(app, "office", "county_office", agency=None, jurisdiction=found["home"])
    make_user(app, "supervisor", "supervisor", agency=None, jurisdiction=found["home"])
    for name in ("market", "water"):
        make_user(app, f"{name}_head", "agency_head", agency=found[name])
    return found


def seat(app, username: str):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def file_complaint(app, code: str = "") -> None:
    portal = app.test_client()
    form = portal.get(f"/complaints/new?code={code}").get_data(as_text=True)
    posted = portal.post("/complaints/new", data={"csrf_token": token_of(form), "kind": "misconduct",
                                                   "content": "检查人员要求企业负责人必须到场", "code": code})
    assert posted.status_code == 302


def open_task(svc, element_id: str) -> TaskRecord:
    with svc.sessions() as session:
        return session.scalars(select(TaskRecord).where(TaskRecord.element_id == element_id,
                                                        TaskRecord.state == "open")).one()


def work(client, svc, element_id: str, form: dict):
    """Open the task's page and submit its form, as its worker does."""
    task = open_task(svc, element_id)
    page = client.get(f"/tasks/{task.id}")
    assert page.status_code == 200, element_id
    return client.post(f"/tasks/{task.id}", data={"csrf_token": token_of(page.get_data(as_text=True)), **form})


ACCEPT = {"acceptance_date": "2026-09-30", "category": "其他", "handler": "王五"}


def substantiate(office, svc) -> None:
    assert work(office, svc, "Task_investigate", {"investigation_findings": "调取执法记录仪，情况属实",
                                                  "substantiated": "true"}).status_code == 302
    assert work(office, svc, "Task_order_correction", {
        "correction_order": "责令改正，向企业说明并致歉", "interview": "false", "public_notice": "false",
        "transfer_discipline": "false"}).status_code == 302


def correct_as(app, svc, head: str, agency: str) -> None:
    """The correction sits with `agency`'s head: in their inbox, done through the task page; nobody else may."""
    correct = open_task(svc, "Task_correct")
    assert correct.agency == agency and correct.lane == "单位负责人" and correct.due_at is not None
    client = seat(app, head)
    assert f"/tasks/{correct.id}" in client.get("/inbox").get_data(as_text=True)
    assert work(client, svc, "Task_correct", {"corrected_date": "2026-10-09",
                                              "correction_report": "已向企业说明并整改"}).status_code == 302
    assert open_task(svc, "Task_verify").lane == "县综合执法办"


def test_a_coded_complaint_is_corrected_by_the_inspecting_agencys_head(app, svc, county):
    file_complaint(app, county["code"])
    office = seat(app, "office")
    assert work(office, svc, "Task_accept", ACCEPT).status_code == 302
    substantiate(office, svc)
    stranger = seat(app, "water_head")
    assert stranger.get(f"/tasks/{open_task(svc, 'Task_correct').id}").status_code == 403
    correct_as(app, svc, "market_head", county["market"])


def test_without_a_code_the_office_names_the_correcting_agency_of_its_county(app, svc, county):
    file_complaint(app)
    office = seat(app, "office")
    unnamed = work(office, svc, "Task_accept", ACCEPT)
    assert unnamed.status_code == 422 and "R26" in unnamed.get_data(as_text=True)
    page = office.get(f"/tasks/{open_task(svc, 'Task_accept').id}").get_data(as_text=True)
    assert county["water_choice"] in page and county["stranger_choice"] not in page  # chosen among the county's
    elsewhere = work(office, svc, "Task_accept", {**ACCEPT, "correcting_agency": county["stranger_choice"]})
    assert elsewhere.status_code == 422 and "整改责任单位" in elsewhere.get_data(as_text=True)
    assert work(office, svc, "Task_accept", {**ACCEPT, "correcting_agency": county["water_choice"]}).status_code == 302
    substantiate(office, svc)
    correct_as(app, svc, "water_head", county["water"])


def test_handling_and_supervision_steps_are_dated_and_overdue_once_past(app, svc, clock, county):
    file_complaint(app, county["code"])
    office = seat(app, "office")
    supervisor = seat(app, "supervisor")
    late_acceptance = sweep(svc.runtime, svc.write_sessions, FrozenClock("2026-10-09T00:00:01+08:00"))
    assert [fired["element_id"] for fired in late_acceptance.fired] == ["Timer_accept_deadline"]
    supervise_accept = open_task(svc, "Task_supervise_accept")
    assert supervise_accept.due_at is not None
    assert work(office, svc, "Task_accept", {**ACCEPT, "acceptance_date": "2026-10-09"}).status_code == 302
    investigate = open_task(svc, "Task_investigate")
    assert investigate.due_at is not None and investigate.process_key == "complaint_correction"
    before = supervisor.get("/supervise").get_data(as_text=True)
    assert "逾期" in before
    assert "受理超期督办" not in before and "调查核实" not in before
    clock.set("2026-11-20T09:00:00+08:00")  # past the supervision's and the reply's due moments
    overdue = seat(app, "supervisor").get("/supervise").get_data(as_text=True)  # the old login has lapsed
    assert "受理超期督办" in overdue and "调查核实" in overdue
