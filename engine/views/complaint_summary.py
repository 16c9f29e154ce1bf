"""What a complaint's steps decide on (issue 11: a person never decides blind): the complaint as filed — its
kind, text, the code it names and the inspection behind it, when it arrived and the acceptance and reply due
moments — read from the complaint record the instance's `complaint_id` names. Read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.models import Complaint
from engine.models.vocabulary import COMPLAINT_KINDS


@dataclass(frozen=True)
class ComplaintSummary:
    tracking_number: str
    kind: str
    content: str
    contact: str | None
    code_text: str | None
    inspected_by: str | None  # the agency of the inspection the code covers
    received_at: datetime
    accept_due_at: datetime | None
    reply_due_at: datetime | None


def complaint_summary(session: Session, data: dict[str, Any]) -> ComplaintSummary | None:
    complaint_id = data.get("complaint_id")
    complaint = session.get(Complaint, complaint_id) if isinstance(complaint_id, int) else None
    if complaint is None:
        return None
    return ComplaintSummary(
        complaint.tracking_number, COMPLAINT_KINDS.get(complaint.kind, complaint.kind), complaint.content,
        complaint.contact, complaint.code_text,
        complaint.inspection.agency.name if complaint.inspection is not None else None,
        complaint.received_at, complaint.accept_due_at, complaint.reply_due_at)
