"""The county office's joint-inspection desk (综合查一次, R18): the proposals of engine.domain.joint within the
user's jurisdictions (engine.identity.access), with the names and dates a coordinator decides by, and the merge itself
limited to the county office (and administrators) and to inspections of agencies in their jurisdictions.
Functions flush; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from engine.domain import joint
from engine.identity.access import Scope
from engine.models import Agency, Enterprise, Inspection, JointInspectionGroup


class MergeOutOfScope(Exception):
    """The user may not merge these inspections: not the county office, or an agency outside their jurisdiction."""


@dataclass(frozen=True)
class ProposalView:
    month: str
    enterprise: Enterprise
    inspections: list[Inspection]  # each with its agency, planned window and items
    first_day: date  # the earliest planned start: the default joint window
    last_day: date


def joint_proposals(session: Session, scope: Scope) -> list[ProposalView]:
    """Proposed joint inspections in the user's jurisdictions (all of them for administrators)."""
    if scope.everything:
        proposals = joint.propose_joint_inspections(session)
    else:
        proposals = [p for jurisdiction_id in sorted(scope.jurisdiction_ids)
                     for p in joint.propose_joint_inspections(session, jurisdiction_id=jurisdiction_id)]
    views = []
    for proposal in proposals:
        # Loaded with everything the page shows: the page renders after the session is gone.
        inspections = list(session.scalars(
            select(Inspection).where(Inspection.id.in_(proposal.inspection_ids))
            .options(selectinload(Inspection.agency), selectinload(Inspection.items),
                     selectinload(Inspection.enterprise))
            .order_by(Inspection.planned_start, Inspection.id)))
        # Proposals only hold inspections with a planned start (engine.domain.joint).
        starts = [i.planned_start for i in inspections if i.planned_start is not None]
        ends = [i.planned_end or start for i, start in zip(inspections, starts, strict=True)]
        views.append(ProposalView(month=proposal.month, enterprise=inspections[0].enterprise,
                                  inspections=inspections, first_day=min(starts), last_day=max(ends)))
    return views


def merge_in_scope(session: Session, scope: Scope, *, inspection_ids: list[int], now: datetime,
                   planned_start: date, planned_end: date, lead_agency_id: int | None = None) -> JointInspectionGroup:
    """engine.domain.joint.merge for a user allowed to merge these inspections (else MergeOutOfScope)."""
    if not scope.may_merge:
        raise MergeOutOfScope("only the county office merges joint inspections")
    if not scope.everything:
        outside = session.scalar(select(Inspection.id).join(Agency, Agency.id == Inspection.agency_id).where(
            Inspection.id.in_(inspection_ids), Agency.jurisdiction_id.not_in(scope.jurisdiction_ids)).limit(1))
        if outside is not None:
            raise MergeOutOfScope(f"inspection {outside} belongs to an agency outside the user's jurisdiction")
    return joint.merge(session, inspection_ids=inspection_ids, coordinator=scope.username, now=now,
                       planned_start=planned_start, planned_end=planned_end, lead_agency_id=lead_agency_id)
