"""Joint inspections (综合查一次, R18) and the two yearly shares they are judged by (R19, R20).

`propose_joint_inspections` finds enterprises that two or more agencies plan to visit in the same month
(the documents' "同一时期"); a county coordinator merges such inspections with `merge` into one group:
one visit window, one notice, one behaviour code (engine.domain.behavior_code.issue_joint_code, issued by the
first member approval, or at the merge when a member was already coded), each agency keeping its own items and
its own approval. `shares` computes the joint-inspection rate (joint ÷ all inspections) and the
non-onsite share per agency or jurisdiction and year, with the policy's target for the year.
Functions flush; the caller commits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar import WorkingCalendar
from engine.domain import behavior_code
from engine.domain.errors import Refused
from engine.domain.policy import Policy, policy_of
from engine.models import Agency, Inspection, JointInspectionGroup, Jurisdiction
from engine.models.inspection import NOT_GOING_AHEAD
from engine.platform import audit

OPEN_STATUSES = ("planned", "approved")


@dataclass(frozen=True)
class JointProposal:
    enterprise_id: int
    month: str  # YYYY-MM
    inspection_ids: tuple[int, ...]
    agency_ids: tuple[int, ...]

    def to_dict(self) -> dict:
        return {"enterprise_id": self.enterprise_id, "month": self.month,
                "inspection_ids": list(self.inspection_ids), "agency_ids": list(self.agency_ids)}


def propose_joint_inspections(session: Session, *, jurisdiction_id: int | None = None,
                              since: date | None = None) -> list[JointProposal]:
    """Not yet merged, not yet started inspections of one enterprise by two or more agencies in one month."""
    query = select(Inspection).where(Inspection.status.in_(OPEN_STATUSES), Inspection.joint_group_id.is_(None),
                                     Inspection.actual_start.is_(None), Inspection.planned_start.is_not(None))
    if since is not None:
        query = query.where(Inspection.planned_start >= since)
    if jurisdiction_id is not None:
        query = query.join(Agency, Agency.id == Inspection.agency_id).where(Agency.jurisdiction_id == jurisdiction_id)
    buckets: dict[tuple[int, str], list[Inspection]] = defaultdict(list)
    for inspection in session.scalars(query.order_by(Inspection.planned_start, Inspection.id)):
        month = f"{inspection.planned_start:%Y-%m}"  # not None: filtered above
        buckets[(inspection.enterprise_id, month)].append(inspection)
    proposals = []
    for (enterprise_id, month), inspections in sorted(buckets.items()):
        agencies = tuple(sorted({i.agency_id for i in inspections}))
        if len(agencies) >= 2:
            proposals.append(JointProposal(enterprise_id, month, tuple(i.id for i in inspections), agencies))
    return proposals


def merge(session: Session, *, inspection_ids: list[int], coordinator: str, now: datetime,
          planned_start: date, planned_end: date, lead_agency_id: int | None = None) -> JointInspectionGroup:
    """Merge inspections of one enterprise by two or more agencies into one joint inspection (R18)."""
    inspections = list(session.scalars(select(Inspection).where(Inspection.id.in_(inspection_ids))))
    missing = sorted(set(inspection_ids) - {i.id for i in inspections})
    if missing:
        raise ValueError(f"no such inspections: {missing}")
    enterprises = {i.enterprise_id for i in inspections}
    agencies = {i.agency_id for i in inspections}
    if len(enterprises) != 1:
        raise Refused("R18", "综合查一次只能合并同一企业的检查", {"enterprises": sorted(enterprises)})
    if len(agencies) < 2:
        raise Refused("R18", "综合查一次需要两个以上执法单位", {"agencies": sorted(agencies)})
    blocked = [i.id for i in inspections
               if i.joint_group_id is not None or i.status not in OPEN_STATUSES or i.actual_start is not None]
    if blocked:
        raise Refused("R18", "已合并、已开始或已取消的检查不能再合并", {"inspections": blocked})
    if planned_end < planned_start:
        raise ValueError("the joint visit ends before it starts")
    if lead_agency_id is not None and lead_agency_id not in agencies:
        raise ValueError("the lead agency must be one of the merged inspections' agencies")
    first = inspections[0]
    group = JointInspectionGroup(
        jurisdiction_id=first.enterprise.jurisdiction_id, enterprise_id=first.enterprise_id,
        lead_agency_id=lead_agency_id or first.agency_id, coordinator=coordinator, status="merged",
        planned_start=planned_start, planned_end=planned_end, merged_at=now,
    )
    session.add(group)
    for inspection in inspections:
        inspection.joint_group = group
        inspection.planned_start, inspection.planned_end = planned_start, planned_end
    session.flush()
    # A member approved before the merge already holds its own code: the visit is one, so is its code. (The code's
    # validity ends with the window's last day; no working days are counted, so a bare calendar will do.)
    code = behavior_code.replace_member_codes(session, group, by=coordinator, now=now, calendar=WorkingCalendar())
    audit.record(session, at=now, actor=coordinator, action="joint.merged",
                 after={"joint_group_id": group.id, "inspections": sorted(inspection_ids),
                        "agencies": sorted(agencies), "window": [planned_start.isoformat(), planned_end.isoformat()],
                        "code": code.code if code is not None else None})
    return group


@dataclass(frozen=True)
class Shares:
    year: int
    inspections: int
    joint: int
    non_onsite: int
    joint_rate: float | None
    non_onsite_share: float | None
    joint_rate_target: float | None

    def to_dict(self) -> dict:
        return self.__dict__.copy()


def shares(session: Session, *, year: int, agency_id: int | None = None,
           jurisdiction_id: int | None = None) -> Shares:
    """R19 joint rate and R20 non-onsite share over the year's inspections that were not cancelled."""
    query = select(Inspection.joint_group_id, Inspection.mode).where(
        Inspection.status.not_in(NOT_GOING_AHEAD),
        Inspection.planned_start >= date(year, 1, 1), Inspection.planned_start <= date(year, 12, 31))
    if agency_id is not None:
        query = query.where(Inspection.agency_id == agency_id)
    if jurisdiction_id is not None:
        query = query.join(Agency, Agency.id == Inspection.agency_id).where(Agency.jurisdiction_id == jurisdiction_id)
    rows = session.execute(query).all()
    total = len(rows)
    joint = sum(1 for group_id, _mode in rows if group_id is not None)
    non_onsite = sum(1 for _group, mode in rows if mode == "non_onsite")
    return Shares(year=year, inspections=total, joint=joint, non_onsite=non_onsite,
                  joint_rate=round(joint / total, 4) if total else None,
                  non_onsite_share=round(non_onsite / total, 4) if total else None,
                  joint_rate_target=_policy(session, agency_id, jurisdiction_id).joint_rate_target(year))


def _policy(session: Session, agency_id: int | None, jurisdiction_id: int | None) -> Policy:
    if jurisdiction_id is None and agency_id is not None:
        agency = session.get(Agency, agency_id)
        jurisdiction_id = agency.jurisdiction_id if agency else None
    jurisdiction = session.get(Jurisdiction, jurisdiction_id) if jurisdiction_id is not None else None
    return policy_of(jurisdiction.policy if jurisdiction is not None else None)
