"""案件查询 and the inbox on a phone in a real browser (issue 12 items 4 and 5): a supervisor finds a case by part of
the enterprise's name at 1366×768 and sees where it stands (its step, the timer it waits on and when that fires),
and the instance's diagram marks that timer; an inspector's inbox at 390×844 is a list of cards, each opened with
one tap anywhere on it."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in, shot


def test_a_supervisor_finds_a_case_by_part_of_the_enterprise_name(page: Page, demo):
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, "supervisor")
    page.goto("/inbox")
    page.get_by_role("link", name="案件查询").click()
    expect(page.locator("h1")).to_have_text("案件查询")
    page.get_by_label("企业名称（可只填一部分）或统一社会信用代码").fill("宏达餐饮")
    page.get_by_role("button", name="查询").click()
    results = page.locator("table.case-results tbody tr")
    expect(results).to_have_count(1)
    expect(results).to_contain_text("示范县宏达餐饮有限公司（003）")
    expect(results).to_contain_text("当前环节：补办审批")
    expect(results).to_contain_text("等待定时：补办期限届满，2026-09-30 23:59 到点")
    shot(page, "supervisor-case-search-1366")
    results.get_by_role("link", name="查看流程实例").click()
    expect(page).to_have_url(re.compile(r"/supervise/instances/\d+$"))
    expect(page.locator("h1")).to_contain_text("补办审批赋码")
    # The diagram marks the timer the case waits on, with the moment it fires.
    expect(page.locator(".diagram-viewer[data-ready=true]")).to_have_count(1)
    expect(page.locator(".djs-element.if-waiting")).to_have_count(1)
    expect(page.locator(".if-waiting-label")).to_have_text("2026-09-30 23:59 到点")
    shot(page, "supervisor-case-diagram-timer")


def test_the_inbox_is_a_list_of_cards_on_a_phone(page: Page, demo):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "staff")
    page.goto("/inbox")
    cards = page.locator("table.cards tbody tr")
    expect(cards.first).to_be_visible()
    assert page.locator("table.cards thead").is_hidden()
    first = cards.first
    assert first.evaluate("row => getComputedStyle(row).display") == "block"
    box = first.bounding_box()
    assert box and box["width"] <= 390
    # Task, enterprise and the working days left, each labelled on the card.
    expect(first.locator(".card-title a")).to_be_visible()
    expect(first.locator("td[data-label='企业']")).to_contain_text("示范县")
    expect(first.locator("td[data-label='期限']")).to_contain_text(re.compile("工作日|今天到期"))
    shot(page, "staff-inbox-cards-390")
    name = first.locator(".card-title a").inner_text()
    due = first.locator("td[data-label='期限']").bounding_box()
    assert due
    page.mouse.click(due["x"] + 5, due["y"] + due["height"] / 2)  # one tap on the card, away from its title
    expect(page).to_have_url(re.compile(r"/tasks/[0-9a-f-]{36}$"))
    expect(page.locator("h1")).to_contain_text(name)
