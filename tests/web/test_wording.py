"""The pages' wording (issue 12 item 9): 办结 only for the step that ends the case (提交 for the others), 放弃签收 for
releasing a claim (退回 is for sending a case back), no engineering words, the policy form's and the calendar
import's refusals and the statistics CSV's header row in the visitor's language, the portal for a visitor who
has not logged in, the planning page finding an enterprise by part of its name and proposing a working day;
and a decision field's 同意 / 不同意 buttons beside the opinion box (item 5)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.models import Enterprise, Inspection
from engine.views.closing_step import ends_without_work
from tests.engine.helpers import deploy, only_task, start
from tests.web.pages import in_english, login, login_demo, make_user, open_notice_task, token_of
from web.services import services

WEB = Path(__file__).resolve().parents[2] / "web"


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def decision_case(app, svc, clock):
    """tests/fixtures/decision_task.bpmn at its approval (同意 goes on to 结案归档, 不同意 comes back)."""
    deploy(svc, clock, "decision_task.bpmn")
    started = start(svc, clock, "decision_task", {"agency": "SCJG"}, business_key="enterprise:91331125MA2E000001")
    make_user(app, "li", "staff")
    return started.id


def submit_word(page: str) -> str:
    return re.search(r'<button type="submit" class="step-submit">([^<]+)</button>', page).group(1)


def test_a_step_that_hands_the_case_on_says_提交_and_the_last_one_办结(client, svc, decision_case):
    login(client, "li")
    approve = only_task(svc, decision_case, "Approve")
    page = client.get(f"/tasks/{approve.id}").get_data(as_text=True)
    assert submit_word(page) == "提交"
    sent_back = client.post(f"/tasks/{approve.id}", data={"csrf_token": token_of(page), "plan_approved": "false",
                                                          "approval_date": "2026-09-30"}, follow_redirects=True)
    assert "「审批检查计划」已提交。" in sent_back.get_data(as_text=True)
    again = only_task(svc, decision_case, "Approve")  # 不同意 brought the plan back: still not the end
    client.post(f"/tasks/{again.id}", data={"csrf_token": token_of(page), "plan_approved": "true",
                                           "approval_date": "2026-09-30"})
    archive = only_task(svc, decision_case, "Archive")
    page = client.get(f"/tasks/{archive.id}").get_data(as_text=True)
    assert submit_word(page) == "办结"  # nothing after it but the end event
    done = client.post(f"/tasks/{archive.id}", data={"csrf_token": token_of(page), "archive_note": "归档"},
                       follow_redirects=True)
    assert "「结案归档」已办结。" in done.get_data(as_text=True)
    assert "该任务已办理" in client.get(f"/tasks/{archive.id}").get_data(as_text=True)


@pytest.mark.parametrize("process, element_id, closes", [
    ("inspection_lifecycle", "Task_head_approval", False), ("inspection_lifecycle", "Task_penalty", False),
    ("penalty_revisit", "Task_evaluate", False),  # 不通过 goes back to 交办整改
    ("quiet_period_override", "Task_register_filing", True), ("quiet_period_override", "Task_file_override", False),
])
def test_the_shipped_diagrams_close_a_case_only_at_their_last_step(process, element_id, closes):
    from engine.bpmn.loader import load_diagram

    path = Path(__file__).resolve().parents[2] / "processes" / "bpmn" / f"{process}.bpmn"
    spec = load_diagram(path.read_bytes(), path.name).specs[process]
    assert ends_without_work(spec, element_id) is closes


def test_a_decision_is_two_buttons_beside_the_opinion_box(client, svc, decision_case):
    login(client, "li")
    approve = only_task(svc, decision_case, "Approve")
    page = client.get(f"/tasks/{approve.id}").get_data(as_text=True)
    assert '<select id="plan_approved"' not in page
    buttons = page[page.index('class="field decision"'):]
    assert 'name="plan_approved" value="true" class="agree">同意<' in buttons
    assert 'name="plan_approved" value="false" class="disagree">不同意<' in buttons
    assert page.index('name="plan_opinion"') < page.index('class="field decision"')  # after the opinion box
    # The Enter key in a text box submits the form's first button: a disabled one, never 同意.
    assert re.search(r'<button type="submit" disabled hidden[^>]*></button>\s*<button[^>]*class="agree"', buttons)
    english = in_english(client).get(f"/tasks/{approve.id}").get_data(as_text=True)
    assert ">Approve<" in english and ">Reject<" in english


def test_releasing_a_claim_is_放弃签收_not_退回(app, client, svc, clock):
    task = open_notice_task(svc, clock)
    make_user(app, "li", "staff")
    login(client, "li")
    token = token_of(client.get("/inbox").get_data(as_text=True))
    client.post(f"/tasks/{task.id}/claim", data={"csrf_token": token})
    inbox = client.get("/inbox?mine=1").get_data(as_text=True)
    assert re.search(r"<button[^>]*>放弃签收</button>", inbox) and not re.search(r"<button[^>]*>退回</button>", inbox)
    released = client.post(f"/tasks/{task.id}/release", data={"csrf_token": token}, follow_redirects=True)
    text = released.get_data(as_text=True)
    assert "已放弃签收" in text and "退回" not in re.sub(r"<script.*?</script>", "", text, flags=re.S)


def test_no_engineering_words_on_the_pages():
    """泳道 (swim lane) is the modeler's word; the pages say 岗位."""
    offenders = [str(path.relative_to(WEB)) for path in [*WEB.rglob("*.html"), *WEB.glob("*.py")]
                 if "泳道" in path.read_text(encoding="utf-8")]
    assert offenders == []


