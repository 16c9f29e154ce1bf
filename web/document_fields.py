"""What each placeholder of the printable documents' templates puts in (/admin/documents), in the administrator's
words: the page lists a document's fields as buttons that insert the placeholder at the cursor
(static/template-fields.js), so the placeholder syntax is explained, never shown as page text."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from engine.domain import paper_templates
from engine.domain.paper_fields import sample_fields

# Every field of engine.domain.paper_fields (tests/web/test_papers.py checks none is missing), in page order.
FIELD_LABELS = {
    "agency.name": _l("执法主体（检查机关）名称"),
    "agency.code": _l("检查机关代码"),
    "agency.confirmation_basis": _l("执法主体资格确认依据"),
    "jurisdiction": _l("辖区"),
    "enterprise.name": _l("企业名称"),
    "enterprise.credit_code": _l("统一社会信用代码"),
    "enterprise.address": _l("企业住所（经营场所）"),
    "enterprise.legal_representative": _l("法定代表人（负责人）"),
    "year": _l("年度"),
    "year_count": _l("企业本年度已接受行政检查次数"),
    "source": _l("任务来源"),
    "legal_basis": _l("检查依据（各检查事项的法律依据）"),
    "items_list": _l("检查事项清单（每项一行）"),
    "code.text": _l("行政行为码"),
    "code.validity": _l("行政行为码有效期"),
    "inspection.id": _l("检查编号（文号用）"),
    "inspection.mode": _l("检查方式"),
    "inspection.planned": _l("计划检查时间"),
    "inspection.actual_start": _l("检查开始时间"),
    "inspection.actual_end": _l("检查结束时间"),
    "inspection.purpose": _l("检查目的"),
    "inspection.recording": _l("全过程记录（音像记录或文字记录，R22）"),
    "inspection.approved_by": _l("审批人"),
    "inspection.approved_at": _l("审批时间"),
    "inspectors_list": _l("检查人员及执法证号（每人一行）"),
    "assistants_list": _l("事先确定的辅助人员"),
    "notice.time": _l("通知的检查时间"),
    "notice.method": _l("通知方式"),
    "notice.given_on": _l("通知日期"),
    "result_text": _l("检查结果"),
    "penalty.decision_number": _l("处理决定文号"),
    "penalty.decided_on": _l("处理决定日期"),
    "penalty.summary": _l("发现的问题及处理"),
    "penalty.fine": _l("罚款金额"),
    "penalty.revisit_due": _l("整改期限"),
    "revisits_list": _l("整改回访情况（每次一行）"),
    "complaint.tracking_number": _l("投诉查询编号"),
    "complaint.addressee": _l("答复对象"),
    "complaint.kind": _l("投诉类别"),
    "complaint.content": _l("反映内容"),
    "complaint.received_at": _l("投诉受理时间"),
    "complaint.about": _l("投诉涉及的检查"),
    "complaint.substantiated": _l("调查结论"),
    "complaint.outcomes_text": _l("处理措施"),
    "complaint.reply": _l("答复内容"),
    "complaint.replied_at": _l("答复时间"),
    "rights_text": _l("当事人权利告知（含标题，必需）"),
    "rights": _l("当事人权利告知（不含标题）"),
    "prohibitions_text": _l("五个严禁（必需）"),
    "today": _l("出具日期"),
}


def fields_of(name: str, now: datetime) -> list[tuple[str, str]]:
    """The document's fields as (placeholder name, what it puts in), in the page's order."""
    available = set(paper_templates.fields_of(name, sample_fields(now)))
    return [(field, str(label)) for field, label in FIELD_LABELS.items() if field in available]
