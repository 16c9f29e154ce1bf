"""Form choices a step takes from its case (engine.bpmn.forms `choices_from`), so what the plan chose is chosen
again, not typed again (issue 11), from the instance's inspection record (`inspection_id`): `plan_inspectors`,
its inspectors as "姓名（执法证号）", and `plan_items`, its listed items as "代码 名称" — the advance notice tells
the enterprise only the people and items the plan named (R8; R1 and R2 were checked on them). A complaint's
acceptance picks the correcting agency (R26) among `complaint_agencies`, the agencies of the complaint's county,
as "代码 名称". Read-only; registered on the Runtime by the app.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.policy_admin import jurisdiction_tree_of
from engine.models import Agency, Complaint, Inspection, Inspector
from engine.runtime.stages import ChoiceSource


def inspector_label(inspector: Inspector) -> str:
    return f"{inspector.name}（{inspector.certificate_number or '无执法证'}）"


def _planned(data: Mapping[str, Any], session: Session) -> Inspection | None:
    """None when the instance has no inspection record (a notice procedure started on its own)."""
    inspection_id = data.get("inspection_id")
    return session.get(Inspection, inspection_id) if isinstance(inspection_id, int) else None


def plan_inspectors(session: Session, data: Mapping[str, Any]) -> tuple[str, ...] | None:
    inspection = _planned(data, session)
    if inspection is None or not inspection.inspectors:
        return None
    return tuple(inspector_label(p) for p in sorted(inspection.inspectors, key=lambda p: p.id))


def plan_items(session: Session, data: Mapping[str, Any]) -> tuple[str, ...] | None:
    inspection = _planned(data, session)
    if inspection is None or not inspection.items:
        return None
    return tuple(f"{item.code} {item.name}" for item in sorted(inspection.items, key=lambda i: i.code))


def complaint_agencies(session: Session, data: Mapping[str, Any]) -> tuple[str, ...] | None:
    complaint_id = data.get("complaint_id")
    complaint = session.get(Complaint, complaint_id) if isinstance(complaint_id, int) else None
    if complaint is None or complaint.jurisdiction_id is None:
        return None
    agencies = session.scalars(select(Agency).where(
        Agency.jurisdiction_id.in_(jurisdiction_tree_of(session, complaint.jurisdiction_id))).order_by(Agency.code))
    return tuple(f"{agency.code} {agency.name}" for agency in agencies) or None


def chosen_code(choice: str) -> str:
    """The code of a "代码 名称" choice (a bare code stays itself)."""
    return choice.strip().split(" ", 1)[0]


CHOICE_SOURCES: dict[str, ChoiceSource] = {"plan_inspectors": plan_inspectors, "plan_items": plan_items,
                                           "complaint_agencies": complaint_agencies}
