"""The phone layout (issue 12 item 5) in Chromium at 390×844 and at 1366×768: the header folds into a 菜单 button
(a CSS-only toggle: the CSP allows no inline script), a task form is one column with touch targets of 44 px, and a
decision is 同意 / 不同意 buttons beside the opinion box. Screenshots of both sizes go to tests/artifacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in, shot
from tests.engine.helpers import deploy, start
from tests.web.pages import PASSWORD, make_user

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
TOUCH = 44  # px: the smallest comfortable touch target


@pytest.fixture
def approval(app, svc, clock):
    """tests/fixtures/decision_task.bpmn waiting at its approval, for li (执法人员 of SCJG)."""
    deploy(svc, clock, "decision_task.bpmn")
    start(svc, clock, "decision_task", {"agency": "SCJG"}, business_key="enterprise:91331125MA2E000001")
    make_user(app, "li", "staff")


def test_the_header_folds_into_a_menu_on_a_phone(page: Page):
    page.set_viewport_size(PHONE)
    page.goto("/")
    menu, login = page.locator("label.menu-button"), page.locator("header a.login-link")
    expect(menu).to_be_visible()
    expect(login).to_be_hidden()
    assert menu.bounding_box()["height"] >= TOUCH
    shot(page, "phone-390-home-menu-closed")
    menu.click()
    expect(login).to_be_visible()
    assert login.bounding_box()["height"] >= TOUCH
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing sticks out sideways
    shot(page, "phone-390-home-menu-open")

    page.set_viewport_size(DESKTOP)
    expect(menu).to_be_hidden()
    page.locator("#menu-toggle").uncheck(force=True)  # closed or open, the desktop shows the links
    expect(login).to_be_visible()
    shot(page, "desktop-1366-home")


def test_a_task_form_on_a_phone_is_one_column_with_同意_and_不同意_beside_the_opinion(page: Page, approval):
    page.set_viewport_size(PHONE)
    log_in(page, "li", PASSWORD)
    page.goto("/inbox")
    page.locator("a", has_text="审批检查计划").first.click()
    expect(page.locator("h1")).to_have_text("审批检查计划")
    opinion, date = page.locator("#plan_opinion"), page.locator("#approval_date")
    agree, disagree = page.locator("button.agree"), page.locator("button.disagree")
    expect(agree).to_have_text("同意")
    expect(disagree).to_have_text("不同意")
    expect(page.locator("button.step-submit")).to_be_hidden()  # the decision's buttons submit the step
    expect(page.locator("select#plan_approved")).to_have_count(0)
    boxes = {name: control.bounding_box() for name, control in
             (("date", date), ("opinion", opinion), ("agree", agree), ("disagree", disagree))}
    main_width = page.locator("main").bounding_box()["width"]
    for name in ("date", "opinion"):  # one column: each control takes the width, one under the other
        assert boxes[name]["width"] >= main_width * 0.85, (name, boxes[name], main_width)
        assert boxes[name]["height"] >= TOUCH, (name, boxes[name])
    assert boxes["date"]["y"] + boxes["date"]["height"] <= boxes["opinion"]["y"]
    for name in ("agree", "disagree"):
        assert boxes[name]["height"] >= TOUCH, (name, boxes[name])
        assert 0 <= boxes[name]["y"] - (boxes["opinion"]["y"] + boxes["opinion"]["height"]) <= 80  # right below it
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    date.fill("2026-09-30")
    opinion.fill("同意按计划检查")
    shot(page, "phone-390-task-decision")

    page.set_viewport_size(DESKTOP)
    expect(agree).to_be_visible()
    assert agree.bounding_box()["y"] > opinion.bounding_box()["y"]  # still after the opinion box
    shot(page, "desktop-1366-task-decision")
    # The Enter key submits with the form's first submit button: a disabled one, so Enter in a text box is not 同意.
    assert opinion.evaluate("box => box.form.querySelector('button[type=submit]').disabled") is True
    agree.click()
    expect(page.locator(".flash-ok")).to_contain_text("「审批检查计划」已提交。")
