"""The case an enterprise acts on from the public portal (issue 11 defect 2): the inspection its 行政行为码
covers, or the complaint its tracking number names — opened only with the case's 校验码
(engine.models.check_code), so that nobody else can act for it.

A case's steps are the open user tasks in the 企业 lane of the procedures that run it: the inspections'
lifecycles (their called 罚后回访 included, which run inside the same instance), a penalty's own revisit
procedure, or the complaint's procedure. Reading only; the portal's commands (engine.commands.portal) act.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.behavior_code import normalize_code
from engine.models import BehaviorCode, Complaint, Inspection, Penalty, TaskRecord
from engine.models.check_code import matches_code, matches_digest

ENTERPRISE_LANE = "企业"


@dataclass(frozen=True)
class EnterpriseCase:
    """`reference` is the code or tracking number the case was opened by; `actor_name` who the portal acts as
    (kept on the task rows and the audit trail)."""

    reference: str
    actor_name: str
    inspections: list[Inspection] = field(default_factory=list)
    complaint: Complaint | None = None
    code: BehaviorCode | None = None

    @property
    def instance_ids(self) -> set[int]:
        ids = {i.process_instance_id for i in self.inspections if i.process_instance_id is not None}
        if self.complaint is not None and self.complaint.process_instance_id is not None:
            ids.add(self.complaint.process_instance_id)
        return ids


def inspection_case(session: Session, code_text: str, check: str | None) -> EnterpriseCase | None:
    """The inspection case of a behaviour code, when `check` is its check code (None otherwise, saying nothing
    of whether the code exists)."""
    code = session.scalar(select(BehaviorCode).where(BehaviorCode.code == normalize_code(code_text or "")))
    if code is None or not matches_code(code.check_code, check):
        return None
    inspections = [code.inspection] if code.inspection is not None else \
        list(code.joint_group.inspections) if code.joint_group is not None else []
    return EnterpriseCase(reference=code.code, actor_name=f"企业（{_enterprise_name(inspections)[:100]}）",
                          inspections=inspections, code=code)


def complaint_case(session: Session, tracking_number: str, check: str | None) -> EnterpriseCase | None:
    complaint = session.scalar(select(Complaint).where(Complaint.tracking_number == (tracking_number or "").strip()))
    if complaint is None or not matches_digest(complaint.check_digest, check):
        return None
    return EnterpriseCase(reference=complaint.tracking_number, actor_name=f"投诉人（{complaint.tracking_number}）",
                          complaint=complaint)


def case_instance_ids(session: Session, case: EnterpriseCase) -> set[int]:
    """Every instance the case runs in: its inspections' lifecycles, a penalty's own revisit, its complaint's."""
    return case.instance_ids | _penalty_instances(session, case)


def open_steps(session: Session, case: EnterpriseCase) -> list[TaskRecord]:
    """The case's open steps in the enterprise's lane, oldest first."""
    instance_ids = case_instance_ids(session, case)
    if not instance_ids:
        return []
    return list(session.scalars(
        select(TaskRecord).where(TaskRecord.instance_id.in_(instance_ids), TaskRecord.state == "open",
                                 TaskRecord.lane == ENTERPRISE_LANE)
        .order_by(TaskRecord.created_at, TaskRecord.id)))


def open_step(session: Session, case: EnterpriseCase, element_id: str) -> TaskRecord | None:
    return next((t for t in open_steps(session, case) if t.element_id == element_id), None)


def _penalty_instances(session: Session, case: EnterpriseCase) -> set[int]:
    """Revisit procedures started on their own for one of the case's inspections (a lifecycle's runs inside it)."""
    ids = [i.id for i in case.inspections]
    if not ids:
        return set()
    return {pid for pid in session.scalars(select(Penalty.process_instance_id).where(Penalty.inspection_id.in_(ids)))
            if pid is not None}


def _enterprise_name(inspections: list[Inspection]) -> str:
    return inspections[0].enterprise.name if inspections else "—"
