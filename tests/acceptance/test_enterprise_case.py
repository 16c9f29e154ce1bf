"""Nobody else can act for the enterprise (issue 11 defect 2): its steps open only with the case's 校验码, wrong
guesses count against the address until it is refused, a step of another case cannot be worked with this case's
key, and no staff role may work the 企业 lane."""

from __future__ import annotations

from tests.acceptance.harness import text_of
from tests.acceptance.test_complaint_correction import file_complaint
from tests.acceptance.test_inspection_lifecycle import visit_recorded


def test_wrong_check_codes_open_nothing_and_are_throttled(county):
    _, code, check = visit_recorded(county, penalty_needed=False)
    enterprise = county.visitor()
    wrong = "ABCD-EFGH" if check != "ABCD-EFGH" else "HGFE-DCBA"
    for _ in range(10):
        page = text_of(enterprise.get(f"/portal/case?code={code}&check={wrong}", status=422))
        assert "与校验码不符" in page and "企业评价" not in page
    refused = text_of(enterprise.get(f"/portal/case?code={code}&check={check}", status=429))
    assert "过多" in refused  # the address is held up, even with the right code now
    county.at("2026-10-19T11:00:00+08:00")  # the failed guesses have left the hour's window
    typed_loosely = check.lower().replace("-", "")
    assert "企业评价" in text_of(enterprise.get(f"/portal/case?code={code}&check={typed_loosely}"))


def rectification_assigned(county) -> tuple[str, str, str]:
    """A visit with a penalty, rated, revisited and its 整改 assigned: the enterprise's 企业整改 is open. Returns the
    code, its 校验码 and the step's task id as the enterprise's case page gives it."""
    _, code, check = visit_recorded(county, penalty_needed=True)
    enterprise, staff, head = county.visitor(), county.person("staff"), county.person("head")
    enterprise.post_form("/rate", {"code": code, "check": check, "score": "4"}, status=200,
                         form_page=f"/rate?code={code}&check={check}")
    head.complete("作出行政处罚决定", {"penalty_decision_no": "示市监罚〔2026〕303号", "penalty_date": "2026-10-19"})
    staff.complete("罚后回访", {"revisit_date": "2026-10-19", "revisit_method": "电话回访",
                            "revisit_findings": "台账缺失", "rectification_needed": "true"})
    head.complete("交办整改", {"assigned_date": "2026-10-19", "rectify_items": "补建台账"})
    return code, check, enterprise.step(f"/portal/case?code={code}&check={check}", "Task_rectify")


def test_the_enterprises_step_is_worked_by_nobody_else(county):
    code, check, step = rectification_assigned(county)
    staff, head, office, complainant = (county.person("staff"), county.person("head"), county.person("office"),
                                        county.visitor())
    for person in (staff, head, office):
        assert person.client.get(f"/tasks/{step}").status_code == 403
        assert "企业整改" not in [name for _, name in person.inbox()]
    api = staff.client.post(f"/api/v1/tasks/{step}/complete", headers=county.api("head"),
                            json={"data": {"rectified_date": "2026-10-20", "rectification_report": "代企业填写"}})
    assert api.status_code == 403
    # Another case's key (a complaint's number and 校验码) does not reach this case's step.
    number, complaint_check = file_complaint(complainant, "检查人员态度粗暴")
    refused = complainant.post_form(f"/portal/case/steps/{step}", {
        "number": number, "check": complaint_check, "rectified_date": "2026-10-20",
        "rectification_report": "冒名报送"}, status=422, form_page="/complaints/new")
    assert "不属于本案件" in text_of(refused.get_data(as_text=True))
    still = text_of(county.visitor().get(f"/portal/case?code={code}&check={check}"))
    assert "企业整改" in still  # nothing was done
