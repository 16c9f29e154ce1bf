"""What a printable document says, built from the case's records (执法文书, issue 12 item 6): the fields the
templates of engine.domain.paper_templates read. Plain strings, lists and dicts only (the sandboxed templates
see no ORM rows); a missing fact is a dash so that a form printed early leaves its blank.

Every document carries what the national format (司法部《行政检查文书基本格式文本(试行)》, 2025) asks of each:
the legal basis (R2: the published items' bases), the enforcement body (R1), the task's source (R16, R7), the
enterprise's inspections this year, the inspectors with their certificate numbers (R1), the assistants named
in advance, the enterprise's rights and the 五个严禁 notice (R23)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.behavior_code import live_code_of
from engine.models import BehaviorCode, Complaint, Inspection, Jurisdiction, Notice, Penalty
from engine.models.inspection import NOT_GOING_AHEAD
from engine.models.vocabulary import (
    COMPLAINT_KINDS,
    COMPLAINT_OUTCOMES,
    INSPECTOR_KINDS,
    PROHIBITIONS,
    TRIGGER_KINDS,
    URGENT_REASONS,
)
from engine.platform.clock import SHANGHAI

DASH = "—"
MODES = {"onsite": "现场检查", "non_onsite": "非现场检查"}
NOTICE_METHODS = {"platform": "平台推送", "sms": "短信", "phone": "电话", "letter": "书面", "in_person": "当面告知"}
RIGHTS = ("你单位有权要求检查人员出示执法证件和行政行为码，未出示的有权拒绝检查；认为检查人员与本案有直接利害关系或者"
          "其他关系可能影响公正检查的，有权申请回避；对检查结果有陈述、申辩的权利；对行政行为不服的，可以依法申请行政复议"
          "或者提起行政诉讼；对检查中的违法违规行为可以向司法行政部门或者通过企业服务门户投诉举报。")
FIVE_PROHIBITIONS = tuple(PROHIBITIONS.values())[:5]  # 五个严禁 (国办发〔2024〕54号)
PROHIBITIONS_TEXT = "五个严禁：" + "；".join(FIVE_PROHIBITIONS) + "。"
REVISIT_RESULTS = {"pending": "待评估", "passed": "整改到位", "failed": "未整改到位"}


def inspection_fields(session: Session, inspection: Inspection, now: datetime) -> dict[str, Any]:
    """The fields of the inspection's documents (审批表, 通知书, 笔录, 结果告知书, 整改通知书)."""
    year = now.astimezone(SHANGHAI).year
    code = live_code_of(session, inspection) or session.scalar(
        select(BehaviorCode).where(BehaviorCode.inspection_id == inspection.id).order_by(BehaviorCode.id.desc()))
    notice = session.scalar(select(Notice).where(Notice.inspection_id == inspection.id).order_by(Notice.id.desc()))
    penalty = session.scalar(select(Penalty).where(Penalty.inspection_id == inspection.id)
                             .order_by(Penalty.id.desc()))
    agency = inspection.agency
    return with_lines({
        **_common(now),
        "year": year,
        "year_count": inspections_this_year(session, inspection.enterprise_id, year),
        "agency": {"name": agency.name, "code": agency.code,
                   "confirmation_basis": agency.confirmation_basis or "行政执法主体资格已确认"},
        "jurisdiction": agency.jurisdiction.name,
        "enterprise": _enterprise(inspection),
        "code": _code(code),
        "source": task_source(inspection),
        "inspection": {
            "id": inspection.id,
            "mode": MODES.get(inspection.mode, inspection.mode),
            "planned": _span(inspection.planned_start, inspection.planned_end),
            "actual_start": _moment(inspection.actual_start),
            "actual_end": _moment(inspection.actual_end),
            "purpose": inspection.purpose or DASH,
            "approved_by": inspection.approved_by or "（待审批）",
            "approved_at": _moment(inspection.approved_at),
            "recording": recording(inspection.audio_video),
        },
        "items": [{"code": i.code, "name": i.name, "legal_basis": i.legal_basis, "standard": i.standard}
                  for i in inspection.items],
        "legal_basis": "、".join(dict.fromkeys(i.legal_basis for i in inspection.items)) or DASH,
        "inspectors": [{"name": p.name, "certificate_number": p.certificate_number or DASH}
                       for p in inspection.inspectors],
        "assistants": [{"name": p.name, "kind": INSPECTOR_KINDS.get(p.kind, p.kind)} for p in inspection.assistants],
        "notice": _notice(notice),
        "penalty": _penalty(penalty),
        "revisits": [{"round": r.round, "findings": r.findings or DASH, "rectification": r.rectification or DASH,
                      "result": REVISIT_RESULTS.get(r.result, r.result)}
                     for r in (penalty.revisits if penalty else [])],
    })


