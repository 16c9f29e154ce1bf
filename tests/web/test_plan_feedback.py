"""What the people of the lifecycle see of a plan (issue 11, "What the people must see"), through the pages as
the demo's roles: a plan the county office's check returns shows the planner each refusing rule and its words
(R15 here) and the trail says 退回, not 通过; the planning page warns of the cap (R15/R17), the quiet period
(R10–R12) and an open joint proposal (R18) before submission; later steps show what the plan chose and the
notice's inspectors are chosen from the plan's."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from sqlalchemy import select

from engine.domain.inspection_checks import credit_class_in, routine_onsite_count
from engine.domain.policy import yunhe_style
from engine.models import Agency, Enterprise, Inspection, PolicyDecision, TaskRecord
from tests.web.pages import login_demo, token_of

VISIT_DAY = "2026-10-19"  # a Monday, five working days after the National Day holiday, before 下旬


@pytest.fixture
def client(app, demo):
    return app.test_client()


def scjg(session) -> Agency:
    return session.scalar(select(Agency).where(Agency.code == "SCJG"))


@pytest.fixture
def capped(svc):
    """A C-class enterprise the market regulator already visited on site routinely up to its cap (the demo's
    over-the-cap story)."""
    with svc.sessions() as session:
        agency, caps = scjg(session), yunhe_style().caps
        for enterprise in session.scalars(select(Enterprise).order_by(Enterprise.id)):
            credit_class = credit_class_in(session, enterprise.id, 2026)
            done = routine_onsite_count(session, agency_id=agency.id, enterprise_id=enterprise.id, year=2026)
            if credit_class == "C" and done >= (caps["C"] or 0):
                return {"code": enterprise.credit_code, "done": done}
    raise AssertionError("the demo has an enterprise at its cap")


def valid_inspectors(session) -> list[str]:
    agency = scjg(session)
    return [str(p.id) for p in agency.inspectors if p.valid_to and p.valid_to >= date(2026, 12, 31)][:2]


def plan(client, svc, enterprise: str, day: str = VISIT_DAY) -> str:
    """Plans a routine on-site inspection on the planning page; returns the plan task's path."""
    with svc.sessions() as session:
        inspectors = valid_inspectors(session)
    page = client.get("/inspections/new").get_data(as_text=True)
    response = client.post("/inspections/new", data={
        "csrf_token": token_of(page), "enterprise": enterprise, "planned_start": day, "trigger": "routine",
        "mode": "onsite", "items": ["SCJG-001"], "inspectors": inspectors})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def submit(client, path: str, **fields) -> None:
    """Completes the task at `path` with its form as shown (its filled-in values) and `fields` on top."""
    page = client.get(path).get_data(as_text=True)
    shown = dict(re.findall(r'<input type="(?:text|date)" id="\w+" name="(\w+)" value="([^"]*)"', page))
    shown |= {name: html.unescape(text) for name, text in
              re.findall(r'<textarea id="\w+" name="(\w+)" rows="3">([^<]*)</textarea>', page)}
    for name, options in re.findall(r'<select id="\w+" name="(\w+)">(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', options)
        shown[name] = chosen.group(1) if chosen else ""
    response = client.post(path, data={**shown, **fields, "csrf_token": token_of(page)})
    assert response.status_code == 302, response.get_data(as_text=True)


def open_task(svc, instance_id: int, element_id: str) -> str:
    with svc.sessions() as session:
        task = session.scalar(select(TaskRecord).where(TaskRecord.instance_id == instance_id,
                                                       TaskRecord.element_id == element_id,
                                                       TaskRecord.state == "open"))
        assert task is not None, f"{element_id} is open"
        return f"/tasks/{task.id}"


def instance_of(svc, credit_code: str) -> int:
    with svc.sessions() as session:
        return session.scalar(select(Inspection.process_instance_id).join(Enterprise).where(
            Enterprise.credit_code == credit_code, Inspection.created_by == "staff"))


