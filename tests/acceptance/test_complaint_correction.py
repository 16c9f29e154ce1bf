"""投诉举报处理与纠错 from each person's seat (issue 11, R26): a complainant files on the portal and is given a
tracking number and 校验码; the county office accepts, investigates and orders a correction; the concerned
agency's head carries it out (defect 9); the office verifies and replies; the complainant follows every stage on
the tracking page and rates the reply on the portal (defect 2) — no engine calls."""

from __future__ import annotations

import re

from tests.acceptance.harness import text_of


def file_complaint(visitor, content: str, **more) -> tuple[str, str]:
    """The complainant files on the portal (with `more` fields, e.g. evidence files); returns the tracking number
    and 校验码 the receipt showed."""
    response = visitor.post_form("/complaints/new", {"kind": "misconduct", "content": content,
                                                     "contact": "13900001111", **more})
    receipt = text_of(visitor.get(response.headers["Location"]))
    found = re.search(r"查询编号 (\S+) 和校验码 (\S+)（校验码只显示这一次）", receipt)
    assert found, receipt
    return found.groups()


def status_of(visitor, number: str) -> str:
    page = text_of(visitor.get(f"/complaints/track?number={number}"))
    return re.search(r"状态：(\S+)", page).group(1)


def test_a_complaint_from_the_portal_to_the_complainants_rating_of_the_reply(county):
    complainant, office, head = county.visitor(), county.person("office"), county.person("head")
    number, check = file_complaint(complainant, "执法人员检查时要求企业提供午餐，并指定购买某品牌灭火器")
    county.focus = f"q={number}"
    assert status_of(complainant, number) == "已收到"

    acceptance = office.complete("受理投诉", {"acceptance_date": "2026-09-30", "category": "违反五个严禁八个不得",
                                          "handler": "王敏", "correcting_agency": "SCJG 示范县市场监督管理局"})
    assert "执法人员检查时要求企业提供午餐" in acceptance  # the office decides with the complaint's text
    assert status_of(complainant, number) in ("已受理", "调查中")  # accepted, the investigation opened
    office.complete("调查核实", {"investigation_findings": "经调取执法记录仪，情况属实", "substantiated": "true"})
    office.complete("责令改正并确定处理措施", {"correction_order": "责令退还餐费、撤销指定品牌要求",
                                         "interview": "false", "public_notice": "false",
                                         "transfer_discipline": "false"})
    # The correction reaches the concerned agency's head (defect 9), nobody else.
    head.complete("落实整改纠正", {"corrected_date": "2026-10-09", "correction_report": "已退还餐费，并通报批评当事人"})
    office.complete("核查整改情况", {"verify_date": "2026-10-10", "verified": "true", "verify_note": "整改到位"})
    office.complete("答复投诉人", {"reply_date": "2026-10-12", "reply_text": "经查属实，已责令改正并退还餐费"})

    tracking = text_of(complainant.get(f"/complaints/track?number={number}"))
    assert "已答复" in tracking and "经查属实，已责令改正并退还餐费" in tracking, tracking

    # A wrong 校验码 opens nothing; the right one shows the rating step.
    refused = text_of(complainant.get(f"/portal/case?number={number}&check=AAAA-AAAA", status=422))
    assert "与校验码不符" in refused and "投诉人评价" not in refused
    case = complainant.get(f"/portal/case?number={number}&check={check}")
    assert "投诉人评价" in text_of(case)
    step = complainant.step(f"/portal/case?number={number}&check={check}", "Task_complainant_rating")
    complainant.post_form(f"/portal/case/steps/{step}", {"number": number, "check": check, "rating": "满意",
                                                         "rating_date": "2026-10-12", "rating_comment": "处理及时"},
                          form_page=f"/portal/case?number={number}&check={check}")
    assert status_of(complainant, number) == "已办结"
    assert [name for _, name in office.inbox() + head.inbox()] == []
