"""One source for deadlines (issue 11 defects 7 and 8): the policy's figures drive the diagrams' timers, the
records and the portal show the timers' own moments, every bounded human step carries its due date and counts in
the overdue view when late, and every 督办 counts from the deadline it supervises.

Complaints are filed on the portal (as a complainant does) in a county whose policy the administrator changes
through the policy command; the clock is pinned and deadlines pass by sweeping as of a moment."""

from __future__ import annotations

import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from lxml import etree
from sqlalchemy import select

from engine.commands import Actor, administration
from engine.domain.enterprise_side import complaint_progress
from engine.domain.policy import policy_of, to_json
from engine.identity import accounts, api_tokens
from engine.models import Complaint, Jurisdiction, Penalty
from engine.platform.clock import SHANGHAI
from tests.factories import make_agency, make_enterprise, make_inspection, make_jurisdiction
from tests.processes.helpers import (
    BPMN_DIR,
    complete,
    deadline_due,
    deploy_all,
    only_task,
    open_ids,
    open_tasks,
    start,
    sweep_at,
)

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
COUNTY = "331199"
ADMIN = Actor("admin", "administrator")


@pytest.fixture
def county(app, svc, clock):
    with svc.transaction() as session:
        jurisdiction = make_jurisdiction(session, code=COUNTY, name="期限县")
        agency = make_agency(session, jurisdiction=jurisdiction, code="QXJG")
        firm = make_enterprise(session, jurisdiction=jurisdiction)
        inspection = make_inspection(session, agency=agency, enterprise=firm)
        supervisor = accounts.create_user(session, username="sup", password="password1", role="supervisor",
                                          now=clock.now(), jurisdiction=COUNTY)
        token = api_tokens.issue_token(session, supervisor, "tests", clock.now()).plain
        built = SimpleNamespace(agency=agency.code, firm=firm.credit_code, inspection_id=inspection.id,
                                headers={"Authorization": f"Bearer {token}"})
    app.config["PORTAL_JURISDICTION"] = COUNTY
    deploy_all(svc, clock)
    return built


def set_deadlines(svc, **figures: int) -> None:
    """The administrator changes deadline figures through the policy command (as the policy page does)."""
    with svc.sessions() as session:
        document = to_json(policy_of(session.scalar(select(Jurisdiction.policy).where(Jurisdiction.code == COUNTY))))
    document["deadlines"].update(figures)
    with svc.work() as work:
        administration.update_policy(work, ADMIN, jurisdiction_code=COUNTY, document=document)


def file_on_portal(client) -> str:
    form = client.get("/complaints/new").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    response = client.post("/complaints/new", data={"csrf_token": csrf, "kind": "other", "code": "",
                                                      "content": "检查人员要求企业承担检测费用", "contact": ""})
    assert response.status_code == 302, response.get_data(as_text=True)
    return re.search(r"number=([\w-]+)", response.headers["Location"]).group(1)


def instance_of(svc, number: str) -> int:
    with svc.sessions() as session:
        return session.scalar(select(Complaint.process_instance_id).where(Complaint.tracking_number == number))


def progress(svc, number: str) -> dict:
    with svc.sessions() as session:
        found = complaint_progress(session, number)
        assert found is not None
        return found


def day_of(moment) -> str:
    return moment.astimezone(SHANGHAI).date().isoformat()


CORRECTOR = "QXJG 示范县市场监督管理局"  # the acceptance form's choice: 代码 名称 (case_choices.complaint_agencies)


def accept(svc, clock, instance_id: int) -> None:
    complete(svc, clock, only_task(svc, instance_id, "Task_accept").id,
             {"acceptance_date": "2026-09-30", "category": "其他", "handler": "王五", "correcting_agency": CORRECTOR},
             actor="office")


