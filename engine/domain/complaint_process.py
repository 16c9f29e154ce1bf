"""Starting the complaint-to-correction procedure (processes/bpmn/complaint_correction.bpmn, R26) for a
complaint filed on the portal or raised by a rating, in the same transaction that records the complaint.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine.domain.policy_admin import resolve_jurisdiction
from engine.models import Complaint
from engine.platform.clock import SHANGHAI, Clock
from engine.runtime import Runtime, instances

COMPLAINT_PROCESS = "complaint_correction"


def start_complaint_process(runtime: Runtime, session: Session, clock: Clock, complaint: Complaint, *,
                            actor: str = "portal", portal_jurisdiction: str | None = None) -> int:
    """Start the procedure, placed where the complaint belongs: the complained-of inspection's agency's
    jurisdiction, else the enterprise's, else the county the portal serves (`portal_jurisdiction`, a code or
    name; None: the only jurisdiction there is), so an anonymous report is one county's, not everyone's."""
    inspection = complaint.inspection
    if inspection is not None:
        complaint.jurisdiction_id = inspection.agency.jurisdiction_id
    elif complaint.enterprise is not None:
        complaint.jurisdiction_id = complaint.enterprise.jurisdiction_id
    else:
        complaint.jurisdiction_id = resolve_jurisdiction(session, portal_jurisdiction).id
    data = {
        "complaint_id": complaint.id,
        "tracking_number": complaint.tracking_number,
        "complainant": complaint.contact or "匿名",
        "complaint_text": complaint.content,
        "complaint_kind": complaint.kind,
        "received_date": complaint.received_at.astimezone(SHANGHAI).date().isoformat(),
        "enterprise": complaint.enterprise.credit_code if complaint.enterprise else "",
    }
    if inspection is not None:
        data["agency"] = inspection.agency.code
        data["inspection_id"] = inspection.id
    started = instances.start_instance(runtime, session, clock, process_key=COMPLAINT_PROCESS, data=data,
                                       actor=actor, business_key=f"complaint:{complaint.tracking_number}",
                                       jurisdiction_id=complaint.jurisdiction_id)
    complaint.process_instance_id = started.id
    session.flush()
    return started.id
