"""企业安静期 (R10–R12, 002(三)) from each person's seat (issue 11 defect 5): inside the enterprise's quiet window
(the 21st to the month's end) an inspection on one of R12's special cases goes ahead with no override, the case on
the supervisors' record; any other inspection needs the principal head's approval with a stated reason and its
filing with the county office within 3 working days, the filing registered by the office."""

from __future__ import annotations

import re

from tests.acceptance.harness import text_of
from tests.acceptance.test_inspection_lifecycle import plan_visit

QUIET_DAY = "2026-10-26"  # a Monday inside every enterprise's quiet window


def enterprise_only_quiet(staff, day: str = QUIET_DAY) -> str:
    """An enterprise whose only warning on `day` is the quiet period (R10), with no other open step."""
    for credit_code in re.findall(r'<option value="(91[0-9A-Z]{16})"', staff.get("/inspections/new")):
        page = text_of(staff.get(f"/inspections/new?enterprise={credit_code}&planned_start={day}"
                                 "&trigger=routine&mode=onsite"))
        warnings = re.findall(r"(R\d+)：", page[page.index("提交前请注意"):] if "提交前请注意" in page else "")
        if warnings == ["R10"] and "每月 21 日至月末" in page and \
                not re.search(r'href="/tasks/', staff.get(f"/inbox?enterprise={credit_code}")):
            return credit_code
    raise AssertionError("the demo has no enterprise whose only warning is its quiet period")


def plan_step(staff, **fields: str) -> None:
    staff.complete("制定检查计划", {"inspection_date": QUIET_DAY, "inspection_type": "日常检查",
                                "inspection_method": "现场检查", "inspection_items": "计划所定事项",
                                "inspectors": "计划所定人员", "notice_exemption": "无", **fields})


def give_notice(county, staff) -> None:
    task_id, _ = staff.open("送达检查预告")
    planned = re.findall(r'name="notice_inspectors" value="([^"]+)"', staff.get(f"/tasks/{task_id}"))
    items = re.findall(r'name="notice_items" value="([^"]+)"', staff.get(f"/tasks/{task_id}"))
    staff.complete("送达检查预告", {"notice_date": "2026-09-30", "method": "书面", "notice_items": items,
                                "notice_inspectors": planned})
    county.sweep("2026-10-17T00:00:00+08:00")


def test_a_complaint_inspection_in_the_quiet_period_goes_ahead_on_its_special_case(county):
    staff, head, office, supervisor = (county.person(name) for name in ("staff", "head", "office", "supervisor"))
    credit_code = enterprise_only_quiet(staff)
    county.focus = f"enterprise={credit_code}"
    plan_visit(county, staff, credit_code, day=QUIET_DAY)
    plan_step(staff, inspection_type="触发式检查", quiet_exemption="投诉举报")
    office.complete("确认检查前置条件", {"check_outcome": "通过", "in_quiet_period": "true"})
    head.complete("单位负责人审批", {"plan_approved": "true", "plan_opinion": "同意"})
    give_notice(county, staff)
    county.at(f"{QUIET_DAY}T09:00:00+08:00")
    names = [name for _, name in staff.inbox() + head.inbox()]
    assert "申请安静期内检查" not in names and "实施现场检查（亮码）" in names  # no override asked for
    refusals = text_of(supervisor.get("/supervise"))
    assert "安静期特殊情形" in refusals and "投诉举报" in refusals


def test_a_necessary_routine_inspection_in_the_quiet_period_is_approved_by_the_principal_head_and_filed(county):
    staff, head, office = county.person("staff"), county.person("head"), county.person("office")
    credit_code = enterprise_only_quiet(staff)
    county.focus = f"enterprise={credit_code}"
    plan_visit(county, staff, credit_code, day=QUIET_DAY)
    plan_step(staff)
    office.complete("确认检查前置条件", {"check_outcome": "通过", "in_quiet_period": "true"})
    head.complete("单位负责人审批", {"plan_approved": "true", "plan_opinion": "同意"})
    give_notice(county, staff)
    county.at("2026-10-19T09:00:00+08:00")
    staff.complete("申请安静期内检查", {"reason_detail": "该企业冷链设备存在重大隐患，需在旺季前核查"})
    approval = head.complete("主要负责人审批", {"override_approved": "true", "override_approval_date": "2026-10-19",
                                           "override_opinion": "涉及食品安全，确需检查"})
    assert "该企业冷链设备存在重大隐患" in approval  # the principal head reads the request
    # Filing is due within 3 working days of the approval (R11): 2026-10-22.
    filing_id, filing = staff.open("报县综合执法办备案")
    assert "2026-10-22" in filing or "还剩 3 个工作日" in filing, filing
    staff.complete("报县综合执法办备案", {"filing_date": "2026-10-20",
                                    "filing_content": "检查对象、事项、时间及确需检查的理由如审批"})
    office.complete("备案登记", {"filing_no": "安静期备〔2026〕7号", "registered_date": "2026-10-20"})
    county.at(f"{QUIET_DAY}T09:00:00+08:00")
    assert "实施现场检查（亮码）" in [name for _, name in staff.inbox()]
