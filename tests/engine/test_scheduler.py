"""The APScheduler wiring: which jobs run how often, and that each job does its work (called directly,
with a frozen clock; nothing waits for a real tick)."""

from __future__ import annotations

from engine.background.scheduler import (
    CALENDAR_JOB_ID,
    CHECKPOINT_JOB_ID,
    NOTIFY_JOB_ID,
    OVERDUE_JOB_ID,
    SWEEP_JOB_ID,
    build_scheduler,
    calendar_job,
    sweep_job,
)
from engine.calendar import store as calendar_store
from engine.platform import alerts
from engine.platform.clock import FrozenClock
from engine.platform.db import checkpoint_sqlite
from tests.engine.helpers import deploy, only_task, start


def test_scheduler_runs_the_sweep_every_few_seconds_and_the_calendar_check_hourly(svc):
    scheduler = build_scheduler(svc.runtime, svc.write_sessions, svc.clock, interval_s=5, blocking=False)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    sqlite = svc.engine.dialect.name == "sqlite"
    assert set(jobs) == ({SWEEP_JOB_ID, CALENDAR_JOB_ID, OVERDUE_JOB_ID, NOTIFY_JOB_ID}
                         | ({CHECKPOINT_JOB_ID} if sqlite else set()))
    assert jobs[NOTIFY_JOB_ID].max_instances == 1 and jobs[NOTIFY_JOB_ID].trigger.interval.total_seconds() == 60
    assert jobs[SWEEP_JOB_ID].trigger.interval.total_seconds() == 5
    assert jobs[SWEEP_JOB_ID].max_instances == 1 and jobs[SWEEP_JOB_ID].coalesce
    assert jobs[CALENDAR_JOB_ID].trigger.interval.total_seconds() == 3600


def test_the_sweep_job_fires_due_timers_as_of_the_clock_it_is_given(svc, clock):
    deploy(svc, clock, "timer_escalation.bpmn")
    started = start(svc, clock, "timer_escalation", {"inspection_date": "2026-09-30"})
    job = sweep_job(svc.runtime, svc.write_sessions, lambda: FrozenClock("2026-10-09T00:00:01+08:00"))
    job()
    assert only_task(svc, started.id, "Escalate")


def test_the_calendar_job_warns_before_an_uncovered_year_begins(svc):
    calendar_job(svc.runtime, svc.write_sessions, lambda: FrozenClock("2026-09-30T10:00:00+08:00"))()
    with svc.sessions() as session:
        assert alerts.open_alerts(session, calendar_store.UNCOVERED_YEAR_ALERT) == []
    calendar_job(svc.runtime, svc.write_sessions, lambda: FrozenClock("2026-11-22T10:00:00+08:00"))()
    with svc.sessions() as session:
        (alert,) = alerts.open_alerts(session, calendar_store.UNCOVERED_YEAR_ALERT)
    assert alert.subject == "2027" and "2027" in alert.message


def test_checkpointing_moves_the_wal_into_the_database(svc, clock):
    deploy(svc, clock, "approval_chain.bpmn")
    start(svc, clock, "approval_chain")
    checkpoint_sqlite(svc.engine)  # on PostgreSQL a no-op; on SQLite nothing may be left un-checkpointed
    if svc.engine.dialect.name == "sqlite":
        with svc.engine.connect() as connection:
            busy, log_frames, checkpointed = connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
        assert busy == 0 and log_frames == checkpointed
