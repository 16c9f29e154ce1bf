"""The landing page's figures (deployed processes, open steps, pending deadlines) and what the readiness check
reads: a database round trip and the schema revision Alembic recorded. Read-only.
"""

from __future__ import annotations

from sqlalchemy import column, func, inspect, select, table
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


ALEMBIC_VERSION = table("alembic_version", column("version_num"))


def schema_revisions(session: Session) -> frozenset[str]:
    """The revisions `db upgrade` last left the database at; empty before the first."""
    if not inspect(session.connection()).has_table(ALEMBIC_VERSION.name):
        return frozenset()
    return frozenset(session.scalars(select(ALEMBIC_VERSION.c.version_num)))
