"""APScheduler wiring: the scheduled duties — the deadline sweep every few seconds, the overdue scan and the
reminders every minute, the calendar check and the orphaned attachment files' prune hourly (and on SQLite the
WAL checkpoint).

`inspectflow serve` starts it in the background next to the web app; `inspectflow scheduler` runs it as its own
process (with the background-job worker, engine.background.job_worker). Several may run against one database:
each duty runs in exactly one process at a time (its advisory lock, engine.platform.duty_lock; a process that
finds it held skips that tick), and the duties themselves never fire or raise anything twice (claimed deadline
rows, the open alerts' unique index, the notifications' unique keys).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.orm import Session, sessionmaker

from engine.background.attachment_prune import prune_attachments
from engine.background.notify import notify_pass
from engine.background.notify_delivery import DeliverySettings
from engine.background.sweep import SweepReport, sweep
from engine.calendar.store import watch_coverage
from engine.domain.inspection_alerts import scan_overdue
from engine.platform.attachment_store import AttachmentStore
from engine.platform.clock import Clock
from engine.platform.db import checkpoint_sqlite
from engine.platform.duty_lock import CALENDAR_LOCK_KEY, OVERDUE_LOCK_KEY, single_runner
from engine.runtime.core import Runtime

log = logging.getLogger(__name__)

SWEEP_JOB_ID = "inspectflow-deadline-sweep"
CALENDAR_JOB_ID = "inspectflow-calendar-coverage"
CALENDAR_CHECK_INTERVAL_S = 3600
CHECKPOINT_JOB_ID = "inspectflow-sqlite-checkpoint"
OVERDUE_JOB_ID = "inspectflow-overdue-scan"
OVERDUE_INTERVAL_S = 60
CHECKPOINT_INTERVAL_S = 10
NOTIFY_JOB_ID = "inspectflow-notify"
NOTIFY_INTERVAL_S = 60
PRUNE_JOB_ID = "inspectflow-attachment-prune"
PRUNE_INTERVAL_S = 3600


def sweep_job(runtime: Runtime, sessions: sessionmaker[Session], clock_factory: Callable[[], Clock],
              on_sweep: Callable[[SweepReport], None] | None = None, per_transaction: int = 50) -> Callable:
    def run() -> None:
        report = sweep(runtime, sessions, clock_factory(), per_transaction=per_transaction)
        if report.fired or report.failed:
            log.info("sweep at %s fired %d, failed %d", report.at.isoformat(), len(report.fired),
                     len(report.failed))
            if on_sweep is not None:
                on_sweep(report)

    return run


def calendar_job(runtime: Runtime, sessions: sessionmaker[Session], clock_factory: Callable[[], Clock]) -> Callable:
    def run() -> None:
        with single_runner(sessions.kw["bind"], CALENDAR_LOCK_KEY) as held:
            if not held:
                return  # another process is checking the calendar right now
            with sessions.begin() as session:
                calendar = runtime.refresh_calendar(session, force=True)
                years = watch_coverage(session, calendar, clock_factory().now())
        if years:
            log.warning("calendar years without an official schedule ahead: %s", years)

    return run


def overdue_job(sessions: sessionmaker[Session], clock_factory: Callable[[], Clock]) -> Callable:
    def run() -> None:
        with single_runner(sessions.kw["bind"], OVERDUE_LOCK_KEY) as held:
            if held:
                with sessions.begin() as session:
                    scan_overdue(session, clock_factory().now())

    return run


def notify_job(runtime: Runtime, sessions: sessionmaker[Session], clock_factory: Callable[[], Clock],
               delivery: DeliverySettings) -> Callable:
    def run() -> None:
        report = notify_pass(runtime, sessions, clock_factory(), delivery)
        if report.created or report.sent or report.failed:
            log.info("reminders at %s: %d created, %d sent, %d failed", report.at.isoformat(), report.created,
                     report.sent, report.failed)

    return run


def prune_job(sessions: sessionmaker[Session], store: AttachmentStore, clock_factory: Callable[[], Clock]) -> Callable:
    def run() -> None:
        report = prune_attachments(sessions, store, clock_factory())
        if report.removed:
            log.info("attachments at %s: %d orphaned files removed (%d bytes)", report.at.isoformat(),
                     len(report.removed), sum(r.size for r in report.removed))

    return run


def build_scheduler(runtime: Runtime, sessions: sessionmaker[Session], clock_factory: Callable[[], Clock], *,
                    interval_s: float, blocking: bool,
                    on_sweep: Callable[[SweepReport], None] | None = None,
                    delivery: DeliverySettings | None = None,
                    notify_interval_s: float = NOTIFY_INTERVAL_S, sweep_batch: int = 50,
                    attachments: AttachmentStore | None = None) -> BaseScheduler:
    """`on_sweep` hears of every sweep that fired or failed something (the CLI prints it). `delivery`: how
    reminders are sent (default: in the app only, no e-mail). `sweep_batch`: instances fired per transaction.
    `attachments`: the store whose orphaned files the hourly prune removes (none: no prune)."""
    scheduler: BaseScheduler = BlockingScheduler() if blocking else BackgroundScheduler(daemon=True)
    scheduler.add_job(
        sweep_job(runtime, sessions, clock_factory, on_sweep, sweep_batch),
        "interval",
        seconds=interval_s,
        id=SWEEP_JOB_ID,
        max_instances=1,  # a slow sweep is not overlapped by the next tick
        coalesce=True,
        replace_existing=True,
    )
    scheduler.add_job(
        calendar_job(runtime, sessions, clock_factory),
        "interval",
        seconds=CALENDAR_CHECK_INTERVAL_S,
        id=CALENDAR_JOB_ID,
        next_run_time=datetime.now(UTC),  # once at start, then hourly
        max_instances=1,
        coalesce=True,
        replace_existing=True,
    )
    scheduler.add_job(overdue_job(sessions, clock_factory), "interval", seconds=OVERDUE_INTERVAL_S,
                      id=OVERDUE_JOB_ID, max_instances=1, coalesce=True, replace_existing=True)
    scheduler.add_job(notify_job(runtime, sessions, clock_factory, delivery or DeliverySettings()), "interval",
                      seconds=notify_interval_s, id=NOTIFY_JOB_ID, max_instances=1, coalesce=True,
                      replace_existing=True)
    if attachments is not None:
        scheduler.add_job(prune_job(sessions, attachments, clock_factory), "interval", seconds=PRUNE_INTERVAL_S,
                          id=PRUNE_JOB_ID, max_instances=1, coalesce=True, replace_existing=True)
    engine = sessions.kw["bind"]
    if engine.dialect.name == "sqlite":
        scheduler.add_job(checkpoint_sqlite, "interval", args=[engine], seconds=CHECKPOINT_INTERVAL_S,
                          id=CHECKPOINT_JOB_ID, max_instances=1, coalesce=True, replace_existing=True)
    return scheduler