def test_a_plan_the_office_passes_but_a_rule_refuses_comes_back_to_the_planner_with_the_rule_and_words(
        client, svc, capped):
    login_demo(client, "staff")
    submit(client, plan(client, svc, capped["code"]), notice_exemption="无")
    instance_id = instance_of(svc, capped["code"])
    client.get("/logout")

    login_demo(client, "office")
    submit(client, open_task(svc, instance_id, "Task_check"), check_outcome="通过", in_quiet_period="false")
    with svc.sessions() as session:
        logged = session.scalar(select(PolicyDecision).where(PolicyDecision.rule == "R15",
                                                             PolicyDecision.action == "inspection.plan",
                                                             PolicyDecision.outcome == "refused"))
        words = logged.message  # what the supervisors' refusal list shows
    assert f"本单位今年已检查 {capped['done']} 次" in words

    supervisor_trail = client.get(f"/supervise/instances/{instance_id}").get_data(as_text=True)
    checked = next(row for row in supervisor_trail.split("<tr>") if "确认检查前置条件" in row and "提交办理" in row)
    assert "<dd>退回修改</dd>" in checked and f"退回（R15：{words}）" in checked
    assert "<dd>通过</dd>" not in checked
    client.get("/logout")

    login_demo(client, "staff")
    page = client.get(open_task(svc, instance_id, "Task_plan")).get_data(as_text=True)
    returned = re.search(r'<div class="message returned">.*?</div>', page, re.S).group(0)
    assert "「确认检查前置条件」" in returned and "office" in returned
    assert f"<li>R15：{words}</li>" in returned
    assert re.search(r"提交办理 · 退回（R15：", page)  # the task page's own record of the step

    # Sent again, the check's next round opens as the office left it, not with a stale 退回修改 and reason.
    submit(client, open_task(svc, instance_id, "Task_plan"))
    client.get("/logout")
    login_demo(client, "office")
    again = client.get(open_task(svc, instance_id, "Task_check")).get_data(as_text=True)
    assert '<option value="退回修改" selected>' not in again
    assert re.search(r'<textarea id="refusal_reason" name="refusal_reason" rows="3"></textarea>', again)


def test_a_plan_that_passes_reads_as_passed(client, svc, scjg_open):
    login_demo(client, "staff")
    submit(client, plan(client, svc, scjg_open), notice_exemption="无")
    instance_id = instance_of(svc, scjg_open)
    client.get("/logout")
    login_demo(client, "office")
    submit(client, open_task(svc, instance_id, "Task_check"), check_outcome="通过", in_quiet_period="false")
    trail = client.get(f"/supervise/instances/{instance_id}").get_data(as_text=True)
    checked = next(row for row in trail.split("<tr>") if "确认检查前置条件" in row and "提交办理" in row)
    assert "<dt>规则核验</dt><dd>通过</dd>" in checked and "退回" not in checked
    client.get("/logout")
    login_demo(client, "head")
    assert "退回了本环节" not in client.get(open_task(svc, instance_id, "Task_head_approval")).get_data(as_text=True)
    # The head's refusal is a decision, not a rule check: the trail gives it no 通过 (its step records only).
    submit(client, open_task(svc, instance_id, "Task_head_approval"), plan_approved="false", plan_opinion="暂缓")
    client.get("/logout")
    login_demo(client, "supervisor")
    trail = client.get(f"/supervise/instances/{instance_id}").get_data(as_text=True)
    approval = next(row for row in trail.split("<tr>") if "单位负责人审批" in row and "提交办理" in row)
    assert "规则核验" not in approval and "<dd>暂缓</dd>" in approval


@pytest.fixture
def scjg_open(svc):
    """An enterprise the market regulator may still visit: C class, no visit by it this year, nobody else's
    plan pending, no exempt sector."""
    with svc.sessions() as session:
        agency = scjg(session)
        pending = set(session.scalars(select(Inspection.enterprise_id).where(Inspection.status == "planned")))
        for enterprise in session.scalars(select(Enterprise).order_by(Enterprise.id.desc())):
            if (credit_class_in(session, enterprise.id, 2026) == "C" and enterprise.id not in pending
                    and not enterprise.sector_tags
                    and not routine_onsite_count(session, agency_id=agency.id, enterprise_id=enterprise.id,
                                                 year=2026)):
                return enterprise.credit_code
    raise AssertionError("the demo has an enterprise the market regulator may visit")


def warnings_on(page: str) -> str:
    found = re.search(r'<div class="message warnings">.*?</div>', page, re.S)
    return found.group(0) if found else ""


def test_the_plan_page_warns_of_the_cap_before_submission(client, capped):
    login_demo(client, "staff")
    page = client.get(f"/inspections/new?enterprise={capped['code']}&planned_start={VISIT_DAY}"
                      "&trigger=routine&mode=onsite").get_data(as_text=True)
    assert f"R15：C类企业每年例行现场检查不超过 2 次，本单位今年已检查 {capped['done']} 次" in warnings_on(page)
    assert f'value="{capped["code"]}"' in page  # the choices stay on the form
    assert f"信用等级 C · 本单位今年例行现场检查 {capped['done']} 次 / 上限 2 次" in page
    # A triggered inspection does not count against the cap (R16): no cap warning.
    triggered = client.get(f"/inspections/new?enterprise={capped['code']}&planned_start={VISIT_DAY}"
                           "&trigger=complaint_report&mode=onsite").get_data(as_text=True)
    assert "R15" not in warnings_on(triggered)


