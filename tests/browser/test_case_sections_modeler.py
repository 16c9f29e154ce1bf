"""The process owner decides in the modeler's side box what a step shows of its case (issue 12 item 1): the
sections as checkboxes and the earlier steps whose opinions it shows, deployed as `inspectflow:shows`; a date
field's "today" default likewise."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from engine.bpmn import parse_diagram_xml
from engine.bpmn.case_view import CaseShows, parse_shows
from engine.bpmn.forms import parse_forms
from tests.browser.conftest import shot
from tests.browser.test_owner_modeler import SELECT, open_first_version, versions


def test_the_side_box_edits_what_a_step_shows_and_a_dates_default(page: Page, demo, svc):
    box = open_first_version(page, svc, selected="Task_give_notice")
    shows = box.locator(".shows-editor")
    expect(shows.get_by_label("检查计划", exact=True)).to_be_checked()
    expect(shows.get_by_label("投诉内容")).not_to_be_checked()
    shows.get_by_label("检查计划", exact=True).uncheck()
    shows.get_by_label("前序环节意见").check()
    shows.get_by_label("展示哪些前序环节的意见（用户任务标识，用逗号分隔；空则全部）").fill("Task_reschedule")
    shows.get_by_label("展示哪些前序环节的意见（用户任务标识，用逗号分隔；空则全部）").press("Tab")
    notice_date = box.locator(".form-field").nth(0)
    expect(notice_date.get_by_label("默认填今天")).to_be_checked()
    notice_date.get_by_label("默认填今天").uncheck()
    shot(page, "owner-modeler-case-sections")

    page.evaluate(SELECT, "Task_reschedule")  # declares nothing: the default, until the owner chooses
    expect(box.locator(".shows-editor")).to_contain_text("未声明，展示所有适用的部分")
    box.locator(".shows-declare").click()
    expect(box.locator(".shows-editor").get_by_label("企业", exact=True)).to_be_checked()

    page.click("#modeler-deploy")
    expect(page.locator("#modeler-steps li[data-step=done]")).to_have_text("已部署 advance_notice v2")
    (_, (_, _, v2_xml)) = versions(svc, "advance_notice")
    root = parse_diagram_xml(v2_xml)
    declared = parse_shows(root)
    assert declared["Task_give_notice"] == CaseShows(("enterprise", "notice", "handover", "opinions"),
                                                     ("Task_reschedule",))
    assert "plan" in declared["Task_reschedule"].sections
    assert {f.name: f.default for f in parse_forms(root)["Task_give_notice"].fields}["notice_date"] == ""