def test_a_policy_figure_moves_the_next_instances_timers_and_the_portal_shows_the_timers_moments(
        app, svc, clock, county):
    client = app.test_client()
    calendar = svc.runtime.calendar
    before = file_on_portal(client)  # under the defaults: accept 1 WD, reply 15 WD
    set_deadlines(svc, complaint_accept=3, complaint_reply=10)
    after = file_on_portal(client)

    old, new = instance_of(svc, before), instance_of(svc, after)
    # The running instance keeps the figures it started with; the next one counts with the new ones.
    assert deadline_due(svc, old, "Timer_accept_deadline") == calendar.period_end(date(2026, 9, 30), 1)
    accept_due = deadline_due(svc, new, "Timer_accept_deadline")
    assert accept_due == calendar.period_end(date(2026, 9, 30), 3) != calendar.period_end(date(2026, 9, 30), 1)
    # The task, the record and the tracking page show the moment the timer fires at.
    assert only_task(svc, new, "Task_accept").due_at == accept_due
    assert progress(svc, after)["accept_due_at"] == accept_due.astimezone(SHANGHAI).isoformat()
    page = client.get(f"/complaints/track?number={after}").get_data(as_text=True)
    assert f"应于 {day_of(accept_due)} 前受理" in page

    for instance_id in (old, new):
        accept(svc, clock, instance_id)
    assert deadline_due(svc, old, "Timer_reply_deadline") == calendar.period_end(date(2026, 9, 30), 15)
    reply_due = deadline_due(svc, new, "Timer_reply_deadline")
    assert reply_due == calendar.period_end(date(2026, 9, 30), 10)
    assert only_task(svc, new, "Task_investigate").due_at == reply_due
    assert progress(svc, after)["reply_due_at"] == reply_due.astimezone(SHANGHAI).isoformat()
    assert progress(svc, before)["reply_due_at"] == calendar.period_end(date(2026, 9, 30), 15).astimezone(
        SHANGHAI).isoformat()
    page = client.get(f"/complaints/track?number={after}").get_data(as_text=True)
    assert f"答复期限：{day_of(reply_due)} 前" in page


def test_the_penalty_record_shows_the_revisit_timers_moment_from_the_policy(svc, clock, county):
    set_deadlines(svc, revisit=4, rectification=2)
    with svc.transaction() as session:
        session.add(Penalty(inspection_id=county.inspection_id, decision_number="期罚〔2026〕1号",
                            decided_on=date(2026, 9, 30), summary="罚款"))
    started = start(svc, clock, "penalty_revisit", {"agency": county.agency, "enterprise": county.firm,
                                                    "penalty_decision_no": "期罚〔2026〕1号",
                                                    "penalty_date": "2026-09-30"})
    due = deadline_due(svc, started.id, "Timer_revisit_deadline")
    assert due == svc.runtime.calendar.period_end(date(2026, 9, 30), 4)
    assert only_task(svc, started.id, "Task_revisit").due_at == due
    with svc.sessions() as session:
        penalty = session.scalar(select(Penalty).where(Penalty.decision_number == "期罚〔2026〕1号"))
        assert penalty.revisit_due_at == due


def test_every_supervision_counts_from_the_deadline_it_supervises_and_late_steps_are_overdue(
        app, svc, clock, county):
    client = app.test_client()
    set_deadlines(svc, supervision=2)
    number = file_on_portal(client)
    instance_id = instance_of(svc, number)
    accept_due = deadline_due(svc, instance_id, "Timer_accept_deadline")
    # Swept two days after the acceptance deadline: the 督办 still counts from that deadline, not from the sweep.
    late = (accept_due + timedelta(days=2)).astimezone(SHANGHAI)
    assert sweep_at(svc, late.isoformat()) == ["Timer_accept_deadline"]
    supervise = only_task(svc, instance_id, "Task_supervise_accept")
    assert supervise.due_at == svc.runtime.calendar.period_end(accept_due.astimezone(SHANGHAI).date(), 2)

    # The late acceptance and, once its own period has passed, the 督办 count in the supervisors' overdue view.
    clock.set(late.isoformat())
    overdue = {t["element_id"] for t in client.get("/api/v1/overdue", headers=county.headers).get_json()}
    assert overdue == {"Task_accept"}
    accept(svc, clock, instance_id)
    reply_due = deadline_due(svc, instance_id, "Timer_reply_deadline")
    past_reply = (reply_due + timedelta(seconds=1)).astimezone(SHANGHAI)
    fired = sweep_at(svc, past_reply.isoformat())
    assert "Timer_reply_deadline" in fired and "Timer_supervise_accept_deadline" in fired
    # Inside the handling sub-process every step stays due with the reply after the reply deadline has fired.
    investigate = only_task(svc, instance_id, "Task_investigate")
    assert investigate.due_at == reply_due
    assert only_task(svc, instance_id, "Task_supervise_reply").due_at == svc.runtime.calendar.period_end(
        reply_due.astimezone(SHANGHAI).date(), 2)
    clock.set(past_reply.isoformat())
    overdue = {t["element_id"] for t in client.get("/api/v1/overdue", headers=county.headers).get_json()}
    assert {"Task_investigate", "Task_supervise_accept"} <= overdue
    assert "Task_explain_supervision_delay" in open_ids(svc, instance_id)


