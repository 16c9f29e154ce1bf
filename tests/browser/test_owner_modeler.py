"""The process owner's main path in a real browser (issue 4): open a version in the bpmn-js modeler, edit it,
let the server check it (a problem is pinned to its element on the canvas), deploy it as a new version, and
see a new instance started from the command line run on that version; and the task page's diagram showing
where an instance stands."""

from __future__ import annotations

import json
import re

from lxml import etree
from playwright.sync_api import Page, expect
from sqlalchemy import select

from engine.bpmn import parse_diagram_xml
from engine.bpmn.forms import parse_forms
from engine.bpmn.hooks import StageHook, parse_hooks
from engine.models import Diagram, ProcessInstance, ProcessVersion
from tests.browser.conftest import log_in, shot

RENAMED = "送达检查预告（含书面回执）"
UNSAFE_CONDITION = """(() => {
  const modeler = window.inspectflowModeler;
  const flow = modeler.get('elementRegistry').get('Flow_02_exempt');
  const condition = modeler.get('moddle').create('bpmn:FormalExpression', { body: "__import__('os')" });
  modeler.get('modeling').updateProperties(flow, { conditionExpression: condition });
})()"""


def versions(svc, key: str) -> list[tuple[int, int, bytes]]:
    with svc.sessions() as session:
        return list(session.execute(select(ProcessVersion.id, ProcessVersion.version, Diagram.xml)
                                    .join(Diagram, Diagram.id == ProcessVersion.diagram_id)
                                    .where(ProcessVersion.process_key == key).order_by(ProcessVersion.version)).all())


def test_owner_edits_checks_and_deploys_and_a_new_instance_runs_on_the_new_version(page: Page, demo, svc, runner):
    ((v1_id, _, v1_xml),) = versions(svc, "advance_notice")
    log_in(page, "owner")
    page.goto("/processes")
    shot(page, "owner-processes")
    page.locator(f"a[href='/processes/versions/{v1_id}/edit']").click()
    expect(page.locator("#modeler[data-ready=true]")).to_be_attached()
    expect(page.locator("[data-element-id=Task_give_notice]")).to_be_visible()
    shot(page, "owner-modeler-opened")

    # Rename a task the way a user does: double-click it and type the new name.
    page.locator("[data-element-id=Task_give_notice]").dblclick()
    editor = page.locator(".djs-direct-editing-parent")
    expect(editor).to_be_visible()
    page.keyboard.press("Control+A")
    page.keyboard.type(RENAMED)
    page.locator("[data-element-id=Script_period_passed]").click()  # leaves the label editor
    expect(page.locator("[data-element-id=Task_give_notice]")).to_contain_text("书面回执")

    # A condition the restricted environment refuses: the check pins it to its sequence flow.
    page.evaluate(UNSAFE_CONDITION)
    page.click("#modeler-check")
    problem = page.locator("#modeler-problems li button")
    expect(problem).to_have_count(1)
    expect(problem).to_contain_text("Flow_02_exempt")
    expect(page.locator(".djs-connection.if-problem[data-element-id=Flow_02_exempt]")).to_be_attached()
    expect(page.locator(".if-problem-badge")).to_be_visible()
    expect(page.locator("#modeler-steps")).to_be_hidden()  # a check alone deploys nothing
    problem.click()
    expect(page.locator(".djs-connection.selected[data-element-id=Flow_02_exempt]")).to_be_attached()
    shot(page, "owner-modeler-problem")

    page.evaluate("window.inspectflowModeler.get('commandStack').undo()")
    page.click("#modeler-check")
    expect(page.locator("#modeler-status")).to_contain_text("检查通过")
    expect(page.locator(".if-problem-badge")).to_have_count(0)

    page.click("#modeler-deploy")
    expect(page.locator("#modeler-steps li[data-step=done]")).to_have_text("已部署 advance_notice v2")
    expect(page.locator("#modeler-steps li.done")).to_have_count(2)
    shot(page, "owner-modeler-deployed")

    (_, (v2_id, version, v2_xml)) = versions(svc, "advance_notice")
    assert version == 2 and RENAMED in v2_xml.decode()
    old_root, new_root = parse_diagram_xml(v1_xml), parse_diagram_xml(v2_xml)
    assert parse_forms(new_root) == parse_forms(old_root) and parse_hooks(new_root) == parse_hooks(old_root)

    result = runner.invoke(args=["start", "advance_notice", "--json", "--data", json.dumps(
        {"agency": "SCJG", "enterprise": "91331125MA2E000001", "inspection_date": "2026-10-20",
         "notice_exemption": "无", "notice_exemption_reason": ""})])
    assert result.exit_code == 0, result.output
    started = json.loads(result.output)
    assert started["version"] == 2 and [t["name"] for t in started["open_tasks"]] == [RENAMED]
    with svc.sessions() as session:
        assert session.get(ProcessInstance, started["id"]).process_version_id == v2_id

    page.locator("#modeler-status a", has_text="v2").click()
    expect(page).to_have_url(re.compile(rf"/processes/versions/{v2_id}/edit$"))
    expect(page.locator("#modeler[data-ready=true]")).to_be_attached()
    expect(page.locator("[data-element-id=Task_give_notice]")).to_contain_text("书面回执")
    page.goto("/processes")
    old = page.locator("details.old-instances").first
    expect(old.locator("summary")).to_contain_text("仍在旧版本上运行")
    old.locator("summary").click()
    shot(page, "owner-processes-old-versions")


