"""engine.background.jobs: a job's row from queued to done or failed, its progress committed as it goes, failures told
plainly, and jobs of a dead process marked failed when an app starts."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from concurrent.futures import Executor, Future
from datetime import timedelta

from sqlalchemy import select

from engine.background.jobs import (
    FAILED_UNEXPECTEDLY,
    INTERRUPTED,
    InlineExecutor,
    JobRunner,
    Outcome,
    recover_interrupted,
    runner_alive,
)
from engine.domain.errors import Refused
from engine.models import BackgroundJob


class HeldExecutor(Executor):
    """Takes jobs and never runs them: what a process that died before its worker got to them left."""

    def __init__(self):
        self.held = []

    def submit(self, fn, /, *args, **kwargs) -> Future:
        self.held.append((fn, args))
        return Future()


def runner_for(svc, executor=None) -> JobRunner:
    return JobRunner(svc.sessions, svc.write_sessions, svc.clock_factory, executor)


def row(svc, job_id: int) -> BackgroundJob:
    with svc.sessions() as session:
        job = session.get(BackgroundJob, job_id)
        assert job is not None
        return job


def only_job(svc) -> BackgroundJob:
    with svc.sessions() as session:
        return session.scalars(select(BackgroundJob)).one()


def test_progress_is_committed_at_each_report_and_the_outcome_kept(svc, clock):
    runner = runner_for(svc, InlineExecutor())
    seen = []

    def work(report):
        for done, step in enumerate(["部署流程图", "载入记录", "创建账号"]):
            report(done, 3, step)
            clock.advance(timedelta(seconds=1))
            seen.append(only_job(svc))  # read by another session: committed already
        return Outcome("file", "a,b\n1,2\n", name="x.csv", summary="完成")

    started_at = clock.now()
    submitted = runner.submit("test", work, created_by="alice", params={"year": 2026})
    assert submitted.future.result() == "done"
    assert [(j.status, j.done, j.total, j.step) for j in seen] == [
        ("running", 0, 3, "部署流程图"), ("running", 1, 3, "载入记录"), ("running", 2, 3, "创建账号")]
    job = row(svc, submitted.job_id)
    assert (job.status, job.done, job.total, job.step) == ("done", 3, 3, "完成")
    assert (job.result_kind, job.result, job.result_name, job.error) == ("file", "a,b\n1,2\n", "x.csv", None)
    assert (job.kind, job.params, job.created_by) == ("test", {"year": 2026}, "alice")
    assert job.created_at == job.started_at == started_at
    assert job.finished_at == started_at + timedelta(seconds=3)


def test_reports_are_clamped_and_a_job_without_steps_ends_full(svc):
    runner = runner_for(svc, InlineExecutor())
    steps = []

    def work(report):
        report(7, 2, "步" * 400)
        steps.append(only_job(svc))
        return None

    job_id = runner.submit("test", work, created_by="alice").job_id
    assert (steps[0].done, steps[0].total, len(steps[0].step)) == (2, 2, 255)
    quiet = runner.submit("test", lambda report: None, created_by="alice")
    assert quiet.future.result() == "done"
    job = row(svc, quiet.job_id)
    assert (job.done, job.total, job.result_kind) == (1, 1, None)
    assert row(svc, job_id).status == "done"


def test_a_refusal_is_told_plainly_and_an_unexpected_error_only_logged(svc, caplog):
    runner = runner_for(svc, InlineExecutor())

    def refused(report):
        report(0, 2, "检查")
        raise Refused("R15", "C类企业每年例行现场检查不超过 2 次")

    def broken(report):
        raise RuntimeError("SELECT secret FROM app_user")

    with caplog.at_level(logging.ERROR, logger="engine.background.jobs"):
        first = runner.submit("test", refused, created_by="alice")
        second = runner.submit("test", broken, created_by="alice")
    assert first.future.result() == second.future.result() == "failed"
    job = row(svc, first.job_id)
    assert (job.status, job.error, job.done, job.total) == ("failed", "R15: C类企业每年例行现场检查不超过 2 次", 0, 2)
    assert job.finished_at is not None and job.result is None
    assert row(svc, second.job_id).error == FAILED_UNEXPECTEDLY
    assert "SELECT secret" in caplog.text  # the details are in the log, not on the page


def test_jobs_of_a_dead_runner_are_failed_on_start_and_live_ones_left(svc, clock):
    dead = runner_for(svc, HeldExecutor())
    queued = dead.submit("test", lambda report: None, created_by="alice").job_id
    live = runner_for(svc, HeldExecutor())
    kept = live.submit("test", lambda report: None, created_by="alice").job_id
    dead.shutdown()  # as if its process had gone

    clock.advance(timedelta(minutes=5))
    assert runner_for(svc).recover() == [queued]
    job = row(svc, queued)
    assert (job.status, job.error, job.finished_at) == ("failed", INTERRUPTED, clock.now())
    assert row(svc, kept).status == "queued"
    assert recover_interrupted(svc.sessions, svc.write_sessions, clock) == []  # nothing left to do
    live.shutdown()


def test_runner_liveness_by_host_and_pid(svc):
    runner = runner_for(svc)
    host, pid, _token = runner.token.split(":")
    assert runner_alive(runner.token)
    assert not runner_alive(f"{host}:{pid}:gone")  # this process, a runner it no longer has
    exited = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                            check=True)
    assert not runner_alive(f"{host}:{exited.stdout.strip()}:x")
    parent = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        assert runner_alive(f"{host}:{parent.pid}:x")
    finally:
        parent.communicate(b"")
    assert runner_alive("another-host:1:x")  # only that host can tell
    runner.shutdown()
    assert not runner_alive(runner.token)


def test_a_real_worker_thread_runs_the_job_while_the_caller_reads_its_progress(svc):
    runner = runner_for(svc)  # the app's default: one worker thread
    reported, release = threading.Event(), threading.Event()

    def work(report):
        report(1, 2, "生成 CSV")
        reported.set()
        assert release.wait(30)
        return Outcome("link", "/supervise")

    submitted = runner.submit("test", work, created_by="alice")
    try:
        assert reported.wait(30)
        job = row(svc, submitted.job_id)
        assert (job.status, job.done, job.total, job.step) == ("running", 1, 2, "生成 CSV")
    finally:
        release.set()
    assert submitted.future.result(timeout=30) == "done"
    assert (row(svc, submitted.job_id).result_kind, row(svc, submitted.job_id).result) == ("link", "/supervise")
    runner.shutdown()
