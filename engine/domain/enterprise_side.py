"""What enterprises do without an account (issue 3 item 5): rate an inspection after the visit (R24),
report breaches of the 五个严禁/八个不得 (R23) and inspections without a valid code (无码入企, R22), and
follow a complaint by its tracking number (R26).

A report of a breach or of a missing code becomes a complaint; the caller starts the complaint-to-correction
procedure for it (engine.domain.complaint_process). Public answers reveal nothing beyond the case itself.
What the public types is capped (`*_LIMIT`, the columns' sizes where a column holds it) and a field that does
not fit is refused as `PortalInputInvalid` naming it. Functions flush; the caller commits (the portal's
commands are engine.commands.portal).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn.forms import FieldProblem
from engine.calendar import WorkingCalendar
from engine.domain.behavior_code import normalize_code
from engine.domain.errors import Refused
from engine.domain.policy import Policy
from engine.domain.tracking_number import new_tracking_number
from engine.models import BehaviorCode, Complaint, Inspection, InspectionRating
from engine.models.base import column_length
from engine.models.check_code import digest, new_check_code
from engine.models.vocabulary import COMPLAINT_KINDS, COMPLAINT_OUTCOMES, PROHIBITIONS
from engine.platform import alerts
from engine.platform.clock import SHANGHAI

NO_CODE_ALERT = "no_code"
VISITED_STATUSES = ("in_progress", "completed", "closed")
# A complaint says what happened in a few paragraphs; five thousand characters is several pages of Chinese, and
# the text travels with the procedure's every step. A rating's comment is shorter still.
CONTENT_LIMIT = 5_000
COMMENT_LIMIT = 2_000
CONTACT_LIMIT = column_length(Complaint, "contact")
CODE_LIMIT = column_length(Complaint, "code_text")
SCORES = (1, 2, 3, 4, 5)


class PortalInputInvalid(ValueError):
    """A field of the portal's forms that does not fit: `field` and its `problem` (a coded FieldProblem the
    pages word in the visitor's language)."""

    def __init__(self, field: str, problem: FieldProblem):
        super().__init__(f"{field}: {problem}")
        self.field, self.problem = field, problem


def _fits(field: str, text: str | None, limit: int) -> None:
    if text is not None and len(text) > limit:
        raise PortalInputInvalid(field, FieldProblem("too_long", f"at most {limit} characters", limit=limit))


def find_code(session: Session, code_text: str) -> BehaviorCode | None:
    return session.scalar(select(BehaviorCode).where(BehaviorCode.code == normalize_code(code_text)))


def covered_inspections(code: BehaviorCode) -> list[Inspection]:
    """The inspection a code covers, or every inspection of its joint group."""
    if code.inspection is not None:
        return [code.inspection]
    return list(code.joint_group.inspections) if code.joint_group is not None else []


def rate_inspection(session: Session, *, code: BehaviorCode, score: int, comment: str | None, breaches: list[str],
                    now: datetime, calendar: WorkingCalendar, policy: Policy,
                    rating_open: bool = False) -> tuple[InspectionRating, Filed | None]:
    """The enterprise's rating of the inspection its code covers (R24); ticked breaches (R23) file a
    misconduct complaint at the same time. The caller has checked the code's 校验码 (engine.domain.enterprise_case);
    `rating_open`: the inspection's procedure is waiting for this rating (企业评价), so the visit took place."""
    _fits("comment", comment, COMMENT_LIMIT)
    inspections = covered_inspections(code)
    visited = [i for i in inspections if rating_open or i.actual_start is not None or i.status in VISITED_STATUSES]
    if not visited:
        raise Refused("R24", "检查尚未进行，暂不能评价", {})
    if score not in SCORES:
        raise PortalInputInvalid("score", FieldProblem("not_a_choice", "choose 1 to 5",
                                                       choices="、".join(map(str, SCORES))))
    unknown = [b for b in breaches if b not in PROHIBITIONS]
    if unknown:
        raise PortalInputInvalid("breaches", FieldProblem("not_among_choices", f"unknown items {unknown}",
                                                          values="、".join(b[:40] for b in unknown[:5])))
    inspection = visited[0]
    already = session.scalar(select(InspectionRating.id).where(
        InspectionRating.inspection_id == inspection.id, InspectionRating.enterprise_id == inspection.enterprise_id))
    if already is not None:
        raise Refused("R24", "该次检查已经评价过", {"inspection_id": inspection.id})
    rating = InspectionRating(inspection_id=inspection.id, behavior_code_id=code.id,
                              enterprise_id=inspection.enterprise_id, score=score, comment=comment,
                              reported_breaches=list(breaches), submitted_at=now)
    session.add(rating)
    filed = None
    if breaches:
        content = "评价时报告：" + "；".join(PROHIBITIONS[b] for b in breaches) + (f"。{comment}" if comment else "")
        filed = file_complaint(session, kind="misconduct", content=content, contact=None, code_text=code.code,
                               now=now, calendar=calendar, policy=policy)
    session.flush()
    return rating, filed


