"""紧急检查补办审批和赋码 (R7) from each person's seat (issue 11 defect 4): the inspector records on the planning page
an urgent inspection already made; approved within 1 working day its 行政行为码 is marked 紧急检查后补办 and the
enterprise sees so on the portal; left unapproved, the lapse is 无码入企: the supervisors see the alert and get
the 督办 with its own due date, which counts in their overdue view when it passes."""

from __future__ import annotations

import re

from tests.acceptance.harness import text_of
from tests.acceptance.test_inspection_lifecycle import plan_visit, quiet_enterprise

TODAY = "2026-10-12"  # a Monday outside the quiet period (the 21st to the month's end)


def record_urgent(county, staff) -> str:
    county.at(f"{TODAY}T10:00:00+08:00")
    credit_code = quiet_enterprise(staff, day=TODAY)
    county.focus = f"enterprise={credit_code}"
    landed = plan_visit(county, staff, credit_code, day=TODAY, urgent="1", urgent_type="unannounced",
                        urgent_reason="群众举报夜间违规生产，暗查暗访")
    assert "紧急检查已登记" in landed and "补办审批和赋码" in landed, landed
    return credit_code


def test_an_urgent_inspection_approved_in_time_gets_its_code_marked_retroactive(county):
    staff, head, enterprise = county.person("staff"), county.person("head"), county.visitor()
    record_urgent(county, staff)
    _, approval = head.open("补办审批")
    assert "暗查暗访" in approval or "群众举报夜间违规生产" in approval, approval  # the head sees why
    head.complete("补办审批", {"retro_approved": "true", "retro_approval_date": TODAY, "retro_opinion": "同意补办"})
    _, record = staff.open("制作现场检查笔录")
    code, check = re.search(r"行政行为码 (\S+) · 企业校验码 (\S+)\s*：", record).groups()
    verified = text_of(enterprise.get(f"/codes/{code}"))
    assert "有效" in verified and "紧急检查后补办" in verified, verified
    staff.complete("制作现场检查笔录", {"record_date": TODAY, "record_text": "未发现问题", "problems_found": "false",
                                  "penalty_needed": "false"})
    thanks = enterprise.post_form("/rate", {"code": code, "check": check, "score": "5"}, status=200,
                                  form_page=f"/rate?code={code}&check={check}")
    assert "感谢您的评价" in text_of(thanks.get_data(as_text=True))
    assert [name for _, name in staff.inbox() + head.inbox()] == []


def test_an_urgent_inspection_left_unapproved_is_no_code_entry_alerted_and_supervised(county):
    staff, supervisor = county.person("staff"), county.person("supervisor")
    credit_code = record_urgent(county, staff)
    # Due by the end of the next working day, 2026-10-13: the morning after, it has lapsed.
    county.sweep("2026-10-14T08:00:00+08:00")
    county.at("2026-10-14T09:00:00+08:00")
    dashboard = text_of(supervisor.get("/supervise"))
    assert "无码入企预警" in dashboard and "紧急检查未在检查后1个工作日内补办审批和赋码" in dashboard, dashboard
    alerts = supervisor.client.get("/api/v1/alerts", headers=county.api("supervisor")).get_json()
    assert any(a["kind"] == "no_code_entry" and credit_code not in a["message"] for a in alerts), alerts
    _, page = supervisor.open("无码入企督办")
    assert re.search(r"期限：\s*还剩 \d+ 个工作日", page), page  # its own due date (defect 4)
    # The 督办 is due 5 working days after the lapsed deadline; passed, it counts among the supervisors' overdue steps.
    overdue_before = overdue_steps(supervisor).count("无码入企督办")
    county.at("2026-10-22T09:00:00+08:00")
    assert overdue_steps(supervisor).count("无码入企督办") == overdue_before + 1


def overdue_steps(supervisor) -> list[str]:
    """The step names of the supervisors' 逾期环节 table."""
    page = supervisor.get("/supervise")
    table = page[page.index("逾期环节"):page.index("预警")]
    return [text_of(name).strip() for name in re.findall(r'<a href="/supervise/instances/\d+"[^>]*>(.*?)</a>', table)]