def test_a_new_process_is_drawn_from_the_blank_diagram_and_deployed(page: Page, demo, svc):
    log_in(page, "owner")
    page.goto("/processes")
    page.get_by_role("link", name="新建流程").click()
    expect(page.locator("#modeler[data-ready=true]")).to_be_attached()
    page.fill("#process-id", "site_visit")
    page.fill("#process-name", "现场走访")
    page.click("#modeler-deploy")
    expect(page.locator("#modeler-steps li[data-step=done]")).to_have_text("已部署 site_visit v1")
    shot(page, "owner-modeler-new-process")
    (_, version, xml) = versions(svc, "site_visit")[0]
    assert version == 1 and 'name="现场走访"' in xml.decode()


def test_the_task_page_shows_the_current_step_on_the_diagram(page: Page, demo):
    log_in(page, "staff")
    page.goto("/inbox")
    page.get_by_role("link", name="送达检查预告").first.click()
    viewer = page.locator(".diagram-viewer[data-ready=true]")
    expect(viewer).to_be_attached()
    expect(viewer.locator(".djs-element.if-current[data-element-id=Task_give_notice]")).to_be_visible()
    expect(viewer.locator(".diagram-note")).to_have_count(0)
    viewer.scroll_into_view_if_needed()
    shot(page, "staff-task-diagram")


SELECT = """(id) => {
  const modeler = window.inspectflowModeler;
  modeler.get('selection').select(modeler.get('elementRegistry').get(id));
}"""


def open_first_version(page: Page, svc, key: str = "advance_notice", selected: str | None = None):
    """The owner's modeler on version 1 of `key`, ready, with the element `selected`; returns its side box."""
    ((v1_id, _, _),) = versions(svc, key)
    log_in(page, "owner")
    page.goto(f"/processes/versions/{v1_id}/edit")
    expect(page.locator("#modeler[data-ready=true]")).to_be_attached()
    if selected:
        page.evaluate(SELECT, selected)
    return page.locator("#modeler-properties")


