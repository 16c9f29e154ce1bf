"""The county office's joint-inspection desk (综合查一次, R18): the proposals of engine.domain.joint within the
user's jurisdictions (engine.identity.access), with the names and dates a coordinator decides by. Read-only: the
merge itself is engine.commands.supervision.merge_joint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from engine.domain import joint
from engine.identity.access import Scope
from engine.models import Enterprise, Inspection


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
