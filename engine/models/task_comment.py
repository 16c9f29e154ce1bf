"""A comment on a task, written without completing it (issue 12 item 2): part of the case's 流转 timeline.
Assignments and delegations need no table of their own: they change `TaskRecord.assignee` and the audit trail
keeps who handed the task to whom, and why."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, UTCDateTime

COMMENT_LENGTH = 500  # characters: an opinion, not a report (reports are attachments)


class TaskComment(Base):
    __tablename__ = "task_comment"
    __table_args__ = (Index("ix_task_comment_instance_id_id", "instance_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign key to the task mirror: its rows are the engine's to rewrite; the instance is what lasts.
    task_id: Mapped[str] = mapped_column(String(36))
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    author: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(String(COMMENT_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
