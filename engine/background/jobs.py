"""Background jobs (后台任务): long actions run off the request, with progress a page can show.

Owns the life of a `BackgroundJob` row: `JobRunner.submit` inserts it (queued) in one transaction and hands
the work to an executor (one worker thread in the app, so long actions queue instead of competing for the
database; `InlineExecutor` in tests). The work gets a `report(done, total, step)` callback; each call is
its own short write transaction touching one row, so the page that polls sees it at once. Because SQLite
lets one writer at a time, work must call `report` between its own transactions, never inside one.

A failure ends the job as failed with a message for the user (a rule's refusal says why; anything else a
plain "logged" message, the stack trace goes to the log only). A job whose process died stays queued or
running in the table: `recover_interrupted`, run when an app starts, marks those failed so no page waits
forever, telling dead runners from live ones by the host:pid:token each row records.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from engine.domain.errors import Refused
from engine.models import BackgroundJob
from engine.platform.clock import Clock
from engine.runtime.errors import WorkflowError

log = logging.getLogger(__name__)

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


Work = Callable[[Report], Outcome | None]


@dataclass(frozen=True)
class Submitted:
    job_id: int
    future: Future


class InlineExecutor(Executor):
    """Runs each job at once in the caller's thread (tests and one-shot commands)."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # the future carries it, as a pool's would
            future.set_exception(exc)
        return future


_live_runners: set[str] = set()


def _this_host() -> str:
    return socket.gethostname()


def runner_alive(runner: str) -> bool:
    """Whether the process that took a job may still run it. A runner of this process is alive while its
    JobRunner is; one of another process on this host while that pid exists; one of another host is
    presumed alive (only that host can tell, and its own restart recovers it)."""
    if runner in _live_runners:
        return True
    host, _, rest = runner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != _this_host():
        return True
    if not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


class JobRunner:
    def __init__(self, sessions: sessionmaker[Session], write_sessions: sessionmaker[Session],
                 clock_factory: Callable[[], Clock], executor: Executor | None = None):
        self.sessions = sessions
        self.write_sessions = write_sessions  # BEGIN IMMEDIATE on SQLite (engine.platform.db)
        self.clock_factory = clock_factory
        self._executor = executor
        self.token = f"{_this_host()}:{os.getpid()}:{secrets.token_hex(6)}"
        _live_runners.add(self.token)

    @property
    def executor(self) -> Executor:
        if self._executor is None:  # a thread only once there is work for it
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inspectflow-job")
        return self._executor

    @executor.setter
    def executor(self, executor: Executor) -> None:
        self._executor = executor

    def submit(self, kind: str, work: Work, *, created_by: str, params: dict[str, Any] | None = None) -> Submitted:
        with self.write_sessions() as session:
            job = BackgroundJob(kind=kind, params=dict(params or {}), status="queued", done=0, total=0, step="",
                                created_by=created_by, runner=self.token, created_at=self.clock_factory().now())
            session.add(job)
            session.commit()
            job_id = job.id
        return Submitted(job_id, self.executor.submit(self._run, job_id, work))

    def _run(self, job_id: int, work: Work) -> str:
        """Run one job to its end; never raises (the row records the outcome). Returns the final status."""
        self._write(job_id, status="running", started_at=self.clock_factory().now())

        def report(done: int, total: int, step: str) -> None:
            total = max(total, 0)
            self._write(job_id, done=min(max(done, 0), total), total=total, step=step[:STEP_LENGTH])

        try:
            outcome = work(report)
        except Exception as err:
            log.exception("background job %s failed", job_id)
            message = str(err) if isinstance(err, PLAIN_ERRORS) and str(err) else FAILED_UNEXPECTEDLY
            self._finish(job_id, status="failed", error=message)
            return "failed"
        values: dict[str, Any] = {}
        if outcome is not None:
            values = {"result_kind": outcome.kind, "result": outcome.value, "result_name": outcome.name}
            if outcome.summary:
                values["step"] = outcome.summary[:STEP_LENGTH]
        self._finish(job_id, status="done", **values)
        return "done"

    def _finish(self, job_id: int, **values) -> None:
        try:
            with self.write_sessions() as session:
                job = session.get(BackgroundJob, job_id)
                assert job is not None
                if values.get("status") == "done":
                    job.done = job.total = max(job.total, 1)  # a finished bar is full
                for name, value in values.items():
                    setattr(job, name, value)
                job.finished_at = self.clock_factory().now()
                session.commit()
        except Exception:
            log.exception("could not record the end of background job %s", job_id)

    def _write(self, job_id: int, **values) -> None:
        with self.write_sessions() as session:
            session.execute(update(BackgroundJob).where(BackgroundJob.id == job_id).values(**values))
            session.commit()

    def recover(self) -> list[int]:
        return recover_interrupted(self.sessions, self.write_sessions, self.clock_factory(), runner_alive)

    def shutdown(self, wait: bool = True) -> None:
        _live_runners.discard(self.token)
        if self._executor is not None:
            self._executor.shutdown(wait=wait)


def recover_interrupted(sessions: sessionmaker[Session], write_sessions: sessionmaker[Session], clock: Clock,
                        alive: Callable[[str], bool] = runner_alive) -> list[int]:
    """Mark failed every queued or running job whose runner is gone. Reads first, so an app start with
    nothing to recover (every CLI command is one) takes no write lock."""
    with sessions() as session:
        candidates = session.execute(select(BackgroundJob.id, BackgroundJob.runner)
                                     .where(BackgroundJob.status.in_(ACTIVE))).all()
    dead = [job_id for job_id, runner in candidates if not alive(runner)]
    if dead:
        with write_sessions() as session:
            session.execute(update(BackgroundJob)
                            .where(BackgroundJob.id.in_(dead), BackgroundJob.status.in_(ACTIVE))
                            .values(status="failed", error=INTERRUPTED, finished_at=clock.now()))
            session.commit()
        log.warning("background jobs interrupted by a restart, marked failed: %s", dead)
    return dead


def job_of(session: Session, job_id: int) -> BackgroundJob | None:
    return session.get(BackgroundJob, job_id)


def recent_jobs(session: Session, *, created_by: str | None, limit: int = 50) -> list[BackgroundJob]:
    """Newest first: `created_by`'s jobs, or everyone's when None (administrators)."""
    query = select(BackgroundJob).order_by(BackgroundJob.created_at.desc(), BackgroundJob.id.desc()).limit(limit)
    if created_by is not None:
        query = query.where(BackgroundJob.created_by == created_by)
    return list(session.scalars(query))
