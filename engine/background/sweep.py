"""The deadline sweep: fire every timer that is due as of a moment, and only those.

Cost: due rows are found through the index on `deadline.due_at`, so a sweep costs what is due, not what is
open. Instances are handled in groups, one transaction per group: the whole group is loaded, fired and saved in
a handful of statements whatever its size (engine.runtime.timers.fire_due_timers_of); if any of it fails, that
is rolled back and the group is fired again one instance per savepoint.

Concurrency: on PostgreSQL the sweep's advisory lock (engine.platform.duty_lock) lets exactly one sweeper work
at a time (a second returns at once); a group's due deadline rows, then its instance rows, are locked with FOR
UPDATE SKIP LOCKED before it is handled, so an instance whose row a user's step holds is left for the next
sweep, never waited for. On SQLite every write transaction begins IMMEDIATE, so sweepers queue and the second
finds the rows already gone. A deadline row is deleted in the same transaction that fires its timer: a crash
halfway loses nothing and fires nothing twice. An instance whose diagram fails while firing is rolled back to
its savepoint, its due rows are marked failed (with the error, in an audit row and an alert) and left for an
operator; the other instances go on.

A failure can also kill the process (memory exhausted, a crash in a C library) before anything is marked.
So each group's attempt is recorded in a committed transaction before firing (`Deadline.attempts`): its own,
or, after the first group, the one that fired the group before it. The count is cleared when the firing
commits. A row found with an unfinished attempt is suspect: suspects are fired one instance per transaction,
fewest attempts first, so the instances that shared a group with the culprit fire on the next sweep; a row
whose firing was begun `MAX_FIRE_ATTEMPTS` times without finishing is marked failed with an alert instead of
being tried again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session, sessionmaker

from engine.models import Deadline
from engine.platform import alerts, audit
from engine.platform.clock import Clock
from engine.platform.db import affected_rows, is_postgresql
from engine.platform.duty_lock import SWEEP_LOCK_KEY, single_runner
from engine.runtime.core import Runtime
from engine.runtime.errors import ConcurrentUpdate, WorkflowError
from engine.runtime.store import savepoint
from engine.runtime.timers import fire_due_timers, fire_due_timers_of

log = logging.getLogger(__name__)

TIMER_FAILED_ALERT = "timer_failed"
MAX_FIRE_ATTEMPTS = 3
MAX_ERROR_CHARS = 1000


@dataclass
class SweepReport:
    at: datetime
    skipped_locked: bool = False
    fired: list[dict] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"at": self.at.isoformat(), "skipped_locked": self.skipped_locked, "fired": self.fired,
                "failed": self.failed}


def due_instances(session: Session, now: datetime, limit: int) -> dict[int, int]:
    """{instance id: unfinished attempts on its due rows}, soonest due first (then oldest instance)."""
    rows = session.execute(
        select(Deadline.instance_id, Deadline.attempts)
        .where(Deadline.due_at <= now, Deadline.failed_at.is_(None))
        .order_by(Deadline.due_at, Deadline.instance_id)
        .limit(limit)
    ).all()
    due: dict[int, int] = {}
    for instance_id, attempts in rows:
        due[instance_id] = max(due.get(instance_id, 0), attempts)
    return due


def sweep(runtime: Runtime, sessions: sessionmaker[Session], clock: Clock, *, batch: int = 1000,
          per_transaction: int = 50, actor: str = "scheduler") -> SweepReport:
    """Fire what is due as of the clock's now. Instances are handled `per_transaction` at a time, a group in
    one go: one commit (one fsync) and a handful of statements per group; a failing instance only loses its
    own work (its group is fired again one instance per savepoint)."""
    now = clock.now()
    report = SweepReport(at=now)
    engine = sessions.kw["bind"]
    postgres = is_postgresql(engine)
    with single_runner(engine, SWEEP_LOCK_KEY) as held:
        if not held:
            report.skipped_locked = True
            return report
        while True:
            with sessions() as session:
                due = due_instances(session, now, batch)
            fresh = [instance_id for instance_id, attempts in due.items() if attempts == 0]
            suspects = sorted((attempts, instance_id) for instance_id, attempts in due.items() if attempts)
            fresh_groups = [fresh[start:start + per_transaction] for start in range(0, len(fresh), per_transaction)]
            groups = fresh_groups + [[instance_id] for _, instance_id in suspects]
            handled = 0
            for index, group in enumerate(groups):
                exhausted = [instance_id for instance_id in group if due[instance_id] >= MAX_FIRE_ATTEMPTS]
                group = [instance_id for instance_id in group if due[instance_id] < MAX_FIRE_ATTEMPTS]
                # A fresh group's attempt is counted by the commit of the group before it (one commit fewer per
                # group); the first one's, and each suspect's, in a transaction of its own.
                if index == 0 or index >= len(fresh_groups):
                    _begin_attempt(sessions, group, exhausted, now, report, actor)
                handled += len(exhausted)
                begin_next = fresh_groups[index + 1] if index + 1 < len(fresh_groups) else []
                if group:  # (a fresh group never comes out empty: its next one's attempt is always counted)
                    handled += _sweep_group(runtime, sessions, clock, group, begin_next, now, postgres, report,
                                            actor)
            if len(due) < batch or handled == 0:
                break
    return report


def _due_rows(instance_ids: list[int], now: datetime):
    return (Deadline.instance_id.in_(instance_ids), Deadline.due_at <= now, Deadline.failed_at.is_(None))


def _begin_attempt(sessions: sessionmaker[Session], instance_ids: list[int], exhausted: list[int], now: datetime,
                   report: SweepReport, actor: str) -> None:
    """One committed transaction before firing: count an attempt on the group's due rows (so an attempt that
    never finishes, because the process died, is counted), and give up the instances whose firing was
    begun `MAX_FIRE_ATTEMPTS` times without finishing."""
    with sessions() as session:
        for instance_id in exhausted:
            message = (f"firing this timer was begun {MAX_FIRE_ATTEMPTS} times and never finished (the sweeping "
                       "process stopped while firing it); it is not tried again")
            if _mark_failed(session, instance_id, now, message, actor,
                            only_if=Deadline.attempts >= MAX_FIRE_ATTEMPTS):
                report.failed.append({"instance_id": instance_id, "error": message})
        if instance_ids:
            session.execute(update(Deadline).where(*_due_rows(instance_ids, now))
                            .values(attempts=Deadline.attempts + 1))
        session.commit()


def _sweep_group(runtime: Runtime, sessions: sessionmaker[Session], clock: Clock, instance_ids: list[int],
                 begin_next: list[int], now: datetime, postgres: bool, report: SweepReport, actor: str) -> int:
    """Fire the group in one go; if any of it fails, roll that back and fire it one instance per savepoint.
    Either way the commit also counts the attempt of the group `begin_next` (the next to be fired)."""
    try:
        fired, failed = _fire_together(runtime, sessions, clock, instance_ids, begin_next, now, postgres, actor)
    except Exception as err:
        log.info("sweep: a group of %d instances failed together (%s); firing them one by one", len(instance_ids),
                 err.__class__.__name__)
        fired, failed = _fire_one_by_one(runtime, sessions, clock, instance_ids, begin_next, now, postgres, actor)
    report.fired.extend(fired)
    report.failed.extend(failed)
    return len(fired) + len(failed)


def _claim(session: Session, instance_ids: list[int], now: datetime, postgres: bool) -> set[int]:
    """Lock the group's due rows in one statement; rows another sweeper holds are skipped."""
    due = select(Deadline.instance_id).where(*_due_rows(instance_ids, now))
    if postgres:
        due = due.with_for_update(skip_locked=True)
    return set(session.scalars(due))


