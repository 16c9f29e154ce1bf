"""Penalties (行政处罚) decided after an inspection and the post-penalty revisit loop (罚后回访, R25):
发现 (findings) → 交办 (assignment) → 整改 (rectification) → 评价 (evaluation), one row per round until one passes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models.base import Base, UTCDateTime
from engine.models.inspection import Inspection


class Penalty(Base):
    __tablename__ = "penalty"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    decision_number: Mapped[str] = mapped_column(String(80), unique=True)  # 处罚决定书文号
    decided_on: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text)
    fine_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    revisit_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # policy deadlines.revisit WD
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | closed (a revisit passed)
    process_instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)

    inspection: Mapped[Inspection] = relationship()
    revisits: Mapped[list[Revisit]] = relationship(back_populates="penalty", order_by="Revisit.round")


class Revisit(Base):
    """One round of the revisit loop. result pending | passed | failed; a failed round opens the next one."""

    __tablename__ = "revisit"
    __table_args__ = (UniqueConstraint("penalty_id", "round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    penalty_id: Mapped[int] = mapped_column(ForeignKey("penalty.id"))
    round: Mapped[int] = mapped_column(Integer)
    visited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    findings: Mapped[str | None] = mapped_column(Text)
    assigned_to: Mapped[str | None] = mapped_column(String(120))
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rectification: Mapped[str | None] = mapped_column(Text)
    rectified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    evaluation: Mapped[str | None] = mapped_column(Text)
    evaluated_by: Mapped[str | None] = mapped_column(String(120))
    evaluated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    result: Mapped[str] = mapped_column(String(10), default="pending")

    penalty: Mapped[Penalty] = relationship(back_populates="revisits")
