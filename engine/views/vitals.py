"""The figures an operator watches (web.metrics serves them at /metrics): how far the deadline sweep lags, open
and overdue steps by agency, background jobs waiting or running.

Read-only, four aggregate statements per call, each bounded by an index: the sweep lag reads the first row of
`deadline.due_at`'s index; the step counts scan only the open rows (the task index leads with `state`), never
a workflow; the job counts go through `background_job.status`'s index. "Overdue" is the inbox's own rule
(engine.views.inbox.open_tasks with overdue=True): open, and due before now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import BackgroundJob, Deadline, TaskRecord

WAITING_JOB_STATUSES = ("queued", "running")  # the queue's depth; finished jobs are history, not load
NO_AGENCY = "none"  # the label of steps no agency owns


@dataclass(frozen=True)
class Vitals:
    sweep_lag_s: float  # now − the oldest due moment no sweep has fired yet (failed timers aside); 0 when none
    open_by_agency: dict[str, int]
    overdue_by_agency: dict[str, int]
    jobs_by_status: dict[str, int]


def vitals(session: Session, now: datetime) -> Vitals:
    oldest_due = session.scalar(
        select(func.min(Deadline.due_at)).where(Deadline.due_at <= now, Deadline.failed_at.is_(None)))
    open_steps = select(TaskRecord.agency, func.count()).where(TaskRecord.state == "open").group_by(TaskRecord.agency)
    overdue_steps = open_steps.where(TaskRecord.due_at < now)
    jobs = dict.fromkeys(WAITING_JOB_STATUSES, 0)
    jobs.update(session.execute(select(BackgroundJob.status, func.count())
                                .where(BackgroundJob.status.in_(WAITING_JOB_STATUSES))
                                .group_by(BackgroundJob.status)).all())
    return Vitals(sweep_lag_s=(now - oldest_due).total_seconds() if oldest_due is not None else 0.0,
                  open_by_agency=_by_agency(session, open_steps), overdue_by_agency=_by_agency(session, overdue_steps),
                  jobs_by_status=jobs)


def _by_agency(session: Session, query) -> dict[str, int]:
    return {agency or NO_AGENCY: count for agency, count in session.execute(query).all()}
