"""The complaint record follows its procedure (R26, issue 11 defect 6): the portal's tracking page, the
statistics and the supervisors read the record, so each step of processes/bpmn/complaint_correction.bpmn that
changes the case writes it, in the step's own transaction:

    received → accepted (accepted_at) → investigating → correcting (substantiated; the measures ordered are its
    outcomes) → replied (reply, replied_at) → closed, or reopened when the complainant rejects the reply;
    or received → not_accepted (不予受理: the reason, which the complainant is told, is the reply);

and the complainant's rating of the reply. The record is the instance's (`complaint_id`, set when the portal
started it, engine.domain.complaint_process); a procedure started without one has none to write. The due
moments (accept_due_at, reply_due_at) are the deadlines' own business, not written here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from engine.domain.errors import Refused
from engine.domain.inspection_records import moment_of
from engine.models import Complaint
from engine.runtime.stages import StageCheck, StageContext, StageFindings

# The rating form's choices on the record's 1–5 scale (Complaint.complainant_rating).
RATING_SCORES = {"满意": 5, "基本满意": 3, "不满意": 1}


def complaint_step(act: Callable[[StageContext, Complaint], None]) -> StageCheck:
    def run(context: StageContext) -> StageFindings:
        complaint_id = context.data.get("complaint_id")
        if complaint_id is None:
            return StageFindings()
        complaint = context.step.session.get(Complaint, complaint_id) if isinstance(complaint_id, int) else None
        # Only the instance's own complaint: a step never writes another complaint's record.
        if complaint is None or complaint.process_instance_id != context.step.instance_id:
            return StageFindings([{"rule": "R26", "message": "投诉记录与本流程不符，无法登记办理进度",
                                   "figures": {"complaint_id": complaint_id}}])
        try:
            act(context, complaint)
        except Refused as refusal:
            return StageFindings([{"rule": refusal.rule, "message": refusal.message, "figures": refusal.figures}])
        context.step.session.flush()
        return StageFindings()

    return run


def accept(context: StageContext, complaint: Complaint) -> None:
    """受理投诉, or 不予受理 with the reason the complainant is told (it is the complaint's reply)."""
    data, now = context.data, context.step.now
    if declined(data):
        complaint.status = "not_accepted"
        complaint.reply = str(data.get("not_accepted_reason")).strip()
        complaint.replied_at = now
        return
    complaint.accepted_at = moment_of(data.get("acceptance_date"), now) or now
    complaint.status = "accepted"


def declined(data: Mapping[str, Any]) -> bool:
    return data.get("not_accepted") is True


def acceptance(context: StageContext) -> StageFindings:
    """受理投诉's step: `complaint_declined`, which the diagram routes on, whether or not there is a record; a
    complaint is declined only with a reason for the complainant (R26)."""
    facts = {"complaint_declined": declined(context.data)}
    if facts["complaint_declined"] and not str(context.data.get("not_accepted_reason") or "").strip():
        return StageFindings([{"rule": "R26", "message": "不予受理须写明理由并告知投诉人", "figures": {}}], facts)
    found = complaint_step(accept)(context)
    return StageFindings(found.refusals, {**found.data, **facts})


def open_handling(context: StageContext, complaint: Complaint) -> None:
    """起算答复期限: investigation under way."""
    complaint.status = "investigating"


def investigated(context: StageContext, complaint: Complaint) -> None:
    """调查核实: substantiated or not (a substantiated complaint is corrected before the reply)."""
    complaint.substantiated = context.data.get("substantiated") is True


def order_correction(context: StageContext, complaint: Complaint) -> None:
    """责令改正并确定处理措施: the measures ordered are the complaint's outcomes (R26 有错必纠)."""
    data = context.data
    measures = {"order_correction": True, "public_interview": data.get("interview") is True,
                "supervise_and_expose": data.get("public_notice") is True,
                "transfer_to_discipline": data.get("transfer_discipline") is True}
    complaint.outcomes = [outcome for outcome, ordered in measures.items() if ordered]
    complaint.status = "correcting"


def reply(context: StageContext, complaint: Complaint) -> None:
    """答复投诉人."""
    complaint.reply = context.data.get("reply_text")
    complaint.replied_at = moment_of(context.data.get("reply_date"), context.step.now) or context.step.now
    complaint.status = "replied"


def rate(context: StageContext, complaint: Complaint) -> None:
    """投诉人评价."""
    score = RATING_SCORES.get(str(context.data.get("rating")))
    if score is None:
        raise Refused("R26", f"评价「{context.data.get('rating')}」不是可选的评价", {})
    complaint.complainant_rating = score
    complaint.complainant_comment = context.data.get("rating_comment") or None


def reopen(context: StageContext, complaint: Complaint) -> None:
    """重新调查: the complainant rejected the reply."""
    complaint.status = "reopened"


def close(context: StageContext, complaint: Complaint) -> None:
    """办结."""
    complaint.status = "closed"


COMPLAINT_RECORD_STAGES: dict[str, StageCheck] = {
    "complaint_accepted": acceptance,
    "complaint_investigating": complaint_step(open_handling),
    "complaint_investigated": complaint_step(investigated),
    "complaint_correcting": complaint_step(order_correction),
    "complaint_replied": complaint_step(reply),
    "complaint_rated": complaint_step(rate),
    "complaint_reopened": complaint_step(reopen),
    "complaint_closed": complaint_step(close),
}
