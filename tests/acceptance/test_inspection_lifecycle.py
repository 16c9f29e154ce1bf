"""涉企行政检查全流程 from each person's seat (issue 11): the inspector plans it, the head approves, the county office
checks it against the rules, the code is issued and the notice given, the visit is recorded, the enterprise
rates it on the portal with the code and 校验码 it was handed, a penalty is decided, revisited, rectified by the
enterprise on the portal and evaluated — every step through the pages, the clock pinned by INSPECTFLOW_CLOCK."""

from __future__ import annotations

import re

from tests.acceptance.harness import TASK_LINK, County, text_of

VISIT_DAY = "2026-10-19"


def quiet_enterprise(staff, day: str = VISIT_DAY) -> str:
    """An enterprise the planning page raises no warning for on `day` (under its cap, outside its quiet period,
    in no joint proposal) and with no other open step in the inbox, so that the test follows one case."""
    for credit_code in re.findall(r'<option value="(91[0-9A-Z]{16})"', staff.get("/inspections/new")):
        preview = text_of(staff.get(f"/inspections/new?enterprise={credit_code}&planned_start={day}"
                                    "&trigger=routine&mode=onsite"))
        if "提交前请注意" not in preview and not TASK_LINK.search(staff.get(f"/inbox?enterprise={credit_code}")):
            return credit_code
    raise AssertionError("the demo has no enterprise free for a routine visit")


def routine_visits(staff, credit_code: str) -> int:
    """The agency's routine on-site visits this year to the enterprise, as the planning page counts them (R15)."""
    page = text_of(staff.get(f"/inspections/new?enterprise={credit_code}&planned_start=2026-11-16"
                             "&trigger=routine&mode=onsite"))
    return int(re.search(r"本单位今年例行现场检查 (\d+) 次", page).group(1))


def plan_visit(county: County, staff, enterprise: str, day: str = VISIT_DAY, **more: str) -> str:
    """The inspector plans the visit (or, with `urgent`, records an urgent one) on the planning page; returns the
    page it lands on."""
    page = staff.get("/inspections/new")
    inspectors = re.findall(r'name="inspectors" value="(\d+)"(?![^>]*disabled)', page)[:2]
    response = staff.post_form("/inspections/new", {
        "enterprise": enterprise, "planned_start": day, "planned_end": day, "trigger": "routine", "mode": "onsite",
        "items": ["SCJG-001"], "inspectors": inspectors, **more})
    return text_of(staff.get(response.headers["Location"]))


def visit_recorded(county, *, penalty_needed: bool) -> tuple[str, str, str]:
    """A routine visit on VISIT_DAY planned, checked, approved, noticed and recorded by its people; the county is
    left at the visit day. Returns the enterprise's credit code and the code and 校验码 it was handed."""
    found = visit_on_site(county)
    county.person("staff").complete("制作现场检查笔录", {
        "record_date": "2026-10-19", "record_text": "冷库温度记录缺失", "problems_found": str(penalty_needed).lower(),
        "penalty_needed": str(penalty_needed).lower()})
    return found


def planned(county, staff) -> str:
    """A routine visit on VISIT_DAY planned on the planning page and submitted at 制定检查计划, the inboxes
    following its enterprise; the county office's check is open. Returns the enterprise's credit code."""
    enterprise_code = quiet_enterprise(staff)
    county.focus = f"enterprise={enterprise_code}"
    assert "制定检查计划" in plan_visit(county, staff, enterprise_code)
    staff.complete("制定检查计划", {"inspection_date": VISIT_DAY, "inspection_type": "日常检查",
                                "inspection_method": "现场检查", "inspection_items": "SCJG-001",
                                "inspectors": "由计划选定", "notice_exemption": "无"})
    return enterprise_code


