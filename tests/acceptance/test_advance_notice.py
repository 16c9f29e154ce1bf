"""检查预告 (R8) from the inspector's seat (issue 11 defects 6 and the notice's data typed once): a notice given too
late for the planned day makes the inspector move the visit; the record follows (the enterprise's portal and the
code's validity show the new day), and the visit step opens only once 5 working days have passed."""

from __future__ import annotations

import re

from tests.acceptance.harness import text_of
from tests.acceptance.test_inspection_lifecycle import plan_visit, quiet_enterprise

PLANNED = "2026-10-16"
MOVED = "2026-11-16"


def test_a_late_notice_moves_the_visit_and_the_record_the_code_and_the_portal_follow(county):
    staff, head, office, enterprise = (county.person("staff"), county.person("head"), county.person("office"),
                                       county.visitor())
    credit_code = quiet_enterprise(staff, day=PLANNED)
    county.focus = f"enterprise={credit_code}"
    plan_visit(county, staff, credit_code, day=PLANNED)
    staff.complete("制定检查计划", {"inspection_date": PLANNED, "inspection_type": "日常检查",
                                "inspection_method": "现场检查", "inspection_items": "计划所定事项",
                                "inspectors": "计划所定人员", "notice_exemption": "无"})
    office.complete("确认检查前置条件", {"check_outcome": "通过", "in_quiet_period": "false"})
    head.complete("单位负责人审批", {"plan_approved": "true", "plan_opinion": "同意"})
    county.at("2026-10-13T09:00:00+08:00")
    task_id, page = staff.open("送达检查预告")
    code, check = re.search(r"行政行为码 (\S+) · 企业校验码 (\S+)\s*：", page).groups()
    planned = re.findall(r'name="notice_inspectors" value="([^"]+)"', staff.get(f"/tasks/{task_id}"))
    items = re.findall(r'name="notice_items" value="([^"]+)"', staff.get(f"/tasks/{task_id}"))
    staff.complete("送达检查预告", {"notice_date": "2026-10-13", "method": "政务服务平台",
                                "notice_items": items, "notice_inspectors": planned})
    # 5 working days from 2026-10-13 end on 2026-10-20: the 16th is too early, the inspector moves the visit.
    staff.complete("调整检查日期", {"inspection_date": MOVED, "reschedule_reason": "预告期不足5个工作日"})
    case = text_of(enterprise.get(f"/portal/case?code={code}&check={check}"))
    assert MOVED in case and PLANNED not in case.split("有效期")[0], case
    verified = text_of(enterprise.get(f"/codes/{code}"))
    assert "有效" in verified and f"至 {MOVED}" in verified, verified
    county.sweep("2026-10-21T00:00:00+08:00")
    county.at(f"{MOVED}T09:00:00+08:00")
    staff.complete("实施现场检查（亮码）", {"started_at": f"{MOVED}T09:30:00+08:00", "code_shown": "true",
                                    "conduct_confirmed": "true", "audio_video": "true"})
    assert "制作现场检查笔录" in [name for _, name in staff.inbox()]
