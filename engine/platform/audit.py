"""Append-only audit trail. Every state change writes one row in the transaction that makes the change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import AuditEntry
from engine.platform.hotsql import hot_sql


def record(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    instance_id: int | None = None,
    task_id: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    hot_sql(session).insert_audit(at=at, actor=actor, action=action, instance_id=instance_id, task_id=task_id,
                                 before=before, after=after)


def record_many(session: Session, rows: list[dict]) -> None:
    """Several audit rows (keys as `record`'s, all given) in one statement."""
    if rows:
        hot_sql(session).insert_audits(rows)


def trail(session: Session, instance_id: int) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.instance_id == instance_id).order_by(AuditEntry.id)
    return list(session.scalars(query))
