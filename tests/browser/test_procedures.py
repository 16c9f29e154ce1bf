"""Two procedures walked end to end in Chromium by their people (issue 11 "Tests"): an inspection from the
inspector's plan to the enterprise's rating on the portal, and a complaint from the portal to the complainant's
rating of the reply. Each step is clicked through the pages of the role whose lane it is in; time moves with the
injected clock and `inspectflow sweep --at`, as an operator would move it."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.acceptance.test_inspection_lifecycle import VISIT_DAY, quiet_enterprise
from tests.browser.conftest import log_in, shot
from tests.web.pages import DEMO_PASSWORD, token_of


class PageReader:
    """A logged-in test client read the way the acceptance helpers read pages (to pick a free enterprise)."""

    def __init__(self, app, username: str):
        self.client = app.test_client()
        login = self.client.get("/login").get_data(as_text=True)
        self.client.post("/login", data={"username": username, "password": DEMO_PASSWORD,
                                         "csrf_token": token_of(login)})

    def get(self, path: str) -> str:
        return self.client.get(path).get_data(as_text=True)


def as_user(page: Page, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, username)


def work(page: Page, inbox_filter: str, name: str, fields: dict[str, str | bool], *, screenshot: str = "") -> None:
    """Open 「name」 from the inbox (filtered on the case), fill the form the diagram declares, and submit it: with
    the decision's button (同意/不同意, 通过/不通过) when the form has one, else the step's 提交 or 办结."""
    page.goto(f"/inbox?{inbox_filter}")
    page.get_by_role("link", name=name, exact=True).first.click()
    expect(page.locator("h1")).to_have_text(name)
    submit = page.locator("button.step-submit")
    for field, value in fields.items():
        control = page.locator(f"[name={field}]").first
        tag = control.evaluate("element => element.tagName.toLowerCase()")
        if tag == "button":  # a decision: its button submits the step
            submit = page.locator(f"button[name={field}][value={'true' if value else 'false'}]")
        elif tag == "select":
            control.select_option(label="是" if value is True else "否" if value is False else str(value))
        else:
            control.fill(str(value))
    if screenshot:
        shot(page, screenshot)
    submit.click()
    expect(page.locator(".flash-ok")).to_contain_text(re.compile("已提交|已办结"))


def test_an_inspection_from_the_plan_to_the_enterprises_rating(page: Page, demo, app, clock, runner):
    credit_code = quiet_enterprise(PageReader(app, "staff"))
    case = f"enterprise={credit_code}"
    as_user(page, "staff")
    page.goto("/inspections/new")
    page.fill("#enterprise", credit_code)
    page.fill("#planned_start", VISIT_DAY)
    page.check("input[name=items][value='SCJG-001']")
    for box in page.locator("input[name=inspectors]:not([disabled])").all()[:2]:
        box.check()
    shot(page, "procedure-plan")
    page.click("button:has-text('建立计划')")
    expect(page.locator("h1")).to_have_text("制定检查计划")
    page.select_option("#notice_exemption", "无")
    page.click("button.step-submit")
    expect(page.locator(".flash-ok")).to_contain_text("已提交")

    as_user(page, "office")
    work(page, case, "确认检查前置条件", {"check_outcome": "通过", "in_quiet_period": False},
         screenshot="procedure-office-check")
    as_user(page, "head")
    work(page, case, "单位负责人审批", {"plan_approved": True, "plan_opinion": "同意"},
         screenshot="procedure-head-approval")

    as_user(page, "staff")
    page.goto(f"/inbox?{case}")
    page.get_by_role("link", name="送达检查预告").first.click()
    handed = page.locator("p.handover").inner_text()
    code, check = re.search(r"行政行为码 (\S+) · 企业校验码 (\S+?)：", handed).groups()
    page.fill("#notice_date", "2026-09-30")
    page.select_option("#method", "书面")
    shot(page, "procedure-notice")
    page.click("button.step-submit")
    expect(page.locator(".flash-ok")).to_contain_text("已提交")

    assert runner.invoke(args=["sweep", "--at", "2026-10-17T00:00:00+08:00"]).exit_code == 0
    clock.set("2026-10-19T09:00:00+08:00")
    as_user(page, "staff")  # the visit day: a new working day, a new login (sessions last 12 hours)
    work(page, case, "实施现场检查（亮码）", {"started_at": "2026-10-19T09:30:00+08:00", "code_shown": True,
                                       "conduct_confirmed": True, "audio_video": True})
    work(page, case, "制作现场检查笔录", {"record_date": VISIT_DAY, "record_text": "未发现问题",
                                     "problems_found": False, "penalty_needed": False})

    page.context.clear_cookies()
    page.goto("/portal")
    page.get_by_role("link", name=re.compile("企业办理")).click()
    page.fill("#code", code)
    page.fill("#check", check)
    page.click("button:has-text('进入办理')")
    expect(page.locator("#step-Task_rating")).to_contain_text("企业评价")
    shot(page, "procedure-enterprise-case")
    page.click("#rate-link")
    page.select_option("#score", "5")
    page.fill("#comment", "检查规范，出示了行政行为码")
    page.click("button:has-text('提交评价')")
    expect(page.locator("h1")).to_have_text("感谢您的评价")
    page.goto(f"/portal/case?code={code}&check={check}")
    expect(page.locator("main")).to_contain_text("已办结")
    expect(page.locator("main")).to_contain_text("目前没有需要您办理的事项")
    shot(page, "procedure-enterprise-closed")


def test_a_complaint_from_the_portal_to_the_complainants_rating(page: Page, demo):
    page.goto("/complaints/new")
    page.select_option("#kind", "misconduct")
    page.fill("#content", "执法人员检查时要求企业提供午餐")
    page.click("button:has-text('提交')")
    receipt = page.locator(".flash-ok").inner_text()
    number, check = re.search(r"查询编号 (\S+) 和校验码 (\S+?)（", receipt).groups()
    shot(page, "procedure-complaint-receipt")
    case = f"q={number}"

    as_user(page, "office")
    work(page, case, "受理投诉", {"acceptance_date": "2026-09-30", "category": "违反五个严禁八个不得",
                              "handler": "王敏", "correcting_agency": "SCJG 示范县市场监督管理局"},
         screenshot="procedure-accept")
    work(page, case, "调查核实", {"investigation_findings": "情况属实", "substantiated": True})
    work(page, case, "责令改正并确定处理措施", {"correction_order": "退还餐费", "interview": False,
                                        "public_notice": False, "transfer_discipline": False})
    as_user(page, "head")
    work(page, case, "落实整改纠正", {"corrected_date": "2026-10-09", "correction_report": "已退还餐费"})
    as_user(page, "office")
    work(page, case, "核查整改情况", {"verify_date": "2026-10-10", "verified": True})
    work(page, case, "答复投诉人", {"reply_date": "2026-10-12", "reply_text": "经查属实，已责令改正"})

    page.context.clear_cookies()
    page.goto(f"/complaints/track?number={number}")
    expect(page.locator("main")).to_contain_text("经查属实，已责令改正")
    page.fill("#check", check)
    page.click("button:has-text('进入办理')")
    step = page.locator("section.enterprise-step")
    expect(step).to_contain_text("投诉人评价")
    step.locator("[name=rating]").select_option("满意")
    step.locator("[name=rating_date]").fill("2026-10-12")
    shot(page, "procedure-complainant-rating")
    step.locator("button:has-text('提交')").click()
    expect(page.locator(".flash-ok")).to_contain_text("已提交")
    page.goto(f"/complaints/track?number={number}")
    expect(page.locator("main")).to_contain_text("已办结")