def complaint_fields(session: Session, complaint: Complaint, now: datetime) -> dict[str, Any]:
    """The complaint reply's fields; with the inspection it is about when the complaint named a known code."""
    inspection = complaint.inspection
    base = inspection_fields(session, inspection, now) if inspection is not None else {
        **_common(now), "year": now.astimezone(SHANGHAI).year, "year_count": DASH, "agency": {"name": DASH},
        "jurisdiction": _jurisdiction_name(session, complaint.jurisdiction_id),
        "enterprise": {"name": complaint.enterprise.name if complaint.enterprise else DASH},
        "code": {"text": complaint.code_text or "", "validity": DASH}, "inspectors": [], "assistants": [],
        "legal_basis": DASH, "source": DASH}
    base["complaint"] = {
        "tracking_number": complaint.tracking_number,
        "addressee": complaint.enterprise.name if complaint.enterprise else "投诉人",
        "kind": COMPLAINT_KINDS.get(complaint.kind, complaint.kind),
        "content": complaint.content,
        "received_at": _moment(complaint.received_at),
        "substantiated": {True: "经调查，反映情况属实。", False: "经调查，反映情况不属实。"}.get(
            complaint.substantiated, "调查中。") if complaint.substantiated is not None else "调查中。",
        "outcomes": [COMPLAINT_OUTCOMES.get(o, o) for o in complaint.outcomes or []],
        "reply": complaint.reply or "（尚未答复）",
        "replied_at": _moment(complaint.replied_at),
        "about": (f"（涉及行政行为码 {base['code']['text']}，检查机关 {base['agency']['name']}，被检查企业 "
                  f"{base['enterprise']['name']}）") if inspection is not None else "",
    }
    return with_lines(base)


def with_lines(fields: dict[str, Any]) -> dict[str, Any]:
    """The lists as ready lines (templates have placeholders, no loops) and the result in words."""
    people = fields.get("inspectors", [])
    penalty = fields.get("penalty", {})
    complaint = fields.get("complaint")
    lines = {
        "items_list": "\n".join(f"{n}. {i['code']} {i['name']}；依据：{i['legal_basis']}；标准：{i['standard']}"
                                 for n, i in enumerate(fields.get("items", []), start=1)) or DASH,
        "inspectors_list": "\n".join(f"{p['name']}，执法证号 {p['certificate_number']}" for p in people) or DASH,
        "assistants_list": "、".join(f"{p['name']}（{p['kind']}）" for p in fields.get("assistants", [])) or "无",
        "revisits_list": "\n".join(f"第 {r['round']} 次回访：{r['findings']}；整改情况：{r['rectification']}；"
                                   f"结果：{r['result']}" for r in fields.get("revisits", [])) or "尚未回访",
        "result_text": (f"发现问题，已作出处理决定（{penalty['decision_number']}）：{penalty['summary']}"
                        if penalty.get("decision_number") else "未发现违法违规问题。"),
    }
    if complaint is not None:
        complaint["outcomes_text"] = "、".join(complaint["outcomes"]) or "无"
    return {**fields, **lines}


def inspections_this_year(session: Session, enterprise_id: int, year: int) -> int:
    """The enterprise's inspections that went ahead or are going ahead this year, by every agency."""
    rows = session.execute(select(Inspection.planned_start, Inspection.actual_start, Inspection.created_at)
                           .where(Inspection.enterprise_id == enterprise_id,
                                  Inspection.status.not_in(NOT_GOING_AHEAD))).all()
    return sum(1 for planned, actual, created in rows
               if (planned or (actual or created).astimezone(SHANGHAI).date()).year == year)


def task_source(inspection: Inspection) -> str:
    """任务来源: the plan (routine, R15), the trigger (R16) or the urgent reason (R7)."""
    if inspection.retroactive:
        return f"紧急检查（{URGENT_REASONS.get(inspection.urgent_reason or '', '特殊原因')}），事后补办审批"
    if inspection.trigger == "triggered":
        return f"触发式检查：{TRIGGER_KINDS.get(inspection.trigger_reason or '', '其他')}"
    plan = inspection.plan
    return f"年度检查计划：{plan.title}" if plan is not None else "年度检查计划"


