"""An inspector on a phone (390×844) opens 制作现场检查笔录, takes a photo through the form's file input (the
camera on a real phone: `capture="environment"`), and completes the step; the photo is then on the case, shown
as a thumbnail the browser can load (issue 12 item 3, R22)."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in, shot
from tests.processes.test_inspection_lifecycle import AGENCY, waiting_at_record
from tests.web.pages import PASSWORD, make_user

PHONE = {"width": 390, "height": 844}


def photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def record_step(app, svc, clock) -> str:
    """A lifecycle waiting at its 制作现场检查笔录 on the visit day, and an inspector of its agency."""
    step = waiting_at_record(svc, clock)
    make_user(app, "inspector", "staff", agency=AGENCY)
    return step


def test_an_inspector_attaches_a_photo_to_the_record_on_a_phone(page: Page, record_step: str):
    page.set_viewport_size(PHONE)
    log_in(page, "inspector", PASSWORD)
    page.goto("/inbox")
    page.locator(f"a[href='/tasks/{record_step}']").first.click()
    expect(page.locator("h1")).to_have_text("制作现场检查笔录")
    photos = page.locator("input#photos")
    expect(photos).to_have_attribute("capture", "environment")
    expect(photos).to_have_attribute("accept", "image/*,application/pdf")
    page.fill("#record_date", "2026-10-16")
    page.fill("#record_text", "冷库温度记录齐全，现场拍照留存")
    page.select_option("#problems_found", label="否")
    page.select_option("#penalty_needed", label="否")
    photos.set_input_files([{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": photo()}])
    shot(page, "inspector-record-photo-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.click("button.step-submit")
    expect(page.locator(".flash-ok")).to_contain_text("已提交")

    page.goto(f"/tasks/{record_step}")  # the completed step's page lists the case's files
    thumbnail = page.get_by_role("img", name="现场.jpg")
    expect(thumbnail).to_be_visible()
    assert thumbnail.evaluate("image => image.complete && image.naturalWidth") == 64
