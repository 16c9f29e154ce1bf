"""Readable diagrams in a real browser (issue 12 item 8): the task and instance pages open the diagram at reading
size on the current step (not the whole lifecycle fitted at 15 %), with buttons for the whole diagram and zoom;
the process owner's editor uses the window's width and height beside its side box, which folds away."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select

from engine.models import TaskRecord
from tests.browser.conftest import log_in, shot

ZOOM = "() => window.inspectflowViewer.get('canvas').zoom()"
# The current step's box on screen, and the viewer's canvas box.
BOXES = """(id) => {
  const canvas = document.querySelector('.diagram-viewer .diagram-canvas').getBoundingClientRect();
  const step = document.querySelector(`.diagram-viewer .djs-element[data-element-id="${id}"]`).getBoundingClientRect();
  return { canvas: [canvas.left, canvas.top, canvas.right, canvas.bottom],
           step: [step.left, step.top, step.right, step.bottom] };
}"""


def assert_focused_on(page: Page, element_id: str) -> None:
    assert page.evaluate(ZOOM) >= 0.8
    boxes = page.evaluate(BOXES, element_id)
    (left, top, right, bottom), (s_left, s_top, s_right, s_bottom) = boxes["canvas"], boxes["step"]
    assert left <= s_left and s_right <= right and top <= s_top and s_bottom <= bottom, boxes


def test_the_task_page_opens_the_diagram_on_the_current_step_at_reading_size(page: Page, demo, svc):
    with svc.sessions() as session:
        task_id = session.scalar(select(TaskRecord.id).where(TaskRecord.element_id == "Task_give_notice",
                                                             TaskRecord.state == "open").order_by(TaskRecord.id))
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, "staff")
    page.goto(f"/tasks/{task_id}")
    viewer = page.locator(".diagram-viewer[data-ready=true]")
    expect(viewer).to_be_attached()
    current = viewer.locator(".djs-element.if-current[data-element-id=Task_give_notice]")
    expect(current).to_be_visible()
    assert_focused_on(page, "Task_give_notice")
    assert viewer.locator(".diagram-canvas").bounding_box()["height"] >= 0.55 * 768
    viewer.scroll_into_view_if_needed()
    shot(page, "diagram-task-current-step")

    opened = page.evaluate(ZOOM)
    viewer.get_by_role("button", name="放大").click()
    assert page.evaluate(ZOOM) > opened
    viewer.get_by_role("button", name="缩小").click()
    viewer.get_by_role("button", name="缩小").click()
    assert page.evaluate(ZOOM) < opened
    viewer.get_by_role("button", name="全图").click()
    whole = page.evaluate("() => window.inspectflowViewer.get('canvas').viewbox()")
    assert whole["inner"]["width"] * whole["scale"] <= whole["outer"]["width"] + 1  # the whole diagram is in view
    viewer.get_by_role("button", name="当前环节").click()
    assert_focused_on(page, "Task_give_notice")


def test_the_instance_page_opens_on_the_current_step(page: Page, demo):
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, "supervisor")
    page.goto("/supervise")
    page.locator("a[href^='/supervise/instances/']").first.click()
    viewer = page.locator(".diagram-viewer[data-ready=true]")
    expect(viewer).to_be_attached()
    current = viewer.locator(".djs-element.if-current").first
    expect(current).to_be_attached()
    assert_focused_on(page, current.get_attribute("data-element-id"))
    viewer.scroll_into_view_if_needed()
    shot(page, "diagram-instance-current-step")


def test_the_modeler_canvas_uses_the_window(page: Page, demo):
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, "owner")
    page.goto("/processes")
    page.locator("a[href$='/edit']").first.click()
    expect(page.locator("#modeler[data-ready=true]")).to_be_attached()
    canvas = page.locator("#modeler-canvas")
    side = page.locator("#modeler-properties").bounding_box()
    box = canvas.bounding_box()
    # The window less the side box, the gap between them and the page's padding: nothing else takes width.
    assert box["width"] >= 1366 - side["width"] - 60, (box, side)
    assert box["y"] + box["height"] >= 768 - 40 and box["height"] >= 450, box
    shot(page, "diagram-modeler-window")

    page.get_by_role("button", name="属性栏").click()
    expect(page.locator("#modeler-properties")).to_be_hidden()
    expect(page.get_by_role("button", name="属性栏")).to_have_attribute("aria-expanded", "false")
    assert canvas.bounding_box()["width"] >= 1366 - 60
    outer = page.evaluate("() => window.inspectflowModeler.get('canvas').viewbox().outer.width")
    assert outer >= 1366 - 60  # bpmn-js measured the wider box again
