"""Raising and resolving alerts. At most one open alert exists per (kind, subject): the unique partial index on
open alerts (engine.models.alert) holds it, and a new alert is inserted with ON CONFLICT DO NOTHING, so two
processes raising the same alert at once leave one row — the second refreshes the first's instead of failing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.models import Alert
from engine.models.alert import OPEN_PREDICATE, OPEN_STATES
from engine.platform.db import affected_rows, is_postgresql

__all__ = ["OPEN_STATES", "OVERDUE_TASK", "open_alerts", "overdue_subject", "raise_alert", "resolve", "set_status"]

# An open step past its due moment (raised by engine.domain.inspection_alerts.scan_overdue); named here because
# the runtime resolves one whose step's due moment moves (engine.platform.hotsql), and the runtime sits below the
# domain.
OVERDUE_TASK = "overdue"


def overdue_subject(task_id: str) -> str:
    return f"task:{task_id}"


def _open(session: Session, kind: str, subject: str) -> Alert | None:
    return session.scalar(
        select(Alert).where(Alert.kind == kind, Alert.subject == subject, Alert.status.in_(OPEN_STATES))
    )


def raise_alert(session: Session, *, kind: str, subject: str, message: str, details: dict, now: datetime) -> Alert:
    alert = _open(session, kind, subject)
    if alert is None:
        insert = postgresql.insert(Alert) if is_postgresql(session) else sqlite.insert(Alert)
        session.execute(insert.values(kind=kind, subject=subject, message=message, details=details, status="open",
                                      opened_at=now, updated_at=now)
                        .on_conflict_do_nothing(index_elements=["kind", "subject"], index_where=OPEN_PREDICATE))
        alert = _open(session, kind, subject)  # ours, or the one another transaction committed first
        assert alert is not None
    if alert.details != details or alert.message != message:
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
