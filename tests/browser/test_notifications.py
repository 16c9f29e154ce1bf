"""A staff member follows a reminder in Chromium (issue 12 item 7): a new task in the lane, found by the notify
pass run the app's way (`inspectflow notify --at`), shows as an unread count in the header; /notifications lists
it, its 查看任务 opens the task, and the count is gone."""

from __future__ import annotations

import json

from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in, shot
from tests.engine.access_fixtures import PASSWORD
from tests.engine.desk_fixtures import build_case


def test_a_new_task_reminder_is_counted_followed_to_the_task_and_then_read(page: Page, svc, clock, runner):
    case = build_case(svc, clock)  # 拟定方案 opens in SCJG's 执法人员 lane
    result = runner.invoke(args=["notify", "--at", clock.now().isoformat(), "--json"])
    assert result.exit_code == 0 and json.loads(result.output)["created"] >= 1, result.output
    log_in(page, "li2", PASSWORD)
    badge = page.locator("header a.notification-badge")
    expect(badge.locator(".unread-count")).to_have_text("1")
    badge.click()
    expect(page).to_have_url("/notifications")
    reminder = page.locator("tr.unread")
    expect(reminder).to_contain_text("拟定方案")
    shot(page, "notifications-unread")
    reminder.get_by_role("button", name="查看任务").click()
    expect(page).to_have_url(f"/tasks/{case.draft_id}")
    expect(page.locator("h1")).to_have_text("拟定方案")
    expect(page.locator("header a.notification-badge")).to_be_visible()
    expect(page.locator("header .unread-count")).to_have_count(0)