def _finish_attempts(session: Session, instance_ids: list[int], begin_next: list[int], now: datetime) -> None:
    """Every attempt of the group finished (fired, lost a race, or marked failed); the next group's begins."""
    session.execute(update(Deadline).where(Deadline.instance_id.in_(instance_ids), Deadline.attempts > 0)
                    .values(attempts=0))
    if begin_next:
        session.execute(update(Deadline).where(*_due_rows(begin_next, now)).values(attempts=Deadline.attempts + 1))


def _fire_together(runtime: Runtime, sessions: sessionmaker[Session], clock: Clock, instance_ids: list[int],
                   begin_next: list[int], now: datetime, postgres: bool, actor: str) -> tuple[list[dict], list[dict]]:
    """The usual case, where nothing fails: a handful of statements for the whole group."""
    with sessions() as session:
        claimed = _claim(session, instance_ids, now, postgres)
        fired = fire_due_timers_of(runtime, session, clock, actor=actor,
                                   instance_ids=[instance_id for instance_id in instance_ids if instance_id in claimed])
        _finish_attempts(session, instance_ids, begin_next, now)
        session.commit()
    return fired, []


def _fire_one_by_one(runtime: Runtime, sessions: sessionmaker[Session], clock: Clock, instance_ids: list[int],
                     begin_next: list[int], now: datetime, postgres: bool, actor: str) -> tuple[list[dict], list[dict]]:
    """Each instance in its own savepoint, so that a failing one loses only its own work."""
    fired: list[dict] = []
    failed: list[dict] = []
    with sessions() as session:
        claimed = _claim(session, instance_ids, now, postgres)
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
                message = getattr(err, "message", None) or str(err) or err.__class__.__name__
                failed.append({"instance_id": instance_id,
                               "error": _mark_failed(session, instance_id, now, message, actor) or message})
        _finish_attempts(session, instance_ids, begin_next, now)
        session.commit()
    return fired, failed


def _mark_failed(session: Session, instance_id: int, now: datetime, message: str, actor: str,
                 only_if: ColumnElement[bool] | None = None) -> str | None:
    """Mark the instance's due rows failed, with an audit row and an alert; None if no row was left to mark."""
    if len(message) > MAX_ERROR_CHARS:
        message = message[:MAX_ERROR_CHARS] + "…"
    marked = session.execute(
        update(Deadline)
        .where(*_due_rows([instance_id], now), *([] if only_if is None else [only_if]))
        .values(failed_at=now, last_error=message)
    )
    if not affected_rows(marked):
        return None
    audit.record(session, at=now, actor=actor, action="timer.failed", instance_id=instance_id,
                 after={"error": message})
    alerts.raise_alert(session, kind=TIMER_FAILED_ALERT, subject=f"instance:{instance_id}",
                       message=f"流程实例 {instance_id} 的定时器触发失败 / timer failed on instance {instance_id}: "
                               f"{message}",
                       details={"instance_id": instance_id, "error": message}, now=now)
    return message
