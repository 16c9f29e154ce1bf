"""Background jobs (后台任务): long actions such as loading the demo or exporting statistics, run off the
request by engine.background.jobs, with the progress a page shows while they run and the outcome when they end."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, UTCDateTime

JOB_STATUSES = ("queued", "running", "done", "failed")


class BackgroundJob(Base):
    __tablename__ = "background_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # e.g. statistics_csv, load_demo
    params: Mapped[dict] = mapped_column(JSON, default=dict)  # what was asked (year, jurisdiction, ...)
    status: Mapped[str] = mapped_column(String(16), index=True)  # one of JOB_STATUSES
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[str] = mapped_column(String(255), default="")  # what it is doing now, or its summary at the end
    result_kind: Mapped[str | None] = mapped_column(String(16))  # file | link
    result: Mapped[str | None] = mapped_column(Text)  # the file's content, or the link's target
    result_name: Mapped[str | None] = mapped_column(String(200))  # the file's download name
    error: Mapped[str | None] = mapped_column(Text)  # a message for the user, never a stack trace
    created_by: Mapped[str] = mapped_column(String(80), index=True)  # the username who asked
    # The worker that claimed it (host:pid:token) and how long its claim holds: the worker's heartbeat moves
    # lease_until on while it runs; a running job whose lease ran out lost its worker and is claimed again.
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # claims so far
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