def test_the_policy_forms_refusals_are_in_the_visitors_language(app, client, demo):
    login_demo(client, "admin")
    page = client.get("/admin/policy").get_data(as_text=True)
    values = dict(re.findall(r'name="([\w.]+)" value="([^"]*)"', page))
    values.pop("preset")
    values.update({"window.mode": "blocked", "window.applies_to": "all", "window.first_day": "40",
                   "joint_rate_targets.2026": "150", "csrf_token": token_of(page)})
    refused = client.post("/admin/policy", data=values)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "每月的日期须在 1 到 31 之间（收到：40）" in text
    assert "policy field" not in text and "a day of the month" not in text
    values["window.first_day"] = "21"
    text = client.post("/admin/policy", data=values).get_data(as_text=True)
    assert "请填写 0 到 100 之间的百分比" in text and "must be a share" not in text
    english = in_english(client).post("/admin/policy", data=values).get_data(as_text=True)
    assert "Enter a percentage between 0 and 100" in english


def test_a_refused_calendar_file_is_explained_in_the_visitors_language(app, client):
    make_user(app, "admin", "administrator", agency=None)
    login(client, "admin")

    def refused(text: str) -> str:
        token = token_of(client.get("/admin/calendar").get_data(as_text=True))
        response = client.post("/admin/calendar", data={"csrf_token": token, "text": text},
                               content_type="multipart/form-data")
        assert response.status_code == 422
        return response.get_data(as_text=True)

    page = refused("2027-01-01,holiday\n2027-13-01,holiday\n")
    assert "第 2 行的日期 2027-13-01 有误（格式 YYYY-MM-DD）" in page and "bad date" not in page
    assert "第 1 行的类型 rest 有误" in refused("2027-01-01,rest\n")
    assert "第 2 行的 2027-01-01 重复（第 1 行已列出）" in refused("2027-01-01,holiday\n2027-01-01,holiday\n")
    in_english(client)
    assert "line 2: bad date 2027-13-01 (expected YYYY-MM-DD)" in refused("2027-01-01,holiday\n2027-13-01,holiday\n")


def test_the_statistics_csv_headers_follow_the_visitors_language(client, demo):
    login_demo(client, "supervisor")
    text = client.get("/supervise/statistics.csv?year=2026").get_data(as_text=True)
    header = next(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert header[:3] == ["执法单位代码", "执法单位", "检查次数"] and "joint_rate" not in header
    english = next(csv.reader(io.StringIO(
        in_english(client).get("/supervise/statistics.csv?year=2026").get_data(as_text=True).removeprefix("\ufeff"))))
    assert english[0] == "Agency code" and english[2] == "Inspections" and "joint_rate" not in english


def test_a_visitor_who_has_not_logged_in_sees_the_portal_not_the_counts(app, client):
    page = client.get("/").get_data(as_text=True)
    assert "待办任务：" not in page and "已部署流程" not in page
    for way_in in ('action="/verify"', 'href="/portal/case"', 'href="/complaints/new"', 'href="/complaints/track"',
                   'href="/login"'):
        assert way_in in page, way_in
    make_user(app, "li", "staff")
    login(client, "li")
    assert "待办任务：" in client.get("/").get_data(as_text=True)  # staff keep the figures


def test_the_planning_page_finds_an_enterprise_by_part_of_its_name(client, demo, svc):
    with svc.sessions() as session:
        enterprise = session.scalar(select(Enterprise).where(Enterprise.credit_code.like("91331125%"))
                                    .order_by(Enterprise.id.desc()))
        # The shortest piece of its name that no other enterprise's name contains.
        part = next(enterprise.name[i:i + n] for n in range(2, len(enterprise.name))
                    for i in range(len(enterprise.name) - n + 1)
                    if session.scalar(select(func.count()).select_from(Enterprise).where(
                        Enterprise.name.contains(enterprise.name[i:i + n], autoescape=True))) == 1)
        credit_code, name = enterprise.credit_code, enterprise.name
    assert part != name
    login_demo(client, "staff")
    page = client.get("/inspections/new").get_data(as_text=True)
    valid = re.findall(r'<input type="checkbox" name="inspectors" value="(\d+)"(?![^>]*disabled)', page)
    response = client.post("/inspections/new", data={
        "csrf_token": token_of(page), "enterprise": part, "planned_start": "2026-10-20", "items": ["SCJG-001"],
        "inspectors": valid[:2], "trigger": "routine", "mode": "onsite"})
    assert response.status_code == 302, f"「{part}」 did not find 「{name}」"
    with svc.sessions() as session:
        assert session.scalar(select(Inspection).order_by(Inspection.id.desc())).enterprise.credit_code == credit_code


def test_the_planned_day_offered_is_a_working_day(client, demo, clock):
    clock.set("2026-09-17T10:00:00+08:00")  # two weeks on is 1 October, 国庆节
    login_demo(client, "staff")
    page = client.get("/inspections/new").get_data(as_text=True)
    offered = date.fromisoformat(re.search(r'name="planned_start" value="([\d-]+)"', page).group(1))
    calendar = services_calendar(client)
    assert offered > date(2026, 10, 1) and calendar.is_working_day(offered)
    assert calendar.working_days_between(date(2026, 10, 1), offered) == 0  # the first working day after


def services_calendar(client):
    with client.application.app_context():
        return services().runtime.calendar
