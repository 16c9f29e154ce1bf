"""Several sweepers at once: every due timer fires exactly once. On PostgreSQL this exercises the advisory
lock and FOR UPDATE SKIP LOCKED; on SQLite the IMMEDIATE write transactions."""

from __future__ import annotations

import threading

from sqlalchemy import func, select, text

from engine.background.sweep import SWEEP_LOCK_KEY, sweep
from engine.models import AuditEntry, Deadline
from engine.platform.clock import FrozenClock
from engine.platform.db import is_postgresql
from engine.runtime.core import Runtime
from tests.engine.helpers import deploy, start

DUE = FrozenClock("2026-10-09T00:00:01+08:00")


def test_two_concurrent_sweepers_fire_each_timer_once(svc, clock):
    deploy(svc, clock, "timer_escalation.bpmn")
    started = [start(svc, clock, "timer_escalation", {"inspection_date": "2026-09-30"}).id for _ in range(12)]
    barrier = threading.Barrier(2)
    reports = []

    def sweeper() -> None:
        runtime = Runtime()  # a separate process would have its own runtime and caches
        barrier.wait()
        reports.append(sweep(runtime, svc.write_sessions, DUE))

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    fired = [f["instance_id"] for report in reports for f in report.fired]
    assert sorted(fired) == sorted(started)
    assert all(report.failed == [] for report in reports)
    with svc.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Deadline)) == 0
        per_instance = session.execute(
            select(AuditEntry.instance_id, func.count()).where(AuditEntry.action == "timer.fired")
            .group_by(AuditEntry.instance_id)
        ).all()
    assert sorted(per_instance) == sorted((instance_id, 1) for instance_id in started)


def test_a_sweeper_steps_aside_while_another_holds_the_lock(svc, clock):
    deploy(svc, clock, "timer_escalation.bpmn")
    start(svc, clock, "timer_escalation", {"inspection_date": "2026-09-30"})
    if not is_postgresql(svc.engine):
        # SQLite has no advisory locks: sweepers queue on the write lock instead (previous test).
        report = sweep(svc.runtime, svc.write_sessions, DUE)
        assert len(report.fired) == 1
        return
    with svc.engine.connect() as holder:
        assert holder.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": SWEEP_LOCK_KEY})
        report = sweep(svc.runtime, svc.write_sessions, DUE)
        assert report.skipped_locked and report.fired == []
        holder.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": SWEEP_LOCK_KEY})
        holder.commit()
    assert len(sweep(svc.runtime, svc.write_sessions, DUE).fired) == 1
