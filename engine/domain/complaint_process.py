"""Starting the complaint-to-correction procedure (processes/bpmn/complaint_correction.bpmn, R26) for a
complaint filed on the portal or raised by a rating, in the same transaction that records the complaint; and
the acceptance step's check of who carries out a correction (stage `complaint_correcting_agency`).

有错必纠 needs an agency to correct: the one whose coded inspection the complaint names (the instance's bound
`agency`), else the one the county office names at acceptance (`correcting_agency`), which must lie in the
complaint's jurisdiction. The instance's `agency` cannot be set later (engine.runtime.instances.BOUND_KEYS), so
the choice lives under its own key and the task mirror routes the agency lanes' tasks by it
(engine.runtime.mirror).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.case_choices import chosen_code
from engine.domain.complaint_records import COMPLAINT_RECORD_STAGES
from engine.domain.policy_admin import jurisdiction_tree_of, resolve_jurisdiction
from engine.models import Agency, Complaint, ProcessInstance
from engine.platform.clock import SHANGHAI, Clock
from engine.runtime import Runtime, instances
from engine.runtime.mirror import CORRECTING_AGENCY
from engine.runtime.stages import StageCheck, StageContext, StageFindings

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


def correcting_agency(context: StageContext) -> StageFindings:
    """Who carries out the correction should the complaint be substantiated (R26 有错必纠): the coded
    inspection's agency, or the agency of the complaint's jurisdiction the county office names."""
    if context.data.get("not_accepted") is True:  # declined (不予受理): nothing will be corrected
        return StageFindings()
    bound = context.data.get("agency")
    named = context.data.get(CORRECTING_AGENCY)
    named = chosen_code(named) if isinstance(named, str) else ""
    if isinstance(bound, str) and bound:
        if named and named != bound:
            return _refused(f"投诉涉及的检查由 {bound} 实施，应由该单位整改纠正，不能改由 {named}", agency=bound,
                            named=named)
        return StageFindings(data={CORRECTING_AGENCY: bound})
    if not named:
        return _refused("投诉未关联行政行为码，受理时须写明负责整改纠正的执法单位（单位代码）")
    session = context.step.session
    agency = session.scalar(select(Agency).where(Agency.code == named))
    instance = session.get(ProcessInstance, context.step.instance_id) if context.step.instance_id else None
    home = instance.jurisdiction_id if instance is not None else None
    if agency is None or home is None or agency.jurisdiction_id not in jurisdiction_tree_of(session, home):
        return _refused(f"执法单位 {named} 不在本投诉所属辖区，不能由其整改纠正", named=named)
    return StageFindings(data={CORRECTING_AGENCY: agency.code})  # the code: the task mirror places by it


def _refused(message: str, **figures: str) -> StageFindings:
    return StageFindings([{"rule": "R26", "message": message, "figures": figures}])


COMPLAINT_STAGES: dict[str, StageCheck] = {"complaint_correcting_agency": correcting_agency,
                                           **COMPLAINT_RECORD_STAGES}
