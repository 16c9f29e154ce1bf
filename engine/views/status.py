"""The landing page's figures (deployed processes, open steps, pending deadlines) and the health check's
database round trip. Read-only.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import Deadline, ProcessVersion, TaskRecord


def landing_figures(session: Session) -> dict[str, int | None]:
    """{"processes": distinct deployed process keys, "open_tasks": open steps, "open_deadlines": pending deadlines}."""
    return {
        "processes": session.scalar(select(func.count(func.distinct(ProcessVersion.process_key)))),
        "open_tasks": session.scalar(select(func.count()).select_from(TaskRecord).where(TaskRecord.state == "open")),
        "open_deadlines": session.scalar(select(func.count()).select_from(Deadline)),
    }


def ping(session: Session) -> None:
    """One trivial query: raises when the database cannot be reached."""
    session.execute(select(1))
