"""Inspection plans (检查计划): the annual plan (R3) and special inspections (专项检查, R4) with their approval."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models.base import Base, UTCDateTime
from engine.models.organisation import Agency

PLAN_KINDS = ("annual", "special")
PLAN_STATUSES = ("draft", "approved", "published", "filed")


class InspectionPlan(Base):
    """A plan of one agency for one year. Special plans need legal review, collective discussion and approval by
    the county government or the vertical superior before publication (R4); annual plans are published and filed
    with the 司法行政 office (R3)."""

    __tablename__ = "inspection_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # annual | special
    title: Mapped[str] = mapped_column(String(255))
    content: Mapped[str | None] = mapped_column(Text)  # objects, items, method, time
    status: Mapped[str] = mapped_column(String(12), default="draft")  # PLAN_STATUSES
    legal_review_by: Mapped[str | None] = mapped_column(String(120))  # 法制审核
    legal_review_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    collective_discussion_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # 集体讨论
    collective_discussion_record: Mapped[str | None] = mapped_column(Text)
    approving_body: Mapped[str | None] = mapped_column(String(200))  # county government or vertical superior
    approved_by: Mapped[str | None] = mapped_column(String(120))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    filed_with: Mapped[str | None] = mapped_column(String(200))

    agency: Mapped[Agency] = relationship()
