"""罚后回访 (R25) from each person's seat, when the enterprise is late and its first rectification fails (issue 11):
the rectification the head assigned reaches the enterprise on the portal with its due date; left undone past it,
the head handles the lapse and assigns it again; the enterprise reports on the portal, the inspector finds it
insufficient, the head assigns once more, and the second report passes — the penalty is then closed."""

from __future__ import annotations

from tests.acceptance.harness import text_of
from tests.acceptance.test_inspection_lifecycle import visit_recorded


def report_rectification(enterprise, code: str, check: str, report: str) -> str:
    """The enterprise reports its 整改 on the portal; returns what the case page showed it first."""
    case_path = f"/portal/case?code={code}&check={check}"
    page = enterprise.get(case_path)
    enterprise.post_form(f"/portal/case/steps/{enterprise.step(case_path, 'Task_rectify')}", {
        "code": code, "check": check, "rectified_date": "2026-11-20", "rectification_report": report},
        form_page=case_path)
    return text_of(page)


def test_a_late_and_failed_rectification_goes_round_until_it_passes(county):
    staff, head, enterprise = county.person("staff"), county.person("head"), county.visitor()
    _, code, check = visit_recorded(county, penalty_needed=True)
    enterprise.post_form("/rate", {"code": code, "check": check, "score": "3"}, status=200,
                         form_page=f"/rate?code={code}&check={check}")
    head.complete("作出行政处罚决定", {"penalty_decision_no": "示市监罚〔2026〕202号", "penalty_date": "2026-10-20",
                                  "penalty_summary": "责令改正", "fine_amount": "2000"})
    county.at("2026-10-22T10:00:00+08:00")
    staff.complete("罚后回访", {"revisit_date": "2026-10-22", "revisit_method": "实地回访",
                            "revisit_findings": "消防通道堵塞", "rectification_needed": "true"})
    head.complete("交办整改", {"assigned_date": "2026-10-22", "rectify_items": "清理消防通道",
                           "rectify_requirements": "10个工作日内完成"})
    case = text_of(enterprise.get(f"/portal/case?code={code}&check={check}"))
    assert "企业整改 · 请于" in case and "示市监罚〔2026〕202号" in case, case  # its due date and the penalty

    # The rectification period (the policy's working days from the assignment) lapses: the head handles it.
    county.sweep("2026-11-10T00:00:00+08:00")
    county.at("2026-11-10T09:00:00+08:00")
    assert "企业整改" not in text_of(enterprise.get(f"/portal/case?code={code}&check={check}"))
    head.complete("逾期未整改处置", {"handling": "重新交办", "handling_opinion": "限期五日内整改"})
    head.complete("交办整改", {"assigned_date": "2026-11-10", "rectify_items": "清理消防通道",
                           "rectify_requirements": "五日内完成并报送照片"})
    report_rectification(enterprise, code, check, "已清理部分通道")
    staff.complete("整改评价", {"evaluation_date": "2026-11-12", "evaluation_passed": "false",
                            "evaluation": "仍有杂物堆放"})
    head.complete("交办整改", {"assigned_date": "2026-11-12", "rectify_items": "彻底清理消防通道",
                           "rectify_requirements": "三日内完成"})
    second = report_rectification(enterprise, code, check, "已全部清理并设置警示标识")
    assert "仍有杂物堆放" in second  # the enterprise sees why its first report failed
    staff.complete("整改评价", {"evaluation_date": "2026-11-16", "evaluation_passed": "true", "evaluation": "整改到位"})
    assert [name for _, name in staff.inbox() + head.inbox()] == []
    assert "已办结" in text_of(enterprise.get(f"/portal/case?code={code}&check={check}"))
