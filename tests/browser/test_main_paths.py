"""Each user's main path through the pages in a real browser (issue 4): staff complete a notice task, a
supervisor finds an overdue step and its history, an enterprise verifies a code and files a complaint that
reaches the county office's inbox. (The process owner's modeler path is in test_owner_modeler.py.)"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from engine.models import BehaviorCode, Complaint, TaskRecord
from engine.platform.audit import trail
from tests.browser.conftest import log_in, shot


def test_staff_completes_the_notice_task_from_the_inbox(page: Page, demo, svc):
    log_in(page, "staff")
    page.goto("/inbox")
    shot(page, "staff-inbox")
    page.get_by_role("link", name="送达检查预告").first.click()
    expect(page.locator("h1")).to_have_text("送达检查预告")
    shot(page, "staff-task-notice")

    page.click("button.step-submit:has-text('提交')")  # nothing filled in: the server names every missing field
    expect(page.locator(".error").first).to_be_visible()
    page.fill("#notice_date", "2026-09-30")
    page.select_option("#method", "书面")
    page.click("button.step-submit")
    expect(page.locator(".flash-ok")).to_contain_text("已提交")
    shot(page, "staff-inbox-after-notice")

    with svc.sessions() as session:
        task = session.scalar(select(TaskRecord).where(TaskRecord.element_id == "Task_give_notice"))
        history = trail(session, task.instance_id)
    assert task.state == "completed" and task.completed_by == "staff"
    completion = next(e for e in history if e.action == "task.completed" and e.actor == "staff")
    # The plan's two items and two inspectors, offered chosen (choices_from): nothing typed again.
    assert len(completion.after["data"]["notice_items"]) == 2
    assert len(completion.after["data"]["notice_inspectors"]) == 2


def test_supervisor_finds_an_overdue_step_and_its_history(page: Page, demo):
    log_in(page, "supervisor")
    page.goto("/supervise")
    expect(page.get_by_text("逾期环节").first).to_be_visible()
    shot(page, "supervisor-dashboard")
    overdue_link = page.locator("a[href^='/supervise/instances/']").first
    overdue_link.click()
    expect(page).to_have_url(re.compile(r"/supervise/instances/\d+$"))
    expect(page.get_by_text("审计记录")).to_be_visible()
    expect(page.locator("table").last).to_contain_text("流程启动")
    shot(page, "supervisor-instance-history")


def test_enterprise_verifies_a_code_and_its_complaint_reaches_the_county_office(page: Page, demo, svc, clock):
    with svc.sessions() as session:
        live = session.scalar(select(BehaviorCode.code).where(BehaviorCode.valid_to > clock.now())
                              .order_by(BehaviorCode.id))
    assert live, "the demo should hold a live code"

    page.goto("/portal")
    shot(page, "portal-home")
    page.fill("input[name=code]", live)
    page.click("button:has-text('核验')")
    expect(page).to_have_url(re.compile(rf"/codes/{re.escape(live)}$"))
    expect(page.locator("main")).to_contain_text("有效")
    shot(page, "portal-code-verified")

    page.goto(f"/complaints/new?code={live}")
    page.select_option("#kind", index=1)
    page.fill("#content", "检查人员未提前告知，且要求企业负责人必须到场")
    page.click("button:has-text('提交')")
    expect(page).to_have_url(re.compile(r"/complaints/track\?number=TS-"))
    shot(page, "portal-complaint-filed")
    with svc.sessions() as session:
        complaint = session.scalar(select(Complaint).order_by(Complaint.id.desc()))
    assert complaint.code_text == live and complaint.inspection_id is not None  # the code names its inspection
    expect(page.locator("main strong")).to_have_text(complaint.tracking_number)

    page.context.clear_cookies()
    log_in(page, "office")
    page.goto("/inbox")
    expect(page.get_by_role("link", name="受理投诉").first).to_be_visible()
    shot(page, "office-inbox-complaint")
