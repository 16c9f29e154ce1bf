"""Raising and resolving alerts. At most one open alert exists per (kind, subject)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.models import Alert
from engine.platform.db import affected_rows

OPEN_STATES = ("open", "acknowledged")


def raise_alert(session: Session, *, kind: str, subject: str, message: str, details: dict, now: datetime) -> Alert:
    alert = session.scalar(
        select(Alert).where(Alert.kind == kind, Alert.subject == subject, Alert.status.in_(OPEN_STATES))
    )
    if alert is None:
        alert = Alert(kind=kind, subject=subject, message=message, details=details, status="open",
                      opened_at=now, updated_at=now)
        session.add(alert)
    elif alert.details != details or alert.message != message:
        alert.details, alert.message, alert.updated_at = details, message, now
    session.flush()
    return alert


def resolve(session: Session, *, kind: str, subject: str, actor: str, now: datetime) -> int:
    result = session.execute(
        update(Alert)
        .where(Alert.kind == kind, Alert.subject == subject, Alert.status.in_(OPEN_STATES))
        .values(status="resolved", resolved_at=now, resolved_by=actor, updated_at=now)
    )
    return affected_rows(result)


def open_alerts(session: Session, kind: str | None = None) -> list[Alert]:
    query = select(Alert).where(Alert.status.in_(OPEN_STATES)).order_by(Alert.opened_at)
    if kind:
        query = query.where(Alert.kind == kind)
    return list(session.scalars(query))


def set_status(session: Session, alert_id: int, *, status: str, actor: str, now: datetime) -> Alert:
    """A supervisor acknowledges (seen, being handled) or resolves an alert."""
    if status not in ("acknowledged", "resolved"):
        raise ValueError("status: acknowledged or resolved")
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise LookupError(f"alert {alert_id} does not exist")
    if alert.status == "resolved":
        raise ValueError(f"alert {alert_id} is already resolved")
    alert.status, alert.updated_at = status, now
    if status == "resolved":
        alert.resolved_at, alert.resolved_by = now, actor
    session.flush()
    return alert