def test_expressions_and_the_xml_source_are_edited_in_the_browser(page: Page, demo, svc):
    properties = open_first_version(page, svc)
    expect(properties).to_contain_text("选中连线、定时事件或脚本任务")

    page.evaluate(SELECT, "Timer_notice_period")  # the timer's expression, edited in the side box
    timer = properties.locator("input")
    expect(timer).to_have_value("notice_period_ends")
    timer.fill("working_days_after(notice_date, 6)")
    timer.press("Tab")
    shot(page, "owner-modeler-properties")

    source = page.locator("#modeler-source")
    source.locator("summary").click()
    text = page.locator("#modeler-source-text")
    expect(text).to_have_value(re.compile("working_days_after\\(notice_date, 6\\)"))
    text.fill("<bpmn:definitions")  # not XML: refused, the canvas keeps the diagram
    page.click("#modeler-source-apply")
    expect(page.locator("#modeler-status")).to_contain_text("源码无法解析")
    expect(page.locator("[data-element-id=Task_give_notice]")).to_be_visible()
    source.locator("summary").click()
    source.locator("summary").click()  # reopened: the source is the canvas again
    expect(text).to_have_value(re.compile('label="备注"'))
    edited = text.input_value().replace('label="备注"', 'label="备注说明"')
    text.fill(edited)
    page.click("#modeler-source-apply")
    expect(page.locator("#modeler-status")).to_contain_text("已按源码更新")
    shot(page, "owner-modeler-source")

    page.click("#modeler-deploy")
    expect(page.locator("#modeler-steps li[data-step=done]")).to_have_text("已部署 advance_notice v2")
    (_, (_, version, v2_xml)) = versions(svc, "advance_notice")
    assert version == 2
    assert "working_days_after(notice_date, 6)" in v2_xml.decode() and 'label="备注说明"' in v2_xml.decode()


DROP_EXTENSIONS = """(id) => {
  const modeler = window.inspectflowModeler;
  const task = modeler.get('elementRegistry').get(id);
  modeler.get('modeling').updateProperties(task, { extensionElements: undefined });
}"""


def test_a_user_tasks_form_is_edited_in_the_side_box(page: Page, demo, svc):
    box = open_first_version(page, svc, selected="Task_give_notice")
    rows = box.locator(".form-field")
    expect(rows).to_have_count(5)
    expect(rows.nth(1).get_by_label("类型")).to_have_value("choice")
    expect(rows.nth(1).get_by_label("选项来源")).to_have_value("")  # typed in the diagram: 书面|电话|…
    expect(rows.nth(2).get_by_label("选项来源")).to_have_value("plan_items")  # the plan's items
    expect(rows.nth(2).get_by_label("选项（用 | 分隔）")).to_have_count(0)  # nothing to type
    rows.nth(4).locator(".form-field-remove").click()  # 备注 goes
    expect(rows).to_have_count(4)
    page.evaluate("window.inspectflowModeler.get('commandStack').undo()")  # and comes back
    expect(rows).to_have_count(5)
    rows.nth(4).locator(".form-field-remove").click()
    box.locator(".form-field-add").click()
    added = rows.nth(4)
    name = added.get_by_label("字段名（英文变量名）")
    for typed, hint in (("2nd copy", "字段名须以字母开头"), ("method", "已在本表单中使用"), ("receipt_no", "")):
        name.fill(typed)
        name.press("Tab")
        expect(added.locator(".error")).to_have_text(re.compile(hint) if hint else "")
    added.get_by_label("显示名称").fill("回执编号")
    added.get_by_label("类型").select_option("choice")
    added.get_by_label("选项来源").select_option(label="投诉所在县的执法单位")  # from the case: nothing to type
    expect(added.get_by_label("选项（用 | 分隔）")).to_have_count(0)
    added.get_by_label("选项来源").select_option(label="在下面列出")
    added.get_by_label("选项（用 | 分隔）").fill("已签收|拒收")
    added.get_by_label("必填").check()
    added.get_by_label("选项（用 | 分隔）").press("Tab")
    shot(page, "owner-modeler-form")

    page.evaluate(DROP_EXTENSIONS, "Task_reschedule")  # a task without a form gets one
    page.evaluate(SELECT, "Task_reschedule")
    expect(box).to_contain_text("这个任务还没有表单")
    box.locator(".form-field-add").click()
    box.locator(".form-field").get_by_label("字段名（英文变量名）").fill("inspection_date")
    box.locator(".form-field select").select_option("date")

    page.click("#modeler-deploy")
    expect(page.locator("#modeler-steps li[data-step=done]")).to_have_text("已部署 advance_notice v2")
    (_, (_, version, v2_xml)) = versions(svc, "advance_notice")
    forms = parse_forms(parse_diagram_xml(v2_xml))
    notice = {f.name: f for f in forms["Task_give_notice"].fields}
    assert list(notice) == ["notice_date", "method", "notice_items", "notice_inspectors", "receipt_no"]
    assert (notice["receipt_no"].label, notice["receipt_no"].type, notice["receipt_no"].required,
            notice["receipt_no"].choices, notice["receipt_no"].choices_from) == (
        "回执编号", "choice", True, ("已签收", "拒收"), "")
    assert notice["notice_items"].choices_from == "plan_items"
    reschedule = [(f.name, f.type, f.label) for f in forms["Task_reschedule"].fields]
    assert reschedule == [("inspection_date", "date", "新字段")]
    assert "Task_give_notice" in parse_hooks(parse_diagram_xml(v2_xml))  # its check point survived the edits


