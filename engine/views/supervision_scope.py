"""Alerts and policy decisions within a supervisor's scope (engine.identity.access: their jurisdiction
and those below it).

An alert is placed by the records its details name, checked in this order: `agency_id` (its agency's jurisdiction),
`inspection_id` (the inspecting agency's), `complaint_id` (the complained-of inspection's agency, else the
enterprise's, else the county it was filed in), `enterprise_id` (the enterprise's), `instance_id` (whoever sees the
instance, as for tasks: overdue steps and failed timers). An alert naming none of them — an uncovered calendar year
— concerns the whole system and is shown to every supervisor.
Open alerts are few, so they are read and then placed with one batched lookup per kind of record.

A policy decision is placed by its agency, else its enterprise; one with neither is shown to every supervisor.
Read-only.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from engine.identity.access import Scope, visible
from engine.models import Agency, Alert, Complaint, Enterprise, Inspection, PolicyDecision, TaskRecord
from engine.platform import alerts as alert_store

PLACED_BY = ("agency_id", "inspection_id", "complaint_id", "enterprise_id")


def _ids(alerts: list[Alert], key: str) -> set[int]:
    return {a.details[key] for a in alerts if isinstance(a.details.get(key), int)}


def _pairs(session: Session, query: Select) -> dict[int, int | None]:
    return {key: value for key, value in session.execute(query)}


def _jurisdictions(session: Session, alerts: list[Alert]) -> dict[str, dict[int, int | None]]:
    """For each placing key, record id → jurisdiction id."""
    agencies = _pairs(session, select(Agency.id, Agency.jurisdiction_id)
                      .where(Agency.id.in_(_ids(alerts, "agency_id"))))
    inspections = _pairs(session, select(Inspection.id, Agency.jurisdiction_id)
                         .join(Agency, Agency.id == Inspection.agency_id)
                         .where(Inspection.id.in_(_ids(alerts, "inspection_id"))))
    enterprises = _pairs(session, select(Enterprise.id, Enterprise.jurisdiction_id)
                         .where(Enterprise.id.in_(_ids(alerts, "enterprise_id"))))
    complaints: dict[int, int | None] = {}
    rows = session.execute(select(Complaint.id, Agency.jurisdiction_id, Enterprise.jurisdiction_id,
                                  Complaint.jurisdiction_id)
                           .outerjoin(Inspection, Inspection.id == Complaint.inspection_id)
                           .outerjoin(Agency, Agency.id == Inspection.agency_id)
                           .outerjoin(Enterprise, Enterprise.id == Complaint.enterprise_id)
                           .where(Complaint.id.in_(_ids(alerts, "complaint_id"))))
    for complaint_id, by_agency, by_enterprise, filed_in in rows:
        complaints[complaint_id] = next((j for j in (by_agency, by_enterprise, filed_in) if j is not None), None)
    return {"agency_id": agencies, "inspection_id": inspections, "complaint_id": complaints,
            "enterprise_id": enterprises}


def _seen_instances(session: Session, scope: Scope, alerts: list[Alert]) -> set[int]:
    query = select(TaskRecord.instance_id).where(TaskRecord.instance_id.in_(_ids(alerts, "instance_id")),
                                                 visible(scope))
    return set(session.scalars(query.distinct()))


def alerts_in_scope(session: Session, scope: Scope, alerts: list[Alert]) -> list[Alert]:
    if scope.everything:
        return list(alerts)
    placed = _jurisdictions(session, alerts)
    seen_instances = _seen_instances(session, scope, alerts)
    kept = []
    for alert in alerts:
        details = alert.details or {}
        key = next((k for k in PLACED_BY if isinstance(details.get(k), int)), None)
        if key is not None:
            jurisdiction = placed[key].get(details[key])
            if jurisdiction in scope.jurisdiction_ids:
                kept.append(alert)
        elif isinstance(details.get("instance_id"), int):
            if details["instance_id"] in seen_instances:
                kept.append(alert)
        else:
            kept.append(alert)
    return kept


def open_alerts(session: Session, scope: Scope) -> list[Alert]:
    return alerts_in_scope(session, scope, alert_store.open_alerts(session))


class DecisionLine(NamedTuple):
    """A policy decision with the names a reader needs beside its message, and the instance to open."""
    decision: PolicyDecision
    agency_name: str | None
    enterprise_name: str | None
    instance_id: int | None


def decisions_in_scope(session: Session, scope: Scope, *, limit: int = 50) -> list[DecisionLine]:
    """Newest first, the refusals and overrides placed in the user's jurisdictions (or placed nowhere)."""
    query = (select(PolicyDecision, Agency.name, Enterprise.name, Inspection.process_instance_id)
             .outerjoin(Agency, Agency.id == PolicyDecision.agency_id)
             .outerjoin(Enterprise, Enterprise.id == PolicyDecision.enterprise_id)
             .outerjoin(Inspection, Inspection.id == PolicyDecision.inspection_id)
             .order_by(PolicyDecision.at.desc(), PolicyDecision.id.desc()).limit(limit))
    if not scope.everything:
        ids = scope.jurisdiction_ids
        query = query.where(or_(
            PolicyDecision.agency_id.in_(select(Agency.id).where(Agency.jurisdiction_id.in_(ids))),
            and_(PolicyDecision.agency_id.is_(None), or_(
                PolicyDecision.enterprise_id.is_(None),
                PolicyDecision.enterprise_id.in_(select(Enterprise.id).where(Enterprise.jurisdiction_id.in_(ids))))),
        ))
    return [DecisionLine(*row) for row in session.execute(query)]