@dataclass(frozen=True)
class Filed:
    """A complaint just filed and its 校验码, which exists only here: the complaint keeps its digest, and the
    complainant is shown it once (with the tracking number it lets them rate the reply)."""

    complaint: Complaint
    check_code: str


def file_complaint(session: Session, *, kind: str, content: str, contact: str | None, code_text: str | None,
                   now: datetime, calendar: WorkingCalendar, policy: Policy,
                   enterprise_id: int | None = None) -> Filed:
    """A complaint with its tracking number, 校验码 and acceptance deadline. A code that does not exist or was not
    valid at the time makes it a 无码入企 report (R22) and raises an alert for the supervision body."""
    if kind not in COMPLAINT_KINDS:
        raise PortalInputInvalid("kind", FieldProblem("not_a_choice", f"one of {', '.join(COMPLAINT_KINDS)}",
                                                      choices="、".join(COMPLAINT_KINDS.values())))
    if not content.strip():
        raise PortalInputInvalid("content", FieldProblem("required", "describe what happened"))
    _fits("content", content, CONTENT_LIMIT)
    _fits("contact", contact, CONTACT_LIMIT)
    _fits("code", code_text, CODE_LIMIT)
    code = find_code(session, code_text) if code_text else None
    inspection: Inspection | None = None
    if code is not None:
        inspection = next(iter(covered_inspections(code)), None)
    no_code = kind == "no_code_entry" or (code_text is not None and (code is None or code.status != "issued"))
    received_day = now.astimezone(SHANGHAI).date()
    check_code = new_check_code()
    complaint = Complaint(
        tracking_number=new_tracking_number(), kind="no_code_entry" if no_code else kind, content=content.strip(),
        contact=contact, code_text=code_text, behavior_code=code, inspection_id=inspection.id if inspection else None,
        enterprise_id=enterprise_id or (inspection.enterprise_id if inspection else None), status="received",
        received_at=now, accept_due_at=calendar.period_end(received_day, policy.deadlines.complaint_accept),
        check_digest=digest(check_code),
    )
    session.add(complaint)
    session.flush()
    if no_code:
        alerts.raise_alert(session, kind=NO_CODE_ALERT, subject=f"complaint:{complaint.id}",
                           message=f"无码入企举报（{complaint.tracking_number}）：{content.strip()[:60]}",
                           details={"complaint_id": complaint.id, "code_text": code_text,
                                    "code_found": code is not None}, now=now)
    return Filed(complaint, check_code)


def complaint_progress(session: Session, tracking_number: str) -> dict | None:
    """What the complainant may see: status, dates, outcomes and the reply. None for an unknown number."""
    complaint = session.scalar(select(Complaint).where(Complaint.tracking_number == tracking_number.strip()))
    if complaint is None:
        return None
    return {
        "tracking_number": complaint.tracking_number, "kind": COMPLAINT_KINDS[complaint.kind],
        "status": complaint.status, "received_at": complaint.received_at.isoformat(),
        "accept_due_at": _iso(complaint.accept_due_at), "accepted_at": _iso(complaint.accepted_at),
        "reply_due_at": _iso(complaint.reply_due_at), "replied_at": _iso(complaint.replied_at),
        "outcomes": [COMPLAINT_OUTCOMES.get(o, o) for o in complaint.outcomes or []],
        "reply": complaint.reply, "rated": complaint.complainant_rating is not None,
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(SHANGHAI).isoformat() if moment else None
