"""A head approves with an opinion in Chromium, and the opinion then shows in the case's 流转 timeline
(issue 12 items 2 and 10 "Tests"), beside the drafting step's 办理意见 before it. The earlier opinions show above
the form; the timeline, the full record, starts folded below it."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from engine.commands import Work, tasks
from tests.browser.conftest import log_in, shot
from tests.engine.access_fixtures import PASSWORD
from tests.engine.desk_fixtures import build_case, person
from tests.engine.helpers import only_task


def test_a_head_approves_with_an_opinion_that_then_shows_in_the_timeline(page: Page, svc, clock):
    case = build_case(svc, clock)
    with svc.transaction() as session:
        tasks.complete_task(Work(session, svc.clock(), svc.runtime), person("li"), case.draft_id,
                            {"visit_date": "2026-10-20", "handling_opinion": "拟于10月20日现场检查"})
    approval = only_task(svc, case.instance_id, "Approve").id
    log_in(page, "head", PASSWORD)
    page.goto(f"/tasks/{approval}")
    # The drafting step's opinion shows once, above the form; the full 流转 record is folded below it.
    expect(page.locator("section.case.opinions")).to_contain_text("拟于10月20日现场检查")
    timeline = page.locator("section.timeline")
    expect(timeline.locator("ol.timeline")).to_be_hidden()
    shot(page, "task-approval-opinions-above-timeline-folded")
    timeline.locator("summary").click()
    expect(timeline).to_contain_text("拟于10月20日现场检查")
    page.select_option("#approved", "true")
    page.fill("#approval_opinion", "同意，按计划实施")
    page.click("button.step-submit")
    expect(page.locator(".flash-ok")).to_be_visible()

    page.goto(f"/tasks/{approval}")
    page.locator("section.timeline summary").click()
    steps = page.locator("section.timeline li.timeline-completed")
    expect(steps).to_have_count(2)
    expect(steps.nth(0)).to_contain_text("拟定方案")
    expect(steps.nth(1)).to_contain_text("负责人审批")
    expect(steps.nth(1)).to_contain_text("head")
    expect(steps.nth(1).locator("dd").first).to_have_text("是")
    expect(steps.nth(1)).to_contain_text("同意，按计划实施")
    shot(page, "task-timeline-head-opinion")