def test_a_provisional_reply_deadline_recomputed_after_a_calendar_import_moves_the_record_too(
        app, svc, clock, county):
    # Received on 2026-12-30: 15 working days reach into 2027, which the calendar data does not cover yet, so the
    # reply deadline is an estimate until the administrator imports the official schedule (DESIGN.md).
    clock.set("2026-12-30T10:00:00+08:00")
    client = app.test_client()
    number = file_on_portal(client)
    instance_id = instance_of(svc, number)
    complete(svc, clock, only_task(svc, instance_id, "Task_accept").id,
             {"acceptance_date": "2026-12-30", "category": "其他", "handler": "王五", "correcting_agency": CORRECTOR},
             actor="office")
    estimated = deadline_due(svc, instance_id, "Timer_reply_deadline")
    assert only_task(svc, instance_id, "Task_investigate").due_provisional is True
    assert progress(svc, number)["reply_due_at"] == estimated.astimezone(SHANGHAI).isoformat()

    with svc.work() as work:  # the official 2027 schedule makes Jan 5 a holiday, for the test
        administration.import_calendar(work, ADMIN, "date,kind\n2027-01-01,holiday\n2027-01-05,holiday\n",
                                       source="2027.csv")
    recomputed = deadline_due(svc, instance_id, "Timer_reply_deadline")
    assert recomputed == svc.runtime.calendar.period_end(date(2026, 12, 30), 15) > estimated
    assert only_task(svc, instance_id, "Task_investigate").due_at == recomputed
    assert progress(svc, number)["reply_due_at"] == recomputed.astimezone(SHANGHAI).isoformat()


def _bounded_user_tasks() -> dict[str, dict[str, str]]:
    """Per shipped diagram, the user tasks a timer bounds (one attached to the task or to a sub-process around it),
    with the timer's expression."""
    found: dict[str, dict[str, str]] = {}
    for path in sorted(BPMN_DIR.glob("*.bpmn")):
        tree = etree.parse(str(path))
        timers = {event.get("attachedToRef"): event.find(f".//{{{BPMN}}}timeDate").text.strip()
                  for event in tree.iter(f"{{{BPMN}}}boundaryEvent")
                  if event.find(f".//{{{BPMN}}}timeDate") is not None}
        bounded = {}
        for task in tree.iter(f"{{{BPMN}}}userTask"):
            around = [task.get("id")] + [element.get("id") for element in task.iterancestors()]
            expression = next((timers[element] for element in around if element in timers), None)
            if expression is not None:
                bounded[task.get("id")] = expression
        found[path.stem] = bounded
    return found


def test_every_step_the_rules_or_the_policy_bound_has_a_timer_counting_with_the_policys_figure():
    # The steps a figure of DOMAIN.md or the policy bounds: R7 approval, R11 filing, R24 and R26 ratings, R25
    # revisit and rectification, R26 acceptance and reply (every step of the handling), and every 督办.
    bounded = _bounded_user_tasks()
    assert {process: set(tasks) for process, tasks in bounded.items()} == {
        "advance_notice": set(),  # the notice period holds the inspection (an intermediate timer), no person
        "code_retroactive": {"Task_retro_approval", "Task_supervise_no_code"},
        "complaint_correction": {
            "Task_accept", "Task_supervise_accept", "Task_investigate", "Task_order_correction", "Task_correct",
            "Task_verify", "Task_interview", "Task_transfer", "Task_public_notice", "Task_reply",
            "Task_supervise_reply", "Task_complainant_rating"},
        "inspection_lifecycle": {"Task_rating"},
        "penalty_revisit": {"Task_revisit", "Task_supervise_revisit", "Task_rectify"},
        "quiet_period_override": {"Task_file_override", "Task_supervise_filing"},
    }
    # No working-day figure is drawn in a diagram: each of these timers counts with the policy's (deadline_days),
    # and so does every script that records a deadline for an escalation.
    drawn = {(process, task, expression) for process, tasks in bounded.items() for task, expression in tasks.items()
             if "deadline_days[" not in expression}
    assert drawn == set()
    for path in sorted(BPMN_DIR.glob("*.bpmn")):
        scripts = " ".join(s.text or "" for s in etree.parse(str(path)).iter(f"{{{BPMN}}}script"))
        assert not re.search(r"working_days_after\([^)]*,\s*\d+\)", scripts), path.name


