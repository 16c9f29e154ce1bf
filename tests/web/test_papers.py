"""亮码 and 执法文书 (issue 12 item 6): the code screen of a case, its documents as PDF with the Chinese fields the
national format asks for (text extracted from each PDF), access only for those who may see the case (R1), and
the administrator's templates: an edit shows in the next PDF, a bad one is refused naming the problem."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from engine.calendar import WorkingCalendar
from engine.domain import behavior_code
from engine.domain.paper_fields import FIVE_PROHIBITIONS, sample_fields
from engine.domain.paper_templates import DOCUMENTS, INSPECTION_DOCUMENTS, fields_of, shipped
from engine.models import AuditEntry, Penalty
from engine.models.check_code import digest
from engine.platform import cjk_font
from tests.factories import make_agency, make_code, make_complaint, make_inspection, make_inspector
from tests.web.pages import login, make_user, open_notice_task, token_of
from web.document_fields import FIELD_LABELS
from web.services import services

ENTERPRISE = "云和示范食品有限公司"


def make_case(app, svc, clock, *, assistant: bool = True) -> dict:
    """An approved, coded inspection of agency SCJG whose lifecycle is the instance of an open SCJG task, with (or
    without) an assistant named in advance, a penalty and a complaint about it; users of SCJG, LYJ and an
    administrator."""
    task, complaint_task = open_notice_task(svc, clock), open_notice_task(svc, clock)
    with app.app_context(), services().transaction() as session:
        agency = make_agency(session, code="SCJG", name="云和县市场监督管理局")
        make_agency(session, code="LYJ", name="云和县林业局", jurisdiction=agency.jurisdiction)
        people = [make_inspector(session, agency=agency, name="王执法", certificate_number="33112599000101")]
        helpers = [make_inspector(session, agency=agency, name="钱辅助", kind="auxiliary")] if assistant else []
        inspection = make_inspection(session, agency=agency, inspectors=people, approved_by="局长",
                                     assistants=helpers)
        inspection.enterprise.name = ENTERPRISE
        inspection.process_instance_id = task.instance_id
        code = make_code(session, inspection=inspection)
        session.add(Penalty(inspection_id=inspection.id, decision_number="云市监罚〔2026〕7号",
                            decided_on=datetime(2026, 9, 1).date(), summary="标签不合格，责令改正"))
        complaint = make_complaint(session, enterprise=inspection.enterprise, code=code, kind="misconduct")
        complaint.inspection_id, complaint.reply = inspection.id, "经核查，已责令检查人员改正"
        complaint.check_digest = digest("ABCD-EFGH")
        complaint.process_instance_id = complaint_task.instance_id
        items = [(i.name, i.legal_basis) for i in inspection.items]
        facts = {"instance": task.instance_id, "task": task.id, "code": code.code, "items": items,
                 "check": code.check_code, "complaint_instance": complaint.process_instance_id,
                 "number": complaint.tracking_number}
    make_user(app, "wang", "staff", agency="SCJG")
    make_user(app, "lin", "staff", agency="LYJ")
    make_user(app, "root", "administrator", agency=None)
    return facts


@pytest.fixture
def case(app, svc, clock) -> dict:
    return make_case(app, svc, clock)


def pdf_text(response) -> str:
    assert response.status_code == 200 and response.mimetype == "application/pdf", response.get_data(as_text=True)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    return "".join(text.split())  # a long line wraps anywhere: compare the text without the breaks


def test_each_document_is_a_pdf_whose_text_carries_the_national_formats_fields(app, case):
    client = app.test_client()
    login(client, "wang")
    for name in INSPECTION_DOCUMENTS:
        text = pdf_text(client.get(f"/papers/{case['instance']}/{name}.pdf"))
        assert DOCUMENTS[name] in text, name
        # The enterprise, the code, the inspector's certificate (R1), the assistant named in advance, the legal
        # basis of the items (R2), the enforcement body, the task's source, this year's inspections, the
        # enterprise's rights and 五个严禁.
        for part in (ENTERPRISE, case["code"], "33112599000101", "钱辅助", "云和县市场监督管理局", "回避", "行政复议",
                     *FIVE_PROHIBITIONS):
            assert part in text, (name, part)
        assert all(basis in text for _name, basis in case["items"]), name
        assert "年度检查计划" in text and re.search(r"已接受行政检查：?\d+次", text), name
    assert "云市监罚〔2026〕7号" in pdf_text(client.get(f"/papers/{case['instance']}/rectification.pdf"))
    reply = pdf_text(client.get(f"/papers/{case['complaint_instance']}/complaint_reply.pdf"))
    assert "投诉举报答复书" in reply and "经核查，已责令检查人员改正" in reply and case["code"] in reply


@pytest.mark.parametrize(("name", "blanks"), [
    ("sampling", ("样品名称：", "规格型号：", "生产批号（生产日期）：", "抽样数量：", "抽样地点（存放位置）：",
                  "被抽样单位签名（盖章）：", "抽样人员签名：")),
    ("survey", ("勘验地点（场所）：", "在场人（见证人）：", "勘验情况", "当事人签名（盖章）：", "见证人签名：")),
    ("inquiry", ("询问人：", "记录人：", "被询问人：", "告知（向被询问人宣读）", "如实回答", "问：", "答：",
                 "被询问人签名：", "询问人签名：")),
])
def test_the_special_records_are_forms_with_the_case_printed_and_blanks_to_fill(app, case, name, blanks):
    client = app.test_client()
    login(client, "wang")
    assert f"/papers/{case['instance']}/{name}.pdf" in client.get(f"/papers/{case['instance']}").get_data(as_text=True)
    text = pdf_text(client.get(f"/papers/{case['instance']}/{name}.pdf"))
    assert text.startswith(DOCUMENTS[name]) and all(blank in text for blank in blanks), name


def test_the_notice_prints_its_number_and_the_code_on_one_line_and_signs_off_flush_right(app, case):
    client = app.test_client()
    login(client, "wang")
    response = client.get(f"/papers/{case['instance']}/notice.pdf")
    lines = PdfReader(io.BytesIO(response.data)).pages[0].extract_text().splitlines()
    assert any(line.startswith("检通〔") and line.endswith(f"行政行为码：{case['code']}") for line in lines), lines
    assert lines[0] == "云和县市场监督管理局" and lines[1] == "行政检查通知书"


def test_the_code_screen_shows_the_code_a_qr_to_its_verify_page_and_the_documents(app, case):
    client = app.test_client()
    login(client, "wang")
    page = client.get(f"/papers/{case['instance']}").get_data(as_text=True)
    assert case["code"] in page and 'src="data:image/svg+xml;base64,' in page
    assert f"/codes/{case['code']}" in page and ENTERPRISE in page and "王执法" in page
    assert "辅助人员：钱辅助（辅助人员）" in page  # named in advance, apart from the inspectors
    assert f"/papers/{case['instance']}/notice.pdf" in page
    task_page = client.get(f"/tasks/{open_task_id(app, case['instance'])}").get_data(as_text=True)
    assert f"/papers/{case['instance']}" in task_page


def test_a_task_whose_case_has_no_records_links_no_papers(app, svc, clock, case):
    bare = open_notice_task(svc, clock)  # a procedure that concerns no inspection, penalty or complaint
    client = app.test_client()
    login(client, "wang")
    assert "/papers/" not in client.get(f"/tasks/{bare.id}").get_data(as_text=True)
    assert client.get(f"/papers/{bare.instance_id}").status_code == 404


def open_task_id(app, instance_id: int) -> str:
    from engine.views import inbox
    with app.app_context(), services().sessions() as session:
        return inbox.open_tasks(session, instance_id=instance_id)[0].id


def test_another_agencys_user_gets_neither_the_code_screen_nor_the_documents(app, case):
    client = app.test_client()
    login(client, "lin")
    assert client.get(f"/papers/{case['instance']}").status_code == 403
    for name in DOCUMENTS:
        response = client.get(f"/papers/{case['instance']}/{name}.pdf")
        assert response.status_code == 403 and response.mimetype != "application/pdf"
    assert case["code"] not in client.get(f"/papers/{case['instance']}").get_data(as_text=True)


def test_the_verify_page_names_the_enterprise_the_inspectors_and_the_codes_state(app, case, clock):
    client = app.test_client()
    page = client.get(f"/codes/{case['code']}").get_data(as_text=True)
    assert "被检查企业：" + ENTERPRISE in page and "王执法" in page
    assert "<strong>在有效期内</strong>" in page and "检查前经单位负责人审批" in page
    clock.set(datetime(2026, 10, 20, 2, 0, tzinfo=UTC))  # after the planned window's last day (R6)
    page = client.get(f"/codes/{case['code']}").get_data(as_text=True)
    assert "<strong>已过期</strong>" in page and ENTERPRISE in page


def test_a_retroactive_code_says_so_on_the_verify_page(app):
    with app.app_context(), services().transaction() as session:
        urgent = make_inspection(session, approved_by="局长", retroactive=True, urgent_reason="temporary",
                                 actual_start=datetime(2026, 9, 29, 1, 0, tzinfo=UTC),
                                 actual_end=datetime(2026, 9, 29, 3, 0, tzinfo=UTC))
        code = behavior_code.issue_code(session, inspection=urgent, approved_by="局长", retroactive=True,
                                        now=datetime(2026, 9, 30, 1, 0, tzinfo=UTC), calendar=WorkingCalendar()).code
    page = app.test_client().get(f"/codes/{code}").get_data(as_text=True)
    assert "紧急检查事后补办审批" in page and "被检查企业：" in page


def test_the_administrators_edit_shows_in_the_next_pdf_and_is_audited(app, case):
    admin, staff = app.test_client(), app.test_client()
    login(admin, "root")
    login(staff, "wang")
    page = admin.get("/admin/documents").get_data(as_text=True)
    assert all(title in page for title in DOCUMENTS.values())
    line = "本通知书由云和县统一印制：{{ enterprise.name }}"
    body = shipped("notice").replace("# 行政检查通知书", f"# 行政检查通知书\n{line}")
    saved = admin.post("/admin/documents/notice", data={"body": body, "csrf_token": token_of(page)})
    assert saved.status_code == 302
    assert "本通知书由云和县统一印制：" + ENTERPRISE in pdf_text(staff.get(f"/papers/{case['instance']}/notice.pdf"))
    with app.app_context(), services().sessions() as session:
        assert session.query(AuditEntry).filter_by(action="document_template.save", actor="root").count() == 1


@pytest.mark.parametrize(("body", "problem"), [
    ("# 行政检查通知书\n{{ complaint.content }}\n{{ rights_text }}\n{{ prohibitions_text }}", "complaint.content"),
    ("# 行政检查通知书\n{{ prohibitions }}\n{{ rights_text }}\n{{ prohibitions_text }}", "prohibitions"),
    ("# 行政检查通知书\n{{ enterprise.nickname }}\n{{ rights_text }}\n{{ prohibitions_text }}", "enterprise.nickname"),
    ("# 行政检查通知书\n{{ enterprise.name }\n{{ rights_text }}\n{{ prohibitions_text }}", "第 2 行"),
    ("# 行政检查通知书\n{{ enterprise.name }}\n{{ rights_text }}", "五个严禁"),
])
def test_a_bad_template_is_refused_naming_the_problem_and_the_old_one_stays(app, case, body, problem):
    admin = app.test_client()
    login(admin, "root")
    token = token_of(admin.get("/admin/documents").get_data(as_text=True))
    refused = admin.post("/admin/documents/notice", data={"body": body, "csrf_token": token})
    assert refused.status_code == 422 and problem in refused.get_data(as_text=True)
    staff = app.test_client()
    login(staff, "wang")
    assert "根据" in pdf_text(staff.get(f"/papers/{case['instance']}/notice.pdf"))


def test_only_administrators_edit_templates(app, case):
    client = app.test_client()
    login(client, "wang")
    assert client.get("/admin/documents").status_code == 403
    token = token_of(client.get("/inbox").get_data(as_text=True))
    assert client.post("/admin/documents/notice", data={"body": "# x", "csrf_token": token}).status_code == 403


def test_the_enterprise_gets_its_rectification_notice_and_reply_on_the_portal_with_its_check_code(app, case):
    client = app.test_client()  # no login: the portal
    page = client.get("/portal/case", query_string={"code": case["code"], "check": case["check"]})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "责令整改通知书（PDF）" in html and "行政检查审批表" not in html
    text = pdf_text(client.get("/portal/case/papers/rectification.pdf",
                               query_string={"code": case["code"], "check": case["check"]}))
    assert all(part in text for part in ("责令整改通知书", ENTERPRISE, "云市监罚〔2026〕7号", "33112599000101"))
    reply = pdf_text(client.get("/portal/case/papers/complaint_reply.pdf",
                                query_string={"number": case["number"], "check": "ABCD-EFGH"}))
    assert "经核查，已责令检查人员改正" in reply and "五个严禁" in reply
    # A wrong check code opens nothing; the inspection's internal papers are not the enterprise's to fetch.
    wrong = client.get("/portal/case/papers/rectification.pdf", query_string={"code": case["code"], "check": "X"})
    assert wrong.status_code == 422 and wrong.mimetype != "application/pdf"
    internal = client.get("/portal/case/papers/approval.pdf", query_string={"code": case["code"],
                                                                             "check": case["check"]})
    assert internal.status_code == 404 and internal.mimetype != "application/pdf"


def test_without_a_chinese_font_the_pdf_link_says_so(app, case, monkeypatch):
    client = app.test_client()
    login(client, "wang")
    monkeypatch.setenv("INSPECTFLOW_PDF_FONT", "/nonexistent/font.ttc")
    cjk_font.font_path.cache_clear()
    try:
        response = client.get(f"/papers/{case['instance']}/notice.pdf")
    finally:
        monkeypatch.delenv("INSPECTFLOW_PDF_FONT")
        cjk_font.font_path.cache_clear()
    assert response.status_code == 503 and "/nonexistent/font.ttc" in response.get_data(as_text=True)


def test_the_administrator_finds_the_templates_from_the_menu(app, case):
    admin, staff = app.test_client(), app.test_client()
    login(admin, "root")
    login(staff, "wang")
    assert 'href="/admin/documents"' in admin.get("/admin/policy").get_data(as_text=True)
    assert 'href="/admin/documents"' not in staff.get("/inbox").get_data(as_text=True)


def test_the_template_page_explains_placeholders_in_words_and_lists_each_documents_fields(app, case):
    admin = app.test_client()
    login(admin, "root")
    page = admin.get("/admin/documents").get_data(as_text=True)
    shown = re.sub(r"<textarea.*?</textarea>", "", page, flags=re.S)  # the templates themselves do have them
    assert "{{" not in shown and "两对花括号" in shown
    notice = shown[shown.index('<section id="notice">'):shown.index('<section id="sampling">')]
    assert 'data-field="enterprise.name"' in notice and "<code>year_count</code>" in notice
    assert "complaint." not in notice  # an inspection's document has no complaint to print
    assert 'data-field="complaint.reply"' in shown[shown.index('<section id="complaint_reply">'):]


def test_every_field_a_template_may_use_is_described_on_the_page():
    sample = sample_fields(datetime(2026, 9, 30, tzinfo=UTC))
    assert {field for name in DOCUMENTS for field in fields_of(name, sample)} == set(FIELD_LABELS)