def test_the_plan_page_warns_of_the_quiet_period(client, svc, scjg_open):
    login_demo(client, "staff")
    page = client.get("/inspections/new", query_string={"enterprise": scjg_open, "planned_start": "2026-10-26",
                                                         "trigger": "routine", "mode": "onsite"})
    warned = warnings_on(page.get_data(as_text=True))
    assert "R10：2026-10-26 在企业安静期内（每月 21 日至月末）" in warned and "R11" in warned and "R12" in warned
    calm = client.get("/inspections/new", query_string={"enterprise": scjg_open, "planned_start": VISIT_DAY,
                                                        "trigger": "routine", "mode": "onsite"})
    assert warnings_on(calm.get_data(as_text=True)) == ""


def test_the_plan_page_warns_of_another_agencys_plan_in_the_month_and_the_button_plans_nothing(client, svc):
    with svc.sessions() as session:
        theirs = session.scalar(select(Inspection).join(Agency).where(
            Agency.code == "XFJY", Inspection.status == "planned", Inspection.created_by == "load-demo"))
        code, day, agency_name = theirs.enterprise.credit_code, theirs.planned_start, theirs.agency.name
    login_demo(client, "staff")
    page = client.get("/inspections/new").get_data(as_text=True)
    response = client.post("/inspections/new", data={
        "csrf_token": token_of(page), "enterprise": code, "planned_start": day.replace(day=12).isoformat(),
        "trigger": "complaint_report", "mode": "onsite", "items": ["SCJG-001"], "preview": "1"})
    warned = warnings_on(response.get_data(as_text=True))
    assert response.status_code == 200 and "R18：" in warned
    assert f"{agency_name}（{day.isoformat()}）" in warned and "综合查一次" in warned
    with svc.sessions() as session:
        assert session.scalar(select(Inspection).where(Inspection.created_by == "staff")) is None


def plan_shown(page: str) -> str:
    found = re.search(r'<section class="plan">.*?</section>', page, re.S)
    return found.group(0) if found else ""


def test_later_steps_show_the_plan_and_the_notice_chooses_only_the_plans_inspectors(client, svc, scjg_open):
    with svc.sessions() as session:
        agency = scjg(session)
        chosen = [p for p in agency.inspectors if str(p.id) in valid_inspectors(session)]
        outsider = next(p for p in agency.inspectors if p not in chosen)
        chosen_labels = [f"{p.name}（{p.certificate_number}）" for p in chosen]
        outsider_label = f"{outsider.name}（{outsider.certificate_number}）"
    login_demo(client, "staff")
    submit(client, plan(client, svc, scjg_open), notice_exemption="无")
    instance_id = instance_of(svc, scjg_open)
    client.get("/logout")

    login_demo(client, "office")
    check = open_task(svc, instance_id, "Task_check")
    shown = plan_shown(client.get(check).get_data(as_text=True))
    assert f"<dd>{VISIT_DAY}</dd>" in shown and "<dd>日常检查</dd>" in shown and "<dd>现场检查</dd>" in shown
    assert "SCJG-001 " in shown and all(f"<li>{label}</li>" in shown for label in chosen_labels)
    submit(client, check, check_outcome="通过", in_quiet_period="false")
    client.get("/logout")

    login_demo(client, "head")
    approval = open_task(svc, instance_id, "Task_head_approval")
    assert all(label in plan_shown(client.get(approval).get_data(as_text=True)) for label in chosen_labels)
    submit(client, approval, plan_approved="true", plan_opinion="同意")
    client.get("/logout")

    login_demo(client, "staff")
    notice = open_task(svc, instance_id, "Task_give_notice")
    page = client.get(notice).get_data(as_text=True)
    assert all(label in plan_shown(page) for label in chosen_labels)
    offered = re.findall(r'<input type="checkbox" name="notice_inspectors" value="([^"]+)" checked>', page)
    assert offered == chosen_labels  # the plan's inspectors, all chosen until changed
    assert outsider_label not in page.replace(plan_shown(page), "")
    items = re.findall(r'<input type="checkbox" name="notice_items" value="([^"]+)" checked>', page)
    assert items == ["SCJG-001 食品经营许可情况检查"]  # the plan's items, likewise
    form = {"csrf_token": token_of(page), "notice_date": "2026-09-30", "method": "书面", "notice_items": items}
    refused = client.post(notice, data={**form, "notice_inspectors": [chosen_labels[0], outsider_label]})
    assert refused.status_code == 422
    assert re.search(r'name="notice_inspectors".*?<div class="error">', refused.get_data(as_text=True), re.S)
    done = client.post(notice, data={**form, "notice_inspectors": chosen_labels[:1]})
    assert done.status_code == 302
    with svc.sessions() as session:
        given = session.scalar(select(TaskRecord).where(TaskRecord.instance_id == instance_id,
                                                        TaskRecord.element_id == "Task_give_notice"))
        assert given.state == "completed"
