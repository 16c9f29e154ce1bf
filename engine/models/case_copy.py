"""抄送: a case copied, when one of its steps completed, to a group that must know but not act (issue 12 item 4),
and each reader's mark of having opened it.

A `CaseCopy` row is written per group the step's diagram names (engine.bpmn.copies), in the completing transaction
(engine.runtime.copies), with where it reaches: the instance's agency (for an agency's groups) and jurisdiction
(for the jurisdiction-wide ones); engine.identity.access decides who of a group receives it. A `CaseCopyRead` is
one user's last opening of one copied case: copies made after it are unread again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, UTCDateTime


class CaseCopy(Base):
    __tablename__ = "case_copy"
    __table_args__ = (Index("ix_case_copy_candidate_group_copied_at", "candidate_group", "copied_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    # The step that sent it; no foreign key to the task mirror (its rows are the engine's to rewrite).
    task_id: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(255))
    step_name: Mapped[str] = mapped_column(String(255))
    candidate_group: Mapped[str] = mapped_column(String(255))
    agency: Mapped[str | None] = mapped_column(String(120))  # the instance's agency code
    jurisdiction_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdiction.id"))
    copied_by: Mapped[str] = mapped_column(String(120))
    copied_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseCopyRead(Base):
    __tablename__ = "case_copy_read"

    username: Mapped[str] = mapped_column(String(80), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime())
