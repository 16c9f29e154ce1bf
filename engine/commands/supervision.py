"""The county office's and supervisors' acts: merge inspections into a joint one (综合查一次, R18), acknowledge and
resolve an alert. Each checks the actor's scope (engine.identity.access) in the session that writes.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from engine.commands.actor import Actor
from engine.commands.work import Work
from engine.domain import joint
from engine.identity import access
from engine.identity.access import NotPermitted
from engine.models import Agency, Alert, Inspection, JointInspectionGroup
from engine.platform import alerts
from engine.views.supervision_scope import alerts_in_scope

ALERT_ROLES = (*access.JURISDICTION_ROLES, "administrator")


def merge_joint(work: Work, actor: Actor, *, inspection_ids: list[int], planned_start: date, planned_end: date,
                lead_agency_id: int | None = None) -> JointInspectionGroup:
    """engine.domain.joint.merge, for the county office (or an administrator) over inspections of agencies in
    their jurisdictions."""
    scope = access.scope_of(work.session, actor)
    if not (scope.may_merge or actor.is_system):
        raise NotPermitted("role", "only the county office merges joint inspections", role=actor.role)
    if not (scope.everything or actor.is_system):
        outside = work.session.scalar(select(Inspection.id).join(Agency, Agency.id == Inspection.agency_id).where(
            Inspection.id.in_(inspection_ids), Agency.jurisdiction_id.not_in(scope.jurisdiction_ids)).limit(1))
        if outside is not None:
            raise NotPermitted("outside_scope", f"inspection {outside} belongs to an agency outside your "
                               "jurisdiction", inspection_id=outside)
    return joint.merge(work.session, inspection_ids=inspection_ids, coordinator=actor.username, now=work.now(),
                       planned_start=planned_start, planned_end=planned_end, lead_agency_id=lead_agency_id)


def set_alert_status(work: Work, actor: Actor, alert_id: int, status: str) -> Alert:
    """Acknowledge or resolve an alert placed in the actor's jurisdiction (LookupError: no such alert)."""
    if actor.role not in ALERT_ROLES and not actor.is_system:
        raise NotPermitted("role", f"the role {actor.role} does not handle alerts", role=actor.role)
    found = work.session.get(Alert, alert_id)
    if found is None:
        raise LookupError(f"no alert {alert_id}")
    if not actor.is_system and not alerts_in_scope(work.session, access.scope_of(work.session, actor), [found]):
        raise NotPermitted("outside_scope", "this alert lies outside your jurisdiction", alert_id=alert_id)
    alerts.set_status(work.session, alert_id, status=status, actor=actor.username, now=work.now())
    return found
