"""engine.background.jobs and job_worker: a job's row from queued to done or failed, its progress committed as it
goes, failures told plainly; claims under a lease — two workers never run the same job, a heartbeat keeps the
claim, and a job whose worker died is taken over once its lease runs out (on PostgreSQL with FOR UPDATE SKIP
LOCKED, on SQLite through IMMEDIATE transactions)."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from sqlalchemy import select

from engine.background.job_worker import MAX_ATTEMPTS, JobWorker
from engine.background.jobs import FAILED_UNEXPECTEDLY, INTERRUPTED, Outcome, enqueue
from engine.domain.errors import Refused
from engine.models import BackgroundJob
from engine.platform.clock import FrozenClock

LEASE_S = 60


def worker_for(svc, handlers, lease_clock=None) -> JobWorker:
    return JobWorker(svc.sessions, svc.write_sessions, svc.clock_factory, handlers, lease_s=LEASE_S,
                     lease_clock=lease_clock or FrozenClock("2026-09-30T10:00:00+08:00"))


def queue(svc, kind="test", params=None) -> int:
    return enqueue(svc.write_sessions, svc.clock(), kind, created_by="alice", params=params)


def row(svc, job_id: int) -> BackgroundJob:
    with svc.sessions() as session:
        job = session.get(BackgroundJob, job_id)
        assert job is not None
        return job


def only_job(svc) -> BackgroundJob:
    with svc.sessions() as session:
        return session.scalars(select(BackgroundJob)).one()


def test_progress_is_committed_at_each_report_and_the_outcome_kept(svc, clock):
    seen = []

    def work(claim, report):
        assert (claim.params, claim.attempt) == ({"year": 2026}, 1)
        for done, step in enumerate(["部署流程图", "载入记录", "创建账号"]):
            report(done, 3, step)
            clock.advance(timedelta(seconds=1))
            seen.append(only_job(svc))  # read by another session: committed already
        return Outcome("file", "a,b\n1,2\n", name="x.csv", summary="完成")

    started_at = clock.now()
    job_id = queue(svc, params={"year": 2026})
    assert row(svc, job_id).status == "queued"
    assert worker_for(svc, {"test": work}).run_job(job_id) == "done"
    assert [(j.status, j.done, j.total, j.step) for j in seen] == [
        ("running", 0, 3, "部署流程图"), ("running", 1, 3, "载入记录"), ("running", 2, 3, "创建账号")]
    job = row(svc, job_id)
    assert (job.status, job.done, job.total, job.step) == ("done", 3, 3, "完成")
    assert (job.result_kind, job.result, job.result_name, job.error) == ("file", "a,b\n1,2\n", "x.csv", None)
    assert (job.kind, job.params, job.created_by, job.attempts) == ("test", {"year": 2026}, "alice", 1)
    assert job.created_at == job.started_at == started_at
    assert job.finished_at == started_at + timedelta(seconds=3) and job.lease_until is None


def test_reports_are_clamped_and_a_job_without_steps_ends_full(svc):
    steps = []

    def work(claim, report):
        report(7, 2, "步" * 400)
        steps.append(only_job(svc))
        return None

    worker = worker_for(svc, {"test": work, "quiet": lambda claim, report: None})
    job_id = queue(svc)
    assert worker.run_job(job_id) == "done"
    assert (steps[0].done, steps[0].total, len(steps[0].step)) == (2, 2, 255)
    quiet = queue(svc, "quiet")
    assert worker.run_job(quiet) == "done"
    job = row(svc, quiet)
    assert (job.done, job.total, job.result_kind) == (1, 1, None)


def test_a_refusal_is_told_plainly_and_an_unexpected_error_only_logged(svc, caplog):
    def refused(claim, report):
        report(0, 2, "检查")
        raise Refused("R15", "C类企业每年例行现场检查不超过 2 次")

    def broken(claim, report):
        raise RuntimeError("SELECT secret FROM app_user")

    worker = worker_for(svc, {"refused": refused, "broken": broken})
    first, second, unknown = queue(svc, "refused"), queue(svc, "broken"), queue(svc, "nobody-runs-this")
    with caplog.at_level(logging.ERROR, logger="engine.background.job_worker"):
        assert worker.run_pending() == 3
    job = row(svc, first)
    assert (job.status, job.error, job.done, job.total) == ("failed", "R15: C类企业每年例行现场检查不超过 2 次", 0, 2)
    assert job.finished_at is not None and job.result is None
    assert row(svc, second).error == row(svc, unknown).error == FAILED_UNEXPECTEDLY
    assert "SELECT secret" in caplog.text  # the details are in the log, not on the page


def test_two_claimers_never_get_the_same_job(svc):
    jobs = [queue(svc) for _ in range(8)]
    workers = [worker_for(svc, {}) for _ in range(2)]
    barrier = threading.Barrier(2)
    claimed: dict[str, list[int]] = {w.token: [] for w in workers}

    def claim_all(worker: JobWorker) -> None:
        barrier.wait()
        while (claim := worker.claim_next()) is not None:
            claimed[worker.token].append(claim.job_id)

    threads = [threading.Thread(target=claim_all, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everything = [job_id for ids in claimed.values() for job_id in ids]
    assert sorted(everything) == jobs  # each job claimed once, none left
    with svc.sessions() as session:
        rows = session.scalars(select(BackgroundJob)).all()
    assert all(job.status == "running" and job.attempts == 1 and job.id in claimed[job.claimed_by] for job in rows)


def test_a_heartbeat_keeps_the_claim_and_an_expired_lease_is_taken_over(svc):
    dead_clock, next_clock = FrozenClock("2026-09-30T10:00:00+08:00"), FrozenClock("2026-09-30T10:00:00+08:00")
    ran = []

    def work(claim, report):
        ran.append(claim.attempt)
        return Outcome("link", "/done")

    dead, successor = worker_for(svc, {"test": work}, dead_clock), worker_for(svc, {"test": work}, next_clock)
    job_id = queue(svc)
    claim = dead.claim_next()
    assert claim is not None and claim.attempt == 1
    next_clock.advance(timedelta(seconds=LEASE_S - 1))
    assert successor.claim_next() is None  # the lease still holds
    dead_clock.advance(timedelta(seconds=LEASE_S - 1))
    assert dead.heartbeat(job_id)  # ... and the heartbeat moves it on
    next_clock.advance(timedelta(seconds=LEASE_S - 1))
    assert successor.claim_next() is None
    # Then `dead` stops heartbeating (its process was killed): once the lease runs out, the job is taken over.
    next_clock.advance(timedelta(seconds=LEASE_S))
    taken = successor.claim_next()
    assert taken is not None and (taken.job_id, taken.attempt) == (job_id, 2)
    assert row(svc, job_id).claimed_by == successor.token
    assert not dead.heartbeat(job_id)  # a worker that stalled past its lease has lost the job ...
    assert dead.run_claimed(claim) == "lost"  # ... and its outcome is dropped
    assert successor.run_claimed(taken) == "done"
    job = row(svc, job_id)
    assert (job.status, job.result, job.attempts, job.claimed_by) == ("done", "/done", 2, successor.token)
    assert ran == [1, 2]


def test_a_job_begun_too_often_without_finishing_is_ended_as_failed(svc, clock):
    lease_clock = FrozenClock("2026-09-30T10:00:00+08:00")
    worker = worker_for(svc, {"test": lambda claim, report: None}, lease_clock)
    job_id = queue(svc)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        claim = worker.claim_next()
        assert claim is not None and claim.attempt == attempt
        lease_clock.advance(timedelta(seconds=LEASE_S + 1))  # and its worker died each time
    assert worker.claim_next() is None
    job = row(svc, job_id)
    assert (job.status, job.error, job.finished_at) == ("failed", INTERRUPTED, clock.now())


def test_a_worker_thread_runs_queued_jobs_while_the_caller_reads_their_progress(svc):
    reported, release = threading.Event(), threading.Event()

    def work(claim, report):
        report(1, 2, "生成 CSV")
        reported.set()
        assert release.wait(30)
        return Outcome("link", "/supervise")

    worker = worker_for(svc, {"test": work}).start()
    job_id = queue(svc)
    worker.wake()
    try:
        assert reported.wait(30)
        job = row(svc, job_id)
        assert (job.status, job.done, job.total, job.step, job.claimed_by) == ("running", 1, 2, "生成 CSV",
                                                                               worker.token)
    finally:
        release.set()
        worker.stop(wait=True)  # once the running job has ended
    assert (row(svc, job_id).status, row(svc, job_id).result) == ("done", "/supervise")