def visit_on_site(county) -> tuple[str, str, str]:
    """visit_recorded up to its 制作现场检查笔录, which is left open."""
    staff, head, office = county.person("staff"), county.person("head"), county.person("office")
    enterprise_code = planned(county, staff)
    office.complete("确认检查前置条件", {"check_outcome": "通过", "in_quiet_period": "false"})
    head.complete("单位负责人审批", {"plan_approved": "true", "plan_opinion": "同意"})
    notice_id, notice_page = staff.open("送达检查预告")
    # The notice step shows what to hand the enterprise: the code and its 校验码 (defect 2), and offers only the
    # plan's inspectors (data typed once).
    code = re.search(r"行政行为码 (\S+) · 企业校验码 (\S+)\s*：", notice_page)
    assert code, notice_page
    plan_inspectors = re.findall(r'name="notice_inspectors" value="([^"]+)"', staff.get(f"/tasks/{notice_id}"))
    assert len(plan_inspectors) == 2
    items = re.findall(r'name="notice_items" value="([^"]+)"', staff.get(f"/tasks/{notice_id}"))
    staff.complete("送达检查预告", {"notice_date": "2026-09-30", "method": "书面",
                                "notice_items": items, "notice_inspectors": plan_inspectors})
    # The notice period (R8: 5 working days, the National Day holiday not counted) passes; the visit day comes.
    county.sweep("2026-10-17T00:00:00+08:00")
    county.at("2026-10-19T09:00:00+08:00")
    staff.complete("实施现场检查（亮码）", {"started_at": "2026-10-19T09:30:00+08:00", "code_shown": "true",
                                    "conduct_confirmed": "true", "audio_video": "true"})
    return enterprise_code, *code.groups()


def test_a_routine_visit_from_plan_to_the_enterprise_rating_and_the_revisit_after_its_penalty(county):
    staff, head, office = county.person("staff"), county.person("head"), county.person("office")
    supervisor, enterprise = county.person("supervisor"), county.visitor()
    chosen = quiet_enterprise(staff)
    visits_before = routine_visits(staff, chosen)
    enterprise_code, behaviour_code, check_code = visit_recorded(county, penalty_needed=True)
    assert enterprise_code == chosen

    # The enterprise rates the visit on the portal with what it was handed.
    case = text_of(enterprise.get(f"/portal/case?code={behaviour_code}&check={check_code}"))
    assert "企业评价" in case and "示范县市场监督管理局" in case, case
    thanks = enterprise.post_form("/rate", {"code": behaviour_code, "check": check_code, "score": "4",
                                            "comment": "检查人员出示了行政行为码"}, status=200,
                                  form_page=f"/rate?code={behaviour_code}&check={check_code}")
    assert "感谢您的评价" in text_of(thanks.get_data(as_text=True))
    assert "企业评价" not in [name for _, name in staff.inbox()]

    head.complete("作出行政处罚决定", {"penalty_decision_no": "示市监罚〔2026〕101号", "penalty_date": "2026-10-20",
                                  "penalty_summary": "责令改正，罚款", "fine_amount": "5000"})

    # 罚后回访 (R25): the inspector revisits, the head assigns the rectification, the enterprise reports it on the
    # portal, the inspector evaluates it.
    county.at("2026-10-22T10:00:00+08:00")
    staff.complete("罚后回访", {"revisit_date": "2026-10-22", "revisit_method": "实地回访",
                            "revisit_findings": "冷库温度记录仍不完整", "rectification_needed": "true"})
    head.complete("交办整改", {"assigned_date": "2026-10-22", "rectify_items": "补全冷库温度记录",
                           "rectify_requirements": "每日两次记录并存档"})
    case = text_of(enterprise.get(f"/portal/case?code={behaviour_code}&check={check_code}"))
    assert "企业整改" in case and "补全冷库温度记录" in case and "每日两次记录并存档" in case, case
    assert "冷库温度记录仍不完整" not in case  # the office's findings stay inside the procedure
    step_id = enterprise.step(f"/portal/case?code={behaviour_code}&check={check_code}", "Task_rectify")
    enterprise.post_form(f"/portal/case/steps/{step_id}", {
        "code": behaviour_code, "check": check_code, "rectified_date": "2026-10-26",
        "rectification_report": "已安装自动温度记录仪并补录"},
        form_page=f"/portal/case?code={behaviour_code}&check={check_code}")
    staff.complete("整改评价", {"evaluation_date": "2026-10-27", "evaluation_passed": "true",
                            "evaluation": "整改到位"})

    # At the end: nobody has a step left, the enterprise's case says the inspection is closed, the visit counts
    # once against the cap, nothing is overdue for the supervisors.
    assert [name for _, name in staff.inbox() + head.inbox() + office.inbox()] == []
    closed = text_of(enterprise.get(f"/portal/case?code={behaviour_code}&check={check_code}"))
    assert "目前没有需要您办理的事项" in closed and "已办结" in closed, closed
    assert routine_visits(staff, enterprise_code) == visits_before + 1  # the visit counts once against the cap
    assert enterprise_code not in supervisor.get("/supervise")
