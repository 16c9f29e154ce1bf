"""综合查一次 (R18) from each person's seat (issue 11 defect 3): two agencies plan visits to one enterprise in the
same month; the county office merges them on its desk; each agency's plan is checked and approved by its own
head; the merged inspection is one visit with one 行政行为码 that both agencies' records point to, and the
enterprise sees one inspection by both agencies."""

from __future__ import annotations

import re

from tests.acceptance.harness import text_of
from tests.acceptance.test_inspection_lifecycle import VISIT_DAY, plan_visit, quiet_enterprise

PASSWORD = "joint-inspection-pw"


def add_environment_bureau_accounts(county) -> None:
    """The administrator opens accounts for the environment bureau's inspector and head (`inspectflow users create`)."""
    for username, role in (("sthj_staff", "staff"), ("sthj_head", "agency_head")):
        county.cli("users", "create", username, "--role", role, "--agency", "STHJ", "--jurisdiction", "示范县",
                   "--password", PASSWORD)


def test_two_agencies_visits_merged_into_one_joint_inspection_with_one_code(county):
    add_environment_bureau_accounts(county)
    staff, head, office = county.person("staff"), county.person("head"), county.person("office")
    sthj_staff, sthj_head = county.person("sthj_staff", PASSWORD), county.person("sthj_head", PASSWORD)
    enterprise = county.visitor()
    credit_code = quiet_enterprise(staff)
    county.focus = f"enterprise={credit_code}"
    plan_visit(county, staff, credit_code)
    # The second agency is warned before it plans: the enterprise is already in a joint proposal's month.
    warned = text_of(sthj_staff.get(f"/inspections/new?enterprise={credit_code}&planned_start=2026-10-20"
                                    "&trigger=routine&mode=onsite"))
    assert "R18" in warned and "示范县市场监督管理局" in warned and "综合查一次" in warned, warned
    page = sthj_staff.get("/inspections/new")
    items = re.findall(r'name="items" value="(STHJ-\d+)"', page)[:1]
    inspectors = re.findall(r'name="inspectors" value="(\d+)"(?![^>]*disabled)', page)[:2]
    sthj_staff.post_form("/inspections/new", {
        "enterprise": credit_code, "planned_start": "2026-10-20", "planned_end": "2026-10-20", "trigger": "routine",
        "mode": "onsite", "items": items, "inspectors": inspectors})

    desk = office.get("/supervise")
    proposal = re.search(r'<form method="post" action="/supervise/joint/merge" class="proposal">(.*?)</form>',
                         desk[desk.index(credit_code) - 2000:], re.S)
    assert proposal and credit_code in proposal.group(1), text_of(desk)
    members = re.findall(r'name="inspection_id" value="(\d+)"', proposal.group(1))
    assert len(members) == 2
    lead = re.search(r'name="lead_agency_id">\s*<option value="(\d+)"', proposal.group(1)).group(1)
    office.post_form("/supervise/joint/merge", {"inspection_id": members, "planned_start": VISIT_DAY,
                                                "planned_end": VISIT_DAY, "lead_agency_id": lead},
                     form_page="/supervise")

    for planner in (staff, sthj_staff):
        planner.complete("制定检查计划", {"inspection_date": VISIT_DAY, "inspection_type": "日常检查",
                                    "inspection_method": "现场检查", "inspection_items": "计划所定事项",
                                    "inspectors": "计划所定人员", "notice_exemption": "无"})
    for _ in range(2):
        office.complete("确认检查前置条件", {"check_outcome": "通过", "in_quiet_period": "false"})
    head.complete("单位负责人审批", {"plan_approved": "true", "plan_opinion": "同意联合检查"})
    sthj_head.complete("单位负责人审批", {"plan_approved": "true", "plan_opinion": "同意联合检查"})

    # One code for both: each agency's notice step shows the same code and 校验码.
    _, scjg_notice = staff.open("送达检查预告")
    _, sthj_notice = sthj_staff.open("送达检查预告")
    held = re.search(r"行政行为码 (\S+) · 企业校验码 (\S+)\s*：", scjg_notice).groups()
    assert re.search(r"行政行为码 (\S+) · 企业校验码 (\S+)\s*：", sthj_notice).groups() == held
    code, check = held
    verified = text_of(enterprise.get(f"/codes/{code}"))
    assert "综合查一次" in verified and "示范县市场监督管理局" in verified and "丽水市生态环境局示范分局" in verified
    case = text_of(enterprise.get(f"/portal/case?code={code}&check={check}"))
    assert case.count(VISIT_DAY) >= 2 and "丽水市生态环境局示范分局" in case, case
