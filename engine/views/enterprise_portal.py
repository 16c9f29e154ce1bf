"""What the enterprise sees of its case on the portal once it opened it with the 校验码
(engine.domain.enterprise_case): the inspection (who, when, its status, the code's validity) or the complaint's
progress, and each open step of its lane with the form to fill and what the step needs to be decided — never
the rest of the procedure's data (the office's opinions, the county's figures).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn.forms import FormSpec
from engine.domain.behavior_code import live_code_of
from engine.domain.enterprise_case import EnterpriseCase, open_steps
from engine.domain.enterprise_side import complaint_progress
from engine.models import Inspection, TaskRecord
from engine.runtime import Runtime, instances
from engine.views.attachments import portal_files

# The data a step of the enterprise's lane shows it, in its own words: the penalty and the rectification asked
# for (企业整改), the reply it rates (投诉人评价). Nothing outside this list leaves the procedure.
SHOWN_TO_ENTERPRISE = {
    "penalty_decision_no": "处罚决定书文号", "penalty_date": "处罚决定日期", "assigned_date": "交办日期",
    "rectify_items": "整改事项", "rectify_requirements": "整改要求", "handling_opinion": "逾期未整改处置意见",
    "evaluation": "上次整改评价意见", "reply_date": "答复日期", "reply_text": "答复内容",
}
INSPECTION_STATUS = {"planned": "计划中", "approved": "已审批", "noticed": "已告知", "in_progress": "检查中",
                     "completed": "已检查", "inspected": "已检查", "closed": "已办结", "refused": "未获批准",
                     "withdrawn": "已撤回", "cancelled": "已取消"}


@dataclass(frozen=True)
class EnterpriseStep:
    task: TaskRecord
    form: FormSpec | None
    values: dict
    shown: list[tuple[str, str]]  # (label, value) of SHOWN_TO_ENTERPRISE present in the step's data


def case_view(session: Session, runtime: Runtime, case: EnterpriseCase) -> dict:
    inspections = [{"agency": i.agency.name, "enterprise": i.enterprise.name, "day": _day(i.planned_start),
                    "status": INSPECTION_STATUS.get(i.status, i.status)} for i in case.inspections]
    code = None if case.code is None else {"code": case.code.code, "status": case.code.status,
                                            "valid_from": case.code.valid_from, "valid_to": case.code.valid_to}
    progress = complaint_progress(session, case.complaint.tracking_number) if case.complaint is not None else None
    return {"reference": case.reference, "inspections": inspections, "code": code, "complaint": progress,
            "steps": [_step(session, runtime, task) for task in open_steps(session, case)],
            "files": portal_files(session, case)}


def _step(session: Session, runtime: Runtime, task: TaskRecord) -> EnterpriseStep:
    form, data = instances.task_form(runtime, session, task.id)
    values = {f.name: data.get(f.name) for f in form.fields} if form is not None else {}
    shown = [(label, str(data[key])) for key, label in SHOWN_TO_ENTERPRISE.items()
             if data.get(key) not in (None, "")]
    return EnterpriseStep(task, form, values, shown)


def _day(day: date | datetime | None) -> str | None:
    return day.isoformat()[:10] if day else None


def handover(session: Session, instance_id: int) -> list[dict]:
    """What the inspectors hand the enterprise with the notice (检查告知书) for the procedure's inspections: the
    live 行政行为码 and its 校验码, with which the enterprise rates the inspection and reports 整改 on the portal."""
    inspections = session.scalars(select(Inspection).where(Inspection.process_instance_id == instance_id))
    codes = {code.id: code for code in (live_code_of(session, i) for i in inspections) if code is not None}
    return [{"code": c.code, "check_code": c.check_code, "valid_to": c.valid_to} for c in codes.values()]
