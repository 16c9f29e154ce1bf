"""Deployed diagrams, their process versions, running instances, and the rows mirrored from them.

`ProcessInstance.serialized` holds the SpiffWorkflow state without the process specs: specs are stored
once per deployed version (`Diagram.xml`) and referenced through `process_version_id` / `spec_refs`.
`lock_version` is the optimistic lock every state change checks and bumps.
`TaskRecord` (the task mirror) and `Deadline` are rewritten in the same transaction as the instance.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, UTCDateTime


class Diagram(Base):
    """One uploaded BPMN file, exactly as deployed."""

    __tablename__ = "diagram"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_name: Mapped[str] = mapped_column(String(255))
    xml: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    deployed_by: Mapped[str] = mapped_column(String(120))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProcessVersion(Base):
    """A numbered version of one executable process (BPMN process id = `process_key`)."""

    __tablename__ = "process_version"
    __table_args__ = (UniqueConstraint("process_key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(255))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255))
    diagram_id: Mapped[int] = mapped_column(ForeignKey("diagram.id"), index=True)
    # Call activities in this process name other processes; resolved at start time (see spec_refs).
    called_process_keys: Mapped[list] = mapped_column(JSON, default=list)
    deployed_by: Mapped[str] = mapped_column(String(120))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProcessInstance(Base):
    __tablename__ = "process_instance"
    # 我发起 (engine.views.inbox.started_by): one user's cases, newest first, read off the index.
    __table_args__ = (Index("ix_process_instance_started_by", "started_by", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(255), index=True)
    business_key: Mapped[str | None] = mapped_column(String(255), index=True)
    # running | completed | error | cancelled
    status: Mapped[str] = mapped_column(String(20), index=True)
    serialized: Mapped[str] = mapped_column(Text)
    # {process_key: process_version_id} for every spec the instance runs, call-activity targets included.
    spec_refs: Mapped[dict] = mapped_column(JSON)
    # Where the instance is placed for supervisors and the county office when no agency of its tasks places it
    # (an anonymous complaint: the county the portal serves). Set once at start (engine.commands.tasks).
    jurisdiction_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdiction.id"), index=True)
    lock_version: Mapped[int] = mapped_column(Integer)
    started_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)


OPEN = text("state = 'open'")
COMPLETED = text("state = 'completed'")


class TaskRecord(Base):
    """The task mirror: one row per user task that is or was open. Inboxes query this, never workflows."""

    __tablename__ = "task"
    __table_args__ = (
        # The open tasks alone (a tenth of the table or fewer), in the lists' order (engine.views.inbox.open_tasks):
        # an agency's, and all of them by due moment for a jurisdiction's, walked until the LIMIT is met (and the
        # overdue scan's way in, engine.domain.inspection_alerts.scan_overdue).
        Index("ix_task_open_agency", "agency", "due_at", "created_at", "id", postgresql_where=OPEN,
              sqlite_where=OPEN),
        Index("ix_task_open_due", "due_at", "created_at", "id", postgresql_where=OPEN, sqlite_where=OPEN),
        # An instance's open steps: the joint inspections' arm of an agency's list (engine.identity.access), and
        # the case views, without the instance's done steps.
        Index("ix_task_open_instance", "instance_id", postgresql_where=OPEN, sqlite_where=OPEN),
        # 已办: one user's completed steps, latest first (engine.views.inbox.done_by).
        Index("ix_task_done_by", "completed_by", "completed_at", "id", postgresql_where=COMPLETED,
              sqlite_where=COMPLETED),
        # Keyed by the task's UUID: on SQLite the table is its own primary-key index (one B-tree less to write
        # on every step).
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # SpiffWorkflow task UUID
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(255))
    element_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    lane: Mapped[str | None] = mapped_column(String(255))
    candidate_group: Mapped[str | None] = mapped_column(String(255))
    agency: Mapped[str | None] = mapped_column(String(120))
    assignee: Mapped[str | None] = mapped_column(String(120))
    business_key: Mapped[str | None] = mapped_column(String(255))
    # open | completed | cancelled
    state: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_by: Mapped[str | None] = mapped_column(String(120))
    # Where a task without a known agency is placed (engine.identity.access), copied onto the row so that a
    # jurisdiction's lists need no probe per row (issue 13): the instance's jurisdiction, and the enterprises of
    # the inspection and of the complaint whose instance it is. Written with the row and kept in step with those
    # links by engine.runtime.placement; plain integers, not foreign keys (copies, checked where they are written).
    # Deferred: only SQL conditions read them, so the lists never fetch them (500 rows of the overdue view).
    instance_jurisdiction_id: Mapped[int | None] = mapped_column(Integer, deferred=True)
    inspection_enterprise_id: Mapped[int | None] = mapped_column(Integer, deferred=True)
    complaint_enterprise_id: Mapped[int | None] = mapped_column(Integer, deferred=True)


class Deadline(Base):
    """A waiting timer's due moment. The sweep selects these by due_at; a fired row is deleted.

    `attempts` counts sweeps that began firing the row without finishing (committed before firing, reset
    when the instance's firing commits): a row whose firing killed the process is not retried forever.
    """

    __tablename__ = "deadline"
    __table_args__ = (Index("ix_deadline_due_at", "due_at"), {"sqlite_with_rowid": False})

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the timer task's UUID
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    element_id: Mapped[str] = mapped_column(String(255))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Computed across a year the calendar only estimates; recomputed when that year is imported.
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