def sample_fields(now: datetime) -> dict[str, Any]:
    """A complete made-up case: what an administrator's template is tried on before it is accepted."""
    person = {"name": "张三", "certificate_number": "33112500001"}
    return with_lines({
        **_common(now), "year": 2026, "year_count": 1, "jurisdiction": "云和县",
        "agency": {"name": "云和县市场监督管理局", "code": "YH-SCJG", "confirmation_basis": "丽司〔2025〕1号"},
        "enterprise": {"name": "示例食品有限公司", "credit_code": "91331125MA2A00000X", "address": "云和县示例路1号",
                       "legal_representative": "李四"},
        "code": {"text": "YHSCJG-23456789ABCDEFGHJKMN", "validity": "2026-03-02 至 2026-03-06"},
        "source": "年度检查计划：2026 年度检查计划",
        "inspection": {"id": 1, "mode": "现场检查", "planned": "2026-03-02 至 2026-03-06",
                       "actual_start": "2026-03-03 09:00", "actual_end": "2026-03-03 11:00", "purpose": "食品安全检查",
                       "approved_by": "王五", "approved_at": "2026-03-01 10:00", "recording": recording(True)},
        "items": [{"code": "SC-001", "name": "食品经营许可", "legal_basis": "《中华人民共和国食品安全法》第三十五条",
                   "standard": "持有效许可证"}],
        "legal_basis": "《中华人民共和国食品安全法》第三十五条",
        "inspectors": [person, {"name": "赵六", "certificate_number": "33112500002"}],
        "assistants": [{"name": "钱七", "kind": "辅助人员"}],
        "notice": {"time": "2026-03-03", "method": "平台推送", "given_on": "2026-02-27"},
        "penalty": {"decision_number": "云市监罚〔2026〕1号", "decided_on": "2026-03-10", "summary": "责令改正",
                    "fine": "0", "revisit_due": "2026-04-10"},
        "revisits": [{"round": 1, "findings": "已整改", "rectification": "已更换标签", "result": "整改到位"}],
        "complaint": {"tracking_number": "TS-2026-0001", "addressee": "示例食品有限公司", "kind": "无码入企",
                      "content": "检查人员未出示行政行为码", "received_at": "2026-03-04 10:00",
                      "substantiated": "经调查，反映情况属实。", "outcomes": ["责令改正"], "reply": "已责令改正",
                      "replied_at": "2026-03-12 16:00", "about": "（涉及行政行为码 YHSCJG-23456789ABCDEFGHJKMN）"},
    })


def _common(now: datetime) -> dict[str, Any]:
    return {"today": now.astimezone(SHANGHAI).date().isoformat(), "rights_text": "当事人权利告知：" + RIGHTS,
            "prohibitions_text": PROHIBITIONS_TEXT, "rights": RIGHTS, "prohibitions": list(FIVE_PROHIBITIONS),
            "notice": {"time": DASH, "method": DASH, "given_on": DASH},
            "penalty": {"decision_number": "", "decided_on": DASH, "summary": DASH, "fine": DASH,
                        "revisit_due": DASH},
            "revisits": [], "items": [],
            "inspection": {"id": "", "actual_start": DASH, "actual_end": DASH, "recording": recording(None)}}


def recording(audio_video: bool | None) -> str:
    """How the 现场检查笔录 states the visit's recording (R22): on audio/video from start to end or in writing
    only; a box to tick while no step has said."""
    if audio_video is None:
        return "□ 音像记录　□ 文字记录"
    return "已全程音像记录，并制作本笔录" if audio_video else "未音像记录，以本笔录文字记录"


def _jurisdiction_name(session: Session, jurisdiction_id: int | None) -> str:
    found = session.get(Jurisdiction, jurisdiction_id) if jurisdiction_id is not None else None
    return found.name if found is not None else ""


def _enterprise(inspection: Inspection) -> dict[str, str]:
    e = inspection.enterprise
    return {"name": e.name, "credit_code": e.credit_code, "address": e.address or DASH,
            "legal_representative": e.legal_representative or DASH}


def _code(code: BehaviorCode | None) -> dict[str, str]:
    if code is None:
        return {"text": "（未签发）", "validity": DASH}
    return {"text": code.code, "validity": f"{_moment(code.valid_from)} 至 {_moment(code.valid_to)}"}


def _notice(notice: Notice | None) -> dict[str, str]:
    if notice is None:
        return {"time": DASH, "method": DASH, "given_on": DASH}
    content = notice.content or {}
    return {"time": str(content.get("time") or DASH), "method": NOTICE_METHODS.get(notice.method or "", DASH),
            "given_on": notice.given_on.isoformat() if notice.given_on else DASH}


def _penalty(penalty: Penalty | None) -> dict[str, str]:
    if penalty is None:
        return {"decision_number": "", "decided_on": DASH, "summary": DASH, "fine": DASH, "revisit_due": DASH}
    return {"decision_number": penalty.decision_number, "decided_on": penalty.decided_on.isoformat(),
            "summary": penalty.summary, "fine": str(penalty.fine_amount or 0),
            "revisit_due": _moment(penalty.revisit_due_at)}


def _span(start: date | None, end: date | None) -> str:
    if start is None:
        return DASH
    return start.isoformat() if end is None or end == start else f"{start.isoformat()} 至 {end.isoformat()}"


def _moment(moment: datetime | None) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if moment is not None else DASH