BOUNDED = {task for tasks in _bounded_user_tasks().values() for task in tasks}


def due_where_bounded(svc, instance_id: int) -> set[str]:
    """The open steps of the instance, each checked: a bounded step has its due date, no other step has one."""
    opened = open_tasks(svc, instance_id)
    assert {(t.element_id, t.due_at is not None) for t in opened} == {(t.element_id, t.element_id in BOUNDED)
                                                                       for t in opened}
    return {t.element_id for t in opened}


def test_each_bounded_step_is_due_when_it_opens_and_overdue_when_late(app, svc, clock, county):
    """Walks every step of a substantiated complaint (every measure taken) and of the revisit loop: each bounded
    step carries its due date as it opens, and once late every open one is in the supervisors' overdue view."""
    client = app.test_client()
    number = file_on_portal(client)
    complaint = instance_of(svc, number)
    seen = due_where_bounded(svc, complaint)
    accept(svc, clock, complaint)
    # The complainant's tracking page shows the handling steps' due date.
    handling_due = only_task(svc, complaint, "Task_investigate").due_at
    assert progress(svc, number)["reply_due_at"] == handling_due.astimezone(SHANGHAI).isoformat()
    steps = [("Task_investigate", {"investigation_findings": "属实", "substantiated": True}),
             ("Task_order_correction", {"correction_order": "责令改正", "interview": True, "public_notice": True,
                                        "transfer_discipline": True}),
             ("Task_correct", {"corrected_date": "2026-10-12", "correction_report": "已改正"}),
             ("Task_verify", {"verify_date": "2026-10-13", "verified": True, "verify_note": ""}),
             ("Task_interview", {"interview_date": "2026-10-14", "interview_record": "约谈"}),
             ("Task_public_notice", {"notice_date": "2026-10-15", "notice_text": "通报"}),
             ("Task_transfer", {"transfer_date": "2026-10-15", "transfer_letter_no": "期综执移〔2026〕1号"})]
    for element_id, data in steps:
        seen |= due_where_bounded(svc, complaint)
        complete(svc, clock, only_task(svc, complaint, element_id).id, data, actor="office")
    seen |= due_where_bounded(svc, complaint)
    complete(svc, clock, only_task(svc, complaint, "Task_reply").id,
             {"reply_date": "2026-10-16", "reply_text": "已责令改正"}, actor="office")
    seen |= due_where_bounded(svc, complaint)
    assert seen >= {element for element, _ in steps} | {"Task_accept", "Task_reply", "Task_complainant_rating"}

    with svc.transaction() as session:
        session.add(Penalty(inspection_id=county.inspection_id, decision_number="期罚〔2026〕2号",
                            decided_on=date(2026, 9, 30), summary="罚款"))
    penalty = start(svc, clock, "penalty_revisit", {"agency": county.agency, "enterprise": county.firm,
                                                    "penalty_decision_no": "期罚〔2026〕2号",
                                                    "penalty_date": "2026-09-30"}).id
    assert due_where_bounded(svc, penalty) == {"Task_revisit"}
    with svc.sessions() as session:  # the penalty record shows the revisit step's due date
        assert session.scalar(select(Penalty.revisit_due_at).where(Penalty.decision_number == "期罚〔2026〕2号")) \
            == only_task(svc, penalty, "Task_revisit").due_at
    complete(svc, clock, only_task(svc, penalty, "Task_revisit").id,
             {"revisit_date": "2026-10-09", "revisit_method": "实地回访", "revisit_findings": "仍有问题",
              "rectification_needed": True})
    complete(svc, clock, only_task(svc, penalty, "Task_assign").id,
             {"assigned_date": "2026-10-09", "rectify_items": "清理", "rectify_requirements": "拍照"})
    assert due_where_bounded(svc, penalty) == {"Task_rectify"}

    # Late: the open bounded steps (the rating, which binds the complainant, closes itself instead) are overdue.
    latest = max(only_task(svc, penalty, "Task_rectify").due_at,
                 only_task(svc, complaint, "Task_complainant_rating").due_at)
    clock.set((latest + timedelta(seconds=1)).astimezone(SHANGHAI).isoformat())
    overdue = {t["element_id"] for t in client.get("/api/v1/overdue", headers=county.headers).get_json()}
    assert {"Task_rectify", "Task_complainant_rating"} <= overdue
