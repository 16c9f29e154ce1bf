"""Planning an inspection: the record the rules are checked against, and its lifecycle instance.

`plan_inspection` creates the inspection (agency, enterprise, listed items, inspectors, the assistants named in
advance, window, kind) and starts processes/bpmn/inspection_lifecycle.bpmn for it with `inspection_id` in the
instance data, so the diagram's check points (`inspectflow:checks stage="plan"`) run
engine.domain.inspection_checks on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.case_choices import inspector_label
from engine.domain.planning import UrgentVisit, enterprise_in_reach
from engine.models import Agency, Enterprise, Inspection, InspectionItem, InspectionItemList, Inspector
from engine.models.vocabulary import QUALIFIED_INSPECTOR_KIND, URGENT_REASONS
from engine.platform.clock import Clock
from engine.runtime import Runtime, instances

LIFECYCLE = "inspection_lifecycle"
INSPECTION_TYPES = {"routine": "日常检查", "triggered": "触发式检查"}
INSPECTION_METHODS = {"onsite": "现场检查", "non_onsite": "非现场检查"}


def plan_inspection(runtime: Runtime, session: Session, clock: Clock, *, agency_code: str, credit_code: str,
                    item_codes: list[str], inspector_ids: list[int], planned_start: date, planned_end: date,
                    actor: str, trigger: str = "routine", trigger_reason: str | None = None,
                    mode: str = "onsite", urgent: UrgentVisit | None = None,
                    assistant_ids: Sequence[int] = ()) -> tuple[Inspection, int]:
    """The inspection recorded and its lifecycle started: at 制定检查计划, or — for an urgent inspection already
    made (R7) — at its retroactive approval, the lifecycle's 补办审批和赋码."""
    agency = session.scalar(select(Agency).where(Agency.code == agency_code))
    if agency is None:
        raise ValueError(f"no agency with code {agency_code!r}")
    enterprise = session.scalar(select(Enterprise).where(Enterprise.credit_code == credit_code))
    if enterprise is None:
        raise ValueError(f"no enterprise with credit code {credit_code!r}")
    if not enterprise_in_reach(session, agency, enterprise):
        raise ValueError(f"enterprise {credit_code} lies outside the jurisdiction of agency {agency_code}")
    # Only the agency's own listed items and its own inspectors (R1, R2): never another agency's.
    items = list(session.scalars(select(InspectionItem).join(InspectionItemList).where(
        InspectionItem.code.in_(item_codes), InspectionItemList.agency_id == agency.id)))
    unknown_items = sorted(set(item_codes) - {item.code for item in items})
    inspectors = list(session.scalars(select(Inspector).where(Inspector.id.in_(inspector_ids),
                                                              Inspector.agency_id == agency.id)))
    unknown_inspectors = sorted(set(inspector_ids) - {p.id for p in inspectors})
    # Assistants (辅助人员) are the agency's own people without a 执法证, and never its inspectors too (R1).
    assistants = list(session.scalars(select(Inspector).where(
        Inspector.id.in_(assistant_ids), Inspector.agency_id == agency.id,
        Inspector.kind != QUALIFIED_INSPECTOR_KIND))) if assistant_ids else []
    wrong_assistants = (set(assistant_ids) - {p.id for p in assistants}) | (set(assistant_ids) & set(inspector_ids))
    unknown_inspectors += sorted(wrong_assistants)
    if unknown_items or unknown_inspectors:
        raise ValueError(f"items {unknown_items} or inspectors/assistants {unknown_inspectors} are not agency "
                         f"{agency_code}'s")
    if planned_end < planned_start:
        raise ValueError("the inspection window ends before it starts")
    now = clock.now()
    inspection = Inspection(agency=agency, enterprise=enterprise, items=items, inspectors=inspectors,
                            assistants=assistants,
                            planned_start=planned_start, planned_end=planned_end, trigger=trigger,
                            trigger_reason=trigger_reason, mode=mode, status="planned", created_by=actor,
                            created_at=now)
    session.add(inspection)
    session.flush()
    started = instances.start_instance(
        runtime, session, clock, process_key=LIFECYCLE, actor=actor,
        business_key=f"inspection:{inspection.id}",
        data={"agency": agency.code, "enterprise": enterprise.credit_code, "inspection_id": inspection.id,
              **_plan_form_defaults(inspection), **_urgent_data(urgent, planned_start)},
    )
    inspection.process_instance_id = started.id
    session.flush()
    return inspection, started.id


def _urgent_data(urgent: UrgentVisit | None, day: date) -> dict:
    """The lifecycle's start keys for its R7 path (processes/bpmn/README.md): the day it took place and why."""
    if urgent is None:
        return {"urgent": False}
    return {"urgent": True, "inspection_date": day.isoformat(), "urgent_type": URGENT_REASONS[urgent.urgent_type],
            "urgent_reason": urgent.reason}


def _plan_form_defaults(inspection: Inspection) -> dict[str, str]:
    """What the lifecycle's plan form (制定检查计划) shows filled in: the record's day, kind, items and inspectors,
    so the planner confirms rather than retypes them."""
    return {
        "inspection_date": inspection.planned_start.isoformat() if inspection.planned_start else "",
        "inspection_type": INSPECTION_TYPES[inspection.trigger],
        "inspection_method": INSPECTION_METHODS[inspection.mode],
        "inspection_items": "；".join(f"{item.code} {item.name}" for item in inspection.items),
        "inspectors": "；".join(inspector_label(p) for p in inspection.inspectors),
    }
