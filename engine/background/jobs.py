"""Background jobs (后台任务): long actions run off the request, with progress a page can show.

Owns a `BackgroundJob` row's contract: `enqueue` inserts it (queued) in one transaction of its own — that is
all a web process does — and a worker (engine.background.job_worker, in the `inspectflow scheduler` process,
or a thread of an embedded `inspectflow serve`) claims it, runs the handler registered for its `kind` with
its `params`, and records the outcome. A job is data, not a closure: any worker process can run it, and one
whose worker died can be run again by another.

A handler gets the claim (the job's params, which attempt this is) and a `report(done, total, step)` callback;
each call is its own short write transaction touching one row, so the page that polls sees it at once. Because
SQLite lets one writer at a time, a handler must call `report` between its own transactions, never inside one.
A failure ends the job as failed with a message for the user (a rule's refusal says why; anything else a plain
"logged" message, the stack trace goes to the log only).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.domain.errors import Refused
from engine.models import BackgroundJob
from engine.platform.clock import Clock
from engine.runtime.errors import WorkflowError

INTERRUPTED = "服务重启，任务中断"
FAILED_UNEXPECTEDLY = "任务出错，已记录，请联系管理员。"
# Errors whose message is written for the user; any other exception's text may expose internals.
PLAIN_ERRORS = (Refused, WorkflowError, ValueError, LookupError)
STEP_LENGTH = 255
ACTIVE = ("queued", "running")

Report = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Outcome:
    """What a finished job offers: a file to download (`value` is its content) or a link to follow."""

    kind: str  # file | link
    value: str
    name: str | None = None  # the file's download name
    summary: str | None = None  # shown in place of the last step


def enqueue(write_sessions: sessionmaker[Session], clock: Clock, kind: str, *, created_by: str,
            params: dict[str, Any] | None = None) -> int:
    """Queue a job of `kind` for a worker; returns its id. Commits at once, so a worker may claim it."""
    with write_sessions() as session:
        job = BackgroundJob(kind=kind, params=dict(params or {}), status="queued", done=0, total=0, step="",
                            created_by=created_by, created_at=clock.now(), attempts=0)
        session.add(job)
        session.commit()
        return job.id


def job_of(session: Session, job_id: int) -> BackgroundJob | None:
    return session.get(BackgroundJob, job_id)


def recent_jobs(session: Session, *, created_by: str | None, limit: int = 50) -> list[BackgroundJob]:
    """Newest first: `created_by`'s jobs, or everyone's when None (administrators)."""
    query = select(BackgroundJob).order_by(BackgroundJob.created_at.desc(), BackgroundJob.id.desc()).limit(limit)
    if created_by is not None:
        query = query.where(BackgroundJob.created_by == created_by)
    return list(session.scalars(query))