def test_a_tasks_check_points_are_edited_in_the_side_box(page: Page, demo, svc):
    box = open_first_version(page, svc, selected="Task_give_notice")
    hooks = box.locator(".hook")
    expect(hooks).to_have_count(1)
    expect(hooks.nth(0).get_by_label("环节规则")).to_have_value("record_notice")
    expect(hooks.nth(0).get_by_label("做什么")).to_have_value("inspectflow:Action")
    box.locator(".hook-add").click()
    expect(hooks).to_have_count(2)
    added = hooks.nth(1)
    added.get_by_label("环节规则").select_option("before_site")
    added.get_by_label("不通过时不许提交").check()
    hooks.nth(0).get_by_label("做什么").select_option("inspectflow:Checks")  # the record becomes a rule check
    expect(hooks.nth(0).get_by_label("做什么")).to_have_value("inspectflow:Checks")
    shot(page, "owner-modeler-check-points")

    page.click("#modeler-deploy")
    expect(page.locator("#modeler-steps li[data-step=done]")).to_have_text("已部署 advance_notice v2")
    (_, (_, _, v2_xml)) = versions(svc, "advance_notice")
    root = parse_diagram_xml(v2_xml)
    assert parse_hooks(root)["Task_give_notice"] == (StageHook("record_notice", False), StageHook("before_site", True))
    (task,) = root.iterfind(".//{*}userTask[@id='Task_give_notice']")
    kinds = [etree.QName(e).localname for e in task.iter("{*}checks", "{*}action")]
    assert kinds == ["checks", "checks"] and parse_forms(root)["Task_give_notice"].fields  # the form untouched


def test_a_file_fields_kinds_and_the_yes_no_it_depends_on_are_edited_in_the_side_box(page: Page, demo, svc):
    box = open_first_version(page, svc, key="inspection_lifecycle", selected="Task_record")
    rows = box.locator(".form-field")
    photos, recording = rows.nth(4), rows.nth(6)
    # As shipped: the recordings take audio and video, and only when 已全程音像记录 is ticked (R22).
    for row, ticked in ((recording, ("录音", "录像")), (photos, ("照片", "PDF"))):
        for kind in ("照片", "PDF", "录音", "录像"):
            expect(row.locator(".field-accept").get_by_label(kind)).to_be_checked(checked=kind in ticked)
    when = "只在这个是/否字段为“是”时填写"
    expect(recording.get_by_label(when)).to_have_value("audio_video")
    expect(photos.get_by_label(when)).to_have_value("")

    photos.locator(".field-accept").get_by_label("录像").check()  # photos, PDFs and videos
    photos.get_by_label(when).select_option(label="发现问题")
    rows.nth(6).locator(".field-accept").get_by_label("录音").uncheck()  # video only (the box was redrawn)
    expect(rows.nth(6).locator(".field-accept").get_by_label("录音")).not_to_be_checked()
    shot(page, "owner-modeler-file-field")

    page.click("#modeler-deploy")
    expect(page.locator("#modeler-steps li[data-step=done]")).to_have_text("已部署 inspection_lifecycle v2")
    (_, (_, _, v2_xml)) = versions(svc, "inspection_lifecycle")
    fields = {f.name: f for f in parse_forms(parse_diagram_xml(v2_xml))["Task_record"].fields}
    assert (fields["photos"].accept, fields["photos"].when) == (("image", "pdf", "video"), "problems_found")
    assert (fields["recording"].accept, fields["recording"].when) == (("video",), "audio_video")
