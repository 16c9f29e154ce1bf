"""Advance notices (预告, R8) and quiet-period overrides with their filing (企业安静期, R10–R12)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models.base import Base, UTCDateTime
from engine.models.inspection import Inspection, JointInspectionGroup


class Notice(Base):
    """The advance notice of one inspection or joint group: items, time and inspectors, given at least n WD before
    (R8) — or the recorded exemption reason (vocabulary.NOTICE_EXEMPTIONS) when none was given."""

    __tablename__ = "notice"
    __table_args__ = (
        CheckConstraint("(inspection_id IS NULL) != (joint_group_id IS NULL)", name="covers_one"),
        CheckConstraint("given_on IS NOT NULL OR exemption_reason IS NOT NULL", name="given_or_exempt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"), index=True)
    joint_group_id: Mapped[int | None] = mapped_column(ForeignKey("joint_inspection_group.id"), index=True)
    given_on: Mapped[date | None] = mapped_column(Date)
    content: Mapped[dict] = mapped_column(JSON, default=dict)  # {"items": [...], "time": ..., "inspectors": [...]}
    method: Mapped[str | None] = mapped_column(String(20))  # vocabulary.NOTICE_METHODS
    exemption_reason: Mapped[str | None] = mapped_column(String(40))
    exemption_note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    inspection: Mapped[Inspection | None] = relationship()
    joint_group: Mapped[JointInspectionGroup | None] = relationship()


class QuietPeriodOverride(Base):
    """A genuinely necessary (确需) inspection inside the enterprise's quiet period that is none of R12's special
    cases: the principal head's approval with a stated reason (`reason_note`), and filing with the county office
    (县综合执法办) within 3 WD (R11); filing_due_at is computed by the calendar. R12 cases need no override."""

    __tablename__ = "quiet_period_override"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    # The ground: "necessary" (engine.domain.stages.OVERRIDE_GROUND); rows from before the R12 fix hold an R12 code.
    exemption_reason: Mapped[str] = mapped_column(String(40))
    reason_note: Mapped[str | None] = mapped_column(Text)
    approved_by: Mapped[str] = mapped_column(String(120))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime())
    filing_due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    filed_with: Mapped[str | None] = mapped_column(String(200))
    filing_reference: Mapped[str | None] = mapped_column(String(120))

    inspection: Mapped[Inspection] = relationship()
