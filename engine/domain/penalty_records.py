"""The penalty and its revisit rounds follow the procedure (R25, issue 11 defect 6): 作出行政处罚决定 writes the
Penalty, and the revisit loop (processes/bpmn/penalty_revisit.bpmn) one Revisit row per round — 发现 (the revisit's
findings, or the last evaluation's), 交办, 整改, 评价 — until a round passes, which closes the penalty.

Each step is an `inspectflow:action` on the instance's inspection (engine.domain.stages); the penalty is the one
the data names (`penalty_id`, set when it was decided, else its `penalty_decision_no`) and must be that
inspection's. The revisit's due moment (`revisit_due_at`) is the deadlines' own business, not written here.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from engine.domain.errors import Refused
from engine.domain.inspection_records import moment_of
from engine.models import Inspection, Penalty, Revisit
from engine.models.base import column_length
from engine.runtime.stages import StageContext


def record_penalty(context: StageContext, inspection: Inspection) -> dict:
    """作出行政处罚决定: the penalty on the inspection's record. A decision number is one decision's: a number
    already on record is refused (the step is blocking, so nothing is saved)."""
    data, step = context.data, context.step
    number = str(data.get("penalty_decision_no") or "").strip()
    if not number:
        raise Refused("R25", "未填写处罚决定书文号，无法登记行政处罚", {})
    on_record = step.session.scalar(select(Penalty).where(Penalty.decision_number == number))
    if on_record is not None:
        raise Refused("R25", f"处罚决定书文号「{number}」已登记（检查记录 {on_record.inspection_id}），"
                             "不能重复登记，请核对文号", {"decision_number": number,
                                                         "inspection_id": on_record.inspection_id})
    decided = moment_of(data.get("penalty_date"), step.now)
    summary = str(data.get("penalty_summary") or data.get("record_text") or "").strip() or number
    penalty = Penalty(inspection_id=inspection.id, decision_number=number,
                      decided_on=(decided or step.now).date(), summary=summary,
                      fine_amount=_amount(data.get("fine_amount")), status="open",
                      process_instance_id=step.instance_id)
    step.session.add(penalty)
    step.session.flush()
    return {"penalty_id": penalty.id}


def record_revisit(context: StageContext, inspection: Inspection) -> dict:
    """罚后回访: the first round, with its findings; with nothing to rectify it has passed already."""
    data, step = context.data, context.step
    penalty = _penalty(context, inspection)
    passed = data.get("rectification_needed") is False
    revisit = _new_round(penalty, findings=data.get("revisit_findings"))
    revisit.visited_at = moment_of(data.get("revisit_date"), step.now) or step.now
    if passed:
        _evaluated(context, revisit, "passed", evaluation=data.get("revisit_findings"))
    step.session.flush()
    return {"revisit_round": revisit.round}


def record_assignment(context: StageContext, inspection: Inspection) -> dict:
    """交办整改: to the enterprise. A round that failed (its evaluation, or the rectification deadline) opens the
    next round, whose findings are what the last one left undone."""
    data, step = context.data, context.step
    penalty = _penalty(context, inspection)
    revisit = _current(penalty)
    if revisit is None or revisit.result != "pending":
        revisit = _new_round(penalty, findings=revisit.evaluation if revisit else data.get("rectify_items"))
    revisit.assigned_to = inspection.enterprise.name[:column_length(Revisit, "assigned_to")]
    revisit.assigned_at = moment_of(data.get("assigned_date"), step.now) or step.now
    step.session.flush()
    return {"revisit_round": revisit.round}


def record_rectification(context: StageContext, inspection: Inspection) -> dict:
    """企业整改: the enterprise's report."""
    data, step = context.data, context.step
    revisit = _pending(_penalty(context, inspection))
    revisit.rectification = data.get("rectification_report")
    revisit.rectified_at = moment_of(data.get("rectified_date"), step.now) or step.now
    return {}


def record_rectify_overdue(context: StageContext, inspection: Inspection) -> dict:
    """逾期未整改处置: the round fails; the head's handling is its evaluation, and 交办 opens the next round."""
    data = context.data
    revisit = _pending(_penalty(context, inspection))
    _evaluated(context, revisit, "failed",
               evaluation=f"逾期未整改（{data.get('handling')}）：{data.get('handling_opinion')}")
    return {}


def record_evaluation(context: StageContext, inspection: Inspection) -> dict:
    """整改评价: the round passes or fails."""
    data, step = context.data, context.step
    revisit = _pending(_penalty(context, inspection))
    _evaluated(context, revisit, "passed" if data.get("evaluation_passed") is True else "failed",
               evaluation=data.get("evaluation"))
    revisit.evaluated_at = moment_of(data.get("evaluation_date"), step.now) or step.now
    return {}


def close_penalty(context: StageContext, inspection: Inspection) -> dict:
    """回访闭环: a round passed, the penalty's revisit is closed."""
    _penalty(context, inspection).status = "closed"
    return {}


def _penalty(context: StageContext, inspection: Inspection) -> Penalty:
    session, data = context.step.session, context.data
    penalty_id = data.get("penalty_id")
    if isinstance(penalty_id, int):
        penalty = session.get(Penalty, penalty_id)
    else:
        number = str(data.get("penalty_decision_no") or "").strip()
        penalty = session.scalar(select(Penalty).where(Penalty.decision_number == number)) if number else None
    if penalty is None or penalty.inspection_id != inspection.id:
        raise Refused("R25", "回访找不到本次检查的行政处罚记录（处罚决定书文号），无法登记回访",
                      {"penalty_id": penalty_id, "decision_number": data.get("penalty_decision_no")})
    return penalty


def _current(penalty: Penalty) -> Revisit | None:
    return penalty.revisits[-1] if penalty.revisits else None


def _pending(penalty: Penalty) -> Revisit:
    revisit = _current(penalty)
    if revisit is None or revisit.result != "pending":
        raise Refused("R25", "没有正在进行的回访整改轮次", {"penalty_id": penalty.id})
    return revisit


def _new_round(penalty: Penalty, *, findings: object) -> Revisit:
    done = max((r.round for r in penalty.revisits), default=0)
    revisit = Revisit(round=done + 1, findings=str(findings) if findings else None, result="pending")
    penalty.revisits.append(revisit)
    return revisit


def _evaluated(context: StageContext, revisit: Revisit, result: str, *, evaluation: object) -> None:
    step = context.step
    revisit.result = result
    revisit.evaluation = str(evaluation) if evaluation else None
    revisit.evaluated_by = step.actor
    revisit.evaluated_at = step.now


def _amount(value: object) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


PENALTY_STEPS = {
    "record_penalty": record_penalty,
    "record_revisit": record_revisit,
    "record_assignment": record_assignment,
    "record_rectification": record_rectification,
    "record_rectify_overdue": record_rectify_overdue,
    "record_evaluation": record_evaluation,
    "close_penalty": close_penalty,
}
