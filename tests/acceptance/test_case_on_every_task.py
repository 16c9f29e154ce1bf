"""The case on every task (issue 12 item 1): each step shows, above its form, what its decision needs — the
sections its diagram declares (`inspectflow:shows`), or every one that applies — approvals start with nothing
chosen, and a step that records today's date starts from it. Through the pages, as the people in the demo county
(pinned at 2026-09-30 10:00) see them."""

from __future__ import annotations

import io
import re
from pathlib import Path

from tests.acceptance.harness import text_of
from tests.acceptance.test_inspection_lifecycle import planned, visit_recorded

LIFECYCLE = (Path(__file__).parents[2] / "processes" / "bpmn" / "inspection_lifecycle.bpmn").read_text("utf-8")
HEAD_SHOWS = re.compile(
    r'(<bpmn:userTask id="Task_head_approval".*?<bpmn:extensionElements>)\s*<inspectflow:shows[^>]*/>', re.S)


def planned_and_checked(county) -> tuple:
    """A routine visit planned by the inspector and passed by the county office (R1–R17 checked): the head's
    approval is open. Returns the staff, head and office."""
    staff, head, office = county.person("staff"), county.person("head"), county.person("office")
    planned(county, staff)
    office.complete("确认检查前置条件", {"check_outcome": "通过", "in_quiet_period": "false"})
    return staff, head, office


def deployed(county, diagram: str, *, status: int = 302):
    """The process owner uploads `diagram` as a new version of the lifecycle."""
    owner = county.person("owner")
    upload = (io.BytesIO(diagram.encode()), "inspection_lifecycle.bpmn")
    return owner.post_form("/processes/deploy", {"diagram": upload}, status=status, form_page="/processes")


def test_the_heads_approval_shows_the_plan_the_rule_checks_and_the_checks_opinion(county):
    _, head, _ = planned_and_checked(county)
    _, page = head.open("单位负责人审批")
    assert "检查计划（检查编号" in page and "SCJG-001 食品经营许可情况检查" in page and "检查标准：" in page, page
    # the county office's check: every rule passed (R1–R17), and what it decided
    assert "规则检查结果" in page and "「确认检查前置条件」" in page and "各项规则均通过" in page, page
    assert "前序环节意见" in page and "检查结果：通过" in page, page
    assert "投诉内容" not in page and "行政处罚决定" not in page


def test_an_approval_starts_with_nothing_chosen_and_is_not_given_by_omission(county):
    staff, head, office = county.person("staff"), county.person("head"), county.person("office")
    planned(county, staff)
    check_id = office.task("确认检查前置条件")
    form = office.get(f"/tasks/{check_id}")
    chosen = re.search(r'<select id="in_quiet_period"[^>]*>(.*?)</select>', form, re.S).group(1)
    assert re.search(r'<option value=""\s+selected>', chosen) and not re.search(r'value="(true|false)"\s+selected',
                                                                                 chosen), chosen
    office.complete("确认检查前置条件", {"check_outcome": "通过", "in_quiet_period": "false"})
    # the head submits without deciding: refused, naming the decision; nothing is approved by default
    refused = text_of(head.post_form(f"/tasks/{head.task('单位负责人审批')}", {"plan_opinion": "同意"},
                                     status=422).get_data(as_text=True))
    assert "是否批准" in refused, refused
    assert "单位负责人审批" in [name for _, name in head.inbox()]


def test_a_step_that_records_today_starts_from_todays_date(county):
    staff, head, _ = planned_and_checked(county)
    head.complete("单位负责人审批", {"plan_approved": "true", "plan_opinion": "同意"})
    notice_id = staff.task("送达检查预告")
    assert 'name="notice_date" value="2026-09-30"' in staff.get(f"/tasks/{notice_id}")
    county.at("2026-10-02T09:00:00+08:00")  # the injected clock's date in Asia/Shanghai, not the server's
    assert 'name="notice_date" value="2026-10-02"' in staff.get(f"/tasks/{notice_id}")


def test_the_on_site_step_shows_the_notice_given(county):
    staff, head, _ = planned_and_checked(county)
    head.complete("单位负责人审批", {"plan_approved": "true", "plan_opinion": "同意"})
    notice_id = staff.task("送达检查预告")
    form = staff.get(f"/tasks/{notice_id}")
    staff.complete("送达检查预告", {"notice_date": "2026-09-30", "method": "书面",
                                "notice_items": re.findall(r'name="notice_items" value="([^"]+)"', form),
                                "notice_inspectors": re.findall(r'name="notice_inspectors" value="([^"]+)"', form)})
    county.sweep("2026-10-17T00:00:00+08:00")
    county.at("2026-10-19T09:00:00+08:00")
    _, page = staff.open("实施现场检查（亮码）")
    assert "检查预告（R8）" in page and "已于 2026-09-30 告知企业" in page, page


def test_the_penalty_revisit_shows_the_penalty_decision(county):
    _, behaviour_code, check_code = visit_recorded(county, penalty_needed=True)
    staff, head, enterprise = county.person("staff"), county.person("head"), county.visitor()
    enterprise.post_form("/rate", {"code": behaviour_code, "check": check_code, "score": "4", "comment": "好"},
                         status=200, form_page=f"/rate?code={behaviour_code}&check={check_code}")
    head.complete("作出行政处罚决定", {"penalty_decision_no": "示市监罚〔2026〕118号", "penalty_date": "2026-10-20",
                                  "penalty_summary": "责令改正，罚款", "fine_amount": "3000"})
    county.at("2026-10-22T10:00:00+08:00")
    _, page = staff.open("罚后回访")
    assert "行政处罚决定" in page and "示市监罚〔2026〕118号" in page and "责令改正，罚款" in page, page
    assert "3000" in page


def test_a_step_shows_exactly_the_sections_its_diagram_declares(county):
    narrowed = HEAD_SHOWS.sub(r'\1<inspectflow:shows sections="plan"/>', LIFECYCLE, count=1)
    assert narrowed != LIFECYCLE
    deployed(county, narrowed)
    _, head, _ = planned_and_checked(county)
    _, page = head.open("单位负责人审批")
    assert "检查计划（检查编号" in page, page
    assert "信用等级" not in page and "规则检查结果" not in page and "前序环节意见" not in page, page


def test_a_step_that_declares_nothing_shows_every_section_that_applies(county):
    bare = HEAD_SHOWS.sub(r"\1", LIFECYCLE, count=1)
    assert bare != LIFECYCLE
    deployed(county, bare)
    _, head, _ = planned_and_checked(county)
    _, page = head.open("单位负责人审批")
    for section in ("信用等级", "检查计划（检查编号", "规则检查结果", "前序环节意见"):
        assert section in page, (section, page)
    assert "投诉内容" not in page and "行政处罚决定" not in page  # no complaint, no penalty in this case


def test_deploy_refuses_an_unknown_section_naming_the_step(county):
    wrong = HEAD_SHOWS.sub(r'\1<inspectflow:shows sections="plan,budget"/>', LIFECYCLE, count=1)
    refused = text_of(deployed(county, wrong, status=422).get_data(as_text=True))
    assert "未部署" in refused and "Task_head_approval" in refused and "budget" in refused, refused


def test_the_retroactive_approval_shows_the_urgent_inspection_it_approves(county):
    # the demo's urgent inspection of yesterday, recorded through code_retroactive on its own (not the lifecycle)
    _, page = county.person("head").open("补办审批")
    assert "四不两直" in page and "群众举报食品安全隐患，需立即核查" in page, page
