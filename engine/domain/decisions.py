"""The policy decision log: every refusal, override and violation, for the supervisor's view (issue 3 item 3).

A refusal usually rolls back the action it refused, so log it in a transaction of its own (or after the
rollback), e.g. `except Refused as refusal: with svc.transaction() as s: log_refusal(s, refusal, ...)`.
Functions only flush.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.domain.errors import Refused
from engine.models import Inspection, PolicyDecision
from engine.models.policy_log import POLICY_OUTCOMES


def log_refusal(
    session: Session,
    refusal: Refused,
    *,
    action: str,
    actor: str,
    now: datetime,
    inspection: Inspection | None = None,
    outcome: str = "refused",
    overridden_by: str | None = None,
    override_reason: str | None = None,
) -> PolicyDecision:
    """Record what `refusal` refused (or, with outcome="overridden", that `overridden_by` set it aside)."""
    if outcome not in POLICY_OUTCOMES:
        raise ValueError(f"outcome must be one of {POLICY_OUTCOMES}, got {outcome!r}")
    if outcome == "overridden" and not (overridden_by and override_reason):
        raise ValueError("an override names who overrode it and why")
    decision = PolicyDecision(
        at=now, rule=refusal.rule, outcome=outcome, action=action, message=refusal.message,
        figures=refusal.figures, actor=actor, overridden_by=overridden_by, override_reason=override_reason,
        inspection_id=inspection.id if inspection is not None else None,
        agency_id=inspection.agency_id if inspection is not None else None,
        enterprise_id=inspection.enterprise_id if inspection is not None else None,
    )
    session.add(decision)
    session.flush()
    return decision


def decisions(
    session: Session,
    *,
    rule: str | None = None,
    outcome: str | None = None,
    agency_id: int | None = None,
    since: datetime | None = None,
    limit: int = 500,
) -> list[PolicyDecision]:
    """Newest first, filtered as a supervisor asks."""
    query = select(PolicyDecision).order_by(PolicyDecision.at.desc(), PolicyDecision.id.desc()).limit(limit)
    if rule is not None:
        query = query.where(PolicyDecision.rule == rule)
    if outcome is not None:
        query = query.where(PolicyDecision.outcome == outcome)
    if agency_id is not None:
        query = query.where(PolicyDecision.agency_id == agency_id)
    if since is not None:
        query = query.where(PolicyDecision.at >= since)
    return list(session.scalars(query))
