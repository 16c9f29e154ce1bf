"""亮码 on a phone in a real browser (issue 12 item 6): an inspector opens the case's code screen at 390×844 from
the task page — the code as text and a QR large enough to scan — and the enterprise's phone opens the page the QR
encodes and sees the code live, the enterprise and the inspectors with their certificates (R22, R1)."""

from __future__ import annotations

import base64

import pytest
from playwright.sync_api import Browser, Page, expect

from engine.domain.code_qr import code_qr
from tests.browser.conftest import log_in, shot
from tests.web.pages import PASSWORD
from tests.web.test_papers import ENTERPRISE, make_case

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def case(app, svc, clock) -> dict:
    return make_case(app, svc, clock, assistant=False)  # every person on the code holds a certificate (R1)


def test_an_inspector_shows_the_code_and_the_enterprise_verifies_it_on_its_phone(page: Page, browser: Browser,
                                                                                  live_url: str, case):
    page.set_viewport_size(PHONE)
    log_in(page, "wang", PASSWORD)
    page.goto("/inbox")
    page.locator(f"a[href='/tasks/{case['task']}']").first.click()
    page.get_by_role("link", name="亮码 · 执法文书").click()
    expect(page.locator("h1")).to_have_text("亮码检查")
    qr = page.get_by_role("img", name="行政行为码二维码：扫码核验")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None and box["width"] >= 300 and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    expect(page.locator(".code-text")).to_have_text(case["code"])
    expect(page.locator(".code-state")).to_contain_text("在有效期内")
    shot(page, "inspector-code-screen-390")
    # The QR is the code's public verify URL on this server: what the enterprise's camera opens.
    source = qr.get_attribute("src") or ""
    assert base64.b64decode(source.split(",", 1)[1]) == code_qr(f"{live_url}/", case["code"], kind="svg", scale=8)
    verify_url = f"{live_url}/codes/{case['code']}"

    phone = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        enterprise = phone.new_page()
        enterprise.goto(verify_url)
        expect(enterprise.locator("h1")).to_have_text("行政行为码核验")
        expect(enterprise.get_by_text(f"有效：{case['code']}（已签发）")).to_be_visible()
        expect(enterprise.locator(".code-state")).to_contain_text("在有效期内")
        expect(enterprise.get_by_text(f"被检查企业：{ENTERPRISE}")).to_be_visible()
        expect(enterprise.get_by_text("王执法 · 执法证 33112599000101 · 有效")).to_be_visible()
        assert enterprise.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shot(enterprise, "enterprise-verifies-code-390")
    finally:
        phone.close()
