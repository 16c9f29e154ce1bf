"""The job worker: claims queued background jobs (engine.background.jobs) and runs them, one at a time per worker.

Runs in the `inspectflow scheduler` process (`start_job_worker`), or in a thread of an embedded `inspectflow
serve`; web processes behind gunicorn only enqueue. Any number of workers may run against one database.

Claiming: `claim_next` picks the oldest claimable job — queued, or running with its lease run out — with
SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL, so two workers never take the same job (a row one worker is
claiming is skipped by the other, which takes the next); on SQLite the claim's write transaction begins
IMMEDIATE, so claimers queue. The claim sets `claimed_by` (this worker's host:pid:token), `lease_until` and
counts an attempt, and commits before the work starts.

Leases: while a job runs, a heartbeat thread moves `lease_until` on every third of the lease (each progress
report does too). A worker that dies — SIGKILL, a lost machine — stops heartbeating; once its lease has run out
the job is claimable again and the next worker runs it anew. Nothing is decided by whether a host or pid still
exists. Every write of a running job is conditioned on `claimed_by`, so a worker that lost its lease (stalled
past it, then woke) cannot overwrite the new worker's progress or outcome. A job begun `MAX_ATTEMPTS` times
without finishing is ended as failed (it may be what kills its workers) instead of being run again.

Running a job again is safe because each kind is idempotent or resumable: `statistics_csv` only reads, so a
second run computes the same file; `load_demo` commits each step in its own transaction and every step skips
what is already there (diagrams deploy as unchanged, records and instances are loaded only once, accounts only
when missing), so a second run finishes what the first began (its "already loaded" refusal applies only to the
first attempt). A new kind must say in its handler why it is one or the other.

Time: leases run on the wall clock (`lease_clock`, injected in tests), not the app's clock, which
INSPECTFLOW_CLOCK may pin — a pinned clock would never let a lease run out. The job's own timestamps
(started, finished) use the app's clock like every record.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from engine.background.jobs import FAILED_UNEXPECTEDLY, INTERRUPTED, PLAIN_ERRORS, STEP_LENGTH, Outcome
from engine.models import BackgroundJob
from engine.platform.clock import Clock, SystemClock
from engine.platform.db import affected_rows, is_postgresql

log = logging.getLogger(__name__)

LEASE_S = 60.0
POLL_S = 2.0
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Claim:
    """A job this worker holds: what to run and how many times it has been begun (1 on the first run)."""

    job_id: int
    kind: str
    params: dict[str, Any]
    attempt: int


# What runs a claimed job of one kind: the claim and the progress callback in, the outcome (if any) out.
JobHandler = Callable[[Claim, Callable[[int, int, str], None]], Outcome | None]


@dataclass
class JobWorker:
    sessions: sessionmaker[Session]
    write_sessions: sessionmaker[Session]  # BEGIN IMMEDIATE on SQLite (engine.platform.db)
    clock_factory: Callable[[], Clock]
    handlers: Mapping[str, JobHandler]
    lease_s: float = LEASE_S
    poll_s: float = POLL_S
    lease_clock: Clock = field(default_factory=SystemClock)
    token: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(6)}")

    def __post_init__(self) -> None:
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- claiming ---------------------------------------------------------------------------------------------

    def claim_next(self, job_id: int | None = None) -> Claim | None:
        """Claim the oldest claimable job (or only `job_id`), committed; None when there is none."""
        while True:
            now = self.lease_clock.now()
            with self.write_sessions() as session:
                query = (select(BackgroundJob)
                         .where(or_(BackgroundJob.status == "queued",
                                    and_(BackgroundJob.status == "running",
                                         or_(BackgroundJob.lease_until.is_(None), BackgroundJob.lease_until < now))))
                         .order_by(BackgroundJob.id).limit(1))
                if job_id is not None:
                    query = query.where(BackgroundJob.id == job_id)
                if is_postgresql(session):
                    query = query.with_for_update(skip_locked=True)
                job = session.scalar(query)
                if job is None:
                    return None
                if job.attempts >= MAX_ATTEMPTS:  # begun that often and never finished: not run again
                    log.error("background job %s was interrupted %d times; it is ended as failed", job.id,
                              job.attempts)
                    job.status, job.error, job.finished_at = "failed", INTERRUPTED, self.clock_factory().now()
                    job.lease_until = None
                    session.commit()
                    continue
                job.status, job.claimed_by, job.attempts = "running", self.token, job.attempts + 1
                job.lease_until, job.heartbeat_at = now + timedelta(seconds=self.lease_s), now
                if job.started_at is None:
                    job.started_at = self.clock_factory().now()
                session.commit()
                return Claim(job.id, job.kind, dict(job.params or {}), job.attempts)

    def heartbeat(self, job_id: int) -> bool:
        """Move the job's lease on; False when this worker no longer holds it."""
        return self._write(job_id)

    # -- running ----------------------------------------------------------------------------------------------

    def run_claimed(self, claim: Claim) -> str:
        """Run a claimed job to its end; never raises (the row records the outcome). Returns the final status, or
        "lost" when another worker took the job over meanwhile (its outcome is then the other worker's)."""
        beating = threading.Event()
        beat = threading.Thread(target=self._beat, args=(claim.job_id, beating), daemon=True,
                                name=f"inspectflow-job-{claim.job_id}-heartbeat")
        beat.start()

        def report(done: int, total: int, step: str) -> None:
            total = max(total, 0)
            self._write(claim.job_id, done=min(max(done, 0), total), total=total, step=step[:STEP_LENGTH])

        try:
            handler = self.handlers.get(claim.kind)
            if handler is None:
                raise RuntimeError(f"no handler for background jobs of kind {claim.kind!r}")
            outcome = handler(claim, report)
        except Exception as err:
            log.exception("background job %s failed", claim.job_id)
            message = str(err) if isinstance(err, PLAIN_ERRORS) and str(err) else FAILED_UNEXPECTEDLY
            return self._finish(claim.job_id, status="failed", error=message)
        finally:
            beating.set()
            beat.join()
        values: dict[str, Any] = {}
        if outcome is not None:
            values = {"result_kind": outcome.kind, "result": outcome.value, "result_name": outcome.name}
            if outcome.summary:
                values["step"] = outcome.summary[:STEP_LENGTH]
        return self._finish(claim.job_id, status="done", **values)

    def run_job(self, job_id: int) -> str | None:
        """Claim and run one given job at once in the caller's thread (tests, an app that runs jobs inline)."""
        claim = self.claim_next(job_id)
        return None if claim is None else self.run_claimed(claim)

    def run_pending(self) -> int:
        """Claim and run jobs until none is claimable (or the worker is asked to stop); how many ran."""
        ran = 0
        while not self._stop.is_set():
            claim = self.claim_next()
            if claim is None:
                break
            self.run_claimed(claim)
            ran += 1
        return ran

    def _beat(self, job_id: int, done: threading.Event) -> None:
        while not done.wait(self.lease_s / 3):
            try:
                if not self.heartbeat(job_id):
                    log.warning("background job %s: lease lost to another worker", job_id)
                    return
            except Exception:  # a database hiccup: the next beat tries again, the lease has slack for it
                log.exception("background job %s: heartbeat failed", job_id)

    def _write(self, job_id: int, **values) -> bool:
        """Update the running job this worker holds, moving its lease on; False when it no longer holds it."""
        now = self.lease_clock.now()
        with self.write_sessions() as session:
            written = session.execute(
                update(BackgroundJob)
                .where(BackgroundJob.id == job_id, BackgroundJob.claimed_by == self.token,
                       BackgroundJob.status == "running")
                .values(lease_until=now + timedelta(seconds=self.lease_s), heartbeat_at=now, **values))
            session.commit()
        return affected_rows(written) == 1

    def _finish(self, job_id: int, **values) -> str:
        try:
            with self.write_sessions() as session:
                job = session.scalar(select(BackgroundJob).where(BackgroundJob.id == job_id,
                                                                 BackgroundJob.claimed_by == self.token,
                                                                 BackgroundJob.status == "running"))
                if job is None:
                    log.warning("background job %s was taken over by another worker; this outcome is dropped",
                                job_id)
                    return "lost"
                if values.get("status") == "done":
                    job.done = job.total = max(job.total, 1)  # a finished bar is full
                for name, value in values.items():
                    setattr(job, name, value)
                job.finished_at, job.lease_until = self.clock_factory().now(), None
                session.commit()
                return values["status"]
        except Exception:
            log.exception("could not record the end of background job %s", job_id)
            return "unrecorded"

    # -- the loop ---------------------------------------------------------------------------------------------

    def wake(self) -> None:
        """A job was queued: look now instead of at the next poll."""
        self._wake.set()

    def loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.run_pending()
            except Exception:  # the database went away for a moment: poll again
                log.exception("background job worker: claiming failed")
            self._wake.wait(self.poll_s)

    def start(self) -> JobWorker:
        self._thread = threading.Thread(target=self.loop, daemon=True, name="inspectflow-job-worker")
        self._thread.start()
        return self

    def stop(self, wait: bool = True) -> None:
        """Finish the running job (if any), then stop."""
        self._stop.set()
        self._wake.set()
        if wait and self._thread is not None:
            self._thread.join()


def start_job_worker(sessions: sessionmaker[Session], write_sessions: sessionmaker[Session],
                     clock_factory: Callable[[], Clock], handlers: Mapping[str, JobHandler], *,
                     lease_s: float = LEASE_S, poll_s: float = POLL_S) -> JobWorker:
    """A worker thread claiming and running jobs until `stop()`, for the scheduler process or an embedded serve."""
    return JobWorker(sessions, write_sessions, clock_factory, handlers, lease_s=lease_s, poll_s=poll_s).start()
