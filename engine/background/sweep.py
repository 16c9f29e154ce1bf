"""The deadline sweep: fire every timer that is due as of a moment, and only those.

Cost: due rows are found through the index on `deadline.due_at`, so a sweep costs what is due, not what is
open. Concurrency: on PostgreSQL a session-level advisory lock lets exactly one sweeper work at a time (a
second returns at once), and each instance's due deadline rows are locked with FOR UPDATE SKIP LOCKED
before it is handled; on SQLite every write transaction begins IMMEDIATE, so sweepers queue and the second
finds the rows already gone. Instances are handled in groups, one transaction per group and a savepoint per
instance. A deadline row is deleted in the same transaction that fires its timer: a crash halfway loses
nothing and fires nothing twice. An instance whose diagram fails while firing is rolled back to its
savepoint, its due rows are marked failed (with the error, in an audit row and an alert) and left for an
operator; the other instances go on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session, sessionmaker

from engine.models import Deadline
from engine.platform import alerts, audit
from engine.platform.clock import Clock
from engine.platform.db import is_postgresql
from engine.runtime.core import Runtime
from engine.runtime.errors import ConcurrentUpdate, WorkflowError
from engine.runtime.store import savepoint
from engine.runtime.timers import fire_due_timers

log = logging.getLogger(__name__)

SWEEP_LOCK_KEY = 0x1F5EC7F1  # arbitrary, constant: the advisory lock all inspectflow sweepers share
TIMER_FAILED_ALERT = "timer_failed"


@dataclass
class SweepReport:
    at: datetime
    skipped_locked: bool = False
    fired: list[dict] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"at": self.at.isoformat(), "skipped_locked": self.skipped_locked, "fired": self.fired,
                "failed": self.failed}


def due_instance_ids(session: Session, now: datetime, limit: int) -> list[int]:
    rows = session.execute(
        select(Deadline.instance_id)
        .where(Deadline.due_at <= now, Deadline.failed_at.is_(None))
        .order_by(Deadline.due_at)
        .limit(limit)
    ).scalars()
    return list(dict.fromkeys(rows))


def sweep(runtime: Runtime, sessions: sessionmaker[Session], clock: Clock, *, batch: int = 1000,
          per_transaction: int = 50, actor: str = "scheduler") -> SweepReport:
    """Fire what is due as of the clock's now. Instances are handled `per_transaction` at a time, each in
    its own savepoint: one commit (one fsync) per group, while a failing instance only loses its own work."""
    now = clock.now()
    report = SweepReport(at=now)
    engine = sessions.kw["bind"]
    postgres = is_postgresql(engine)
    # The advisory lock belongs to one connection, held for the whole sweep.
    with engine.connect() as lock_connection:
        if postgres:
            if not lock_connection.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": SWEEP_LOCK_KEY}):
                report.skipped_locked = True
                return report
            lock_connection.commit()
        try:
            while True:
                with sessions() as session:
                    instance_ids = due_instance_ids(session, now, batch)
                handled = sum(
                    _sweep_group(runtime, sessions, clock, instance_ids[start:start + per_transaction], now,
                                 postgres, report, actor)
                    for start in range(0, len(instance_ids), per_transaction)
                )
                if len(instance_ids) < batch or handled == 0:
                    break
        finally:
            if postgres:
                lock_connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": SWEEP_LOCK_KEY})
                lock_connection.commit()
    return report


def _sweep_group(runtime: Runtime, sessions: sessionmaker[Session], clock: Clock, instance_ids: list[int],
                 now: datetime, postgres: bool, report: SweepReport, actor: str) -> int:
    fired: list[dict] = []
    failed: list[dict] = []
    with sessions() as session:
        # Claim the group's due rows in one statement; rows another sweeper holds are skipped.
        due = select(Deadline.instance_id).where(
            Deadline.instance_id.in_(instance_ids), Deadline.due_at <= now, Deadline.failed_at.is_(None)
        )
        if postgres:
            due = due.with_for_update(skip_locked=True)
        claimed = set(session.scalars(due))
        for instance_id in instance_ids:
            if instance_id not in claimed:
                continue  # another sweeper fired these already
            try:
                with savepoint(session):
                    fired.extend(fire_due_timers(runtime, session, clock, instance_id=instance_id, actor=actor))
            except ConcurrentUpdate:
                continue  # a user step won the race; the next sweep sees the fresh state
            except Exception as err:  # keep sweeping the others; this one is marked failed and reported
                if not isinstance(err, WorkflowError):
                    log.exception("sweep failed on instance %s", instance_id)
                message = _mark_failed(session, instance_id, now, err, actor)
                failed.append({"instance_id": instance_id, "error": message})
        session.commit()
    report.fired.extend(fired)
    report.failed.extend(failed)
    return len(fired) + len(failed)


def _mark_failed(session: Session, instance_id: int, now: datetime, err: Exception, actor: str) -> str:
    message = getattr(err, "message", None) or str(err) or err.__class__.__name__
    session.execute(
        update(Deadline)
        .where(Deadline.instance_id == instance_id, Deadline.due_at <= now, Deadline.failed_at.is_(None))
        .values(failed_at=now, last_error=message)
    )
    audit.record(session, at=now, actor=actor, action="timer.failed", instance_id=instance_id,
                 after={"error": message})
    alerts.raise_alert(session, kind=TIMER_FAILED_ALERT, subject=f"instance:{instance_id}",
                       message=f"流程实例 {instance_id} 的定时器触发失败 / timer failed on instance {instance_id}: "
                               f"{message}",
                       details={"instance_id": instance_id, "error": message}, now=now)
    return message
