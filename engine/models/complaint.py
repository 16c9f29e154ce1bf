"""The enterprise side: complaints (投诉举报, R22, R23, R26) and ratings of an inspection (扫码评价, R24).

A complaint's tracking number is unguessable: the complainant uses it alone to follow the case.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models.base import Base, UTCDateTime
from engine.models.behavior_code import BehaviorCode
from engine.models.enterprise import Enterprise
from engine.models.inspection import Inspection

COMPLAINT_STATUSES = ("received", "accepted", "not_accepted", "investigating", "correcting", "replied", "closed",
                      "reopened")


class Complaint(Base):
    __tablename__ = "complaint"
    __table_args__ = (
        CheckConstraint("complainant_rating IS NULL OR complainant_rating BETWEEN 1 AND 5", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_number: Mapped[str] = mapped_column(String(40), unique=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    behavior_code_id: Mapped[int | None] = mapped_column(ForeignKey("behavior_code.id"), index=True)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"), index=True)
    code_text: Mapped[str | None] = mapped_column(String(60))  # what the complainant typed, matched or not
    kind: Mapped[str] = mapped_column(String(20))  # vocabulary.COMPLAINT_KINDS
    content: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(14), default="received")  # COMPLAINT_STATUSES
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accept_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reply_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    substantiated: Mapped[bool | None] = mapped_column(Boolean)
    outcomes: Mapped[list] = mapped_column(JSON, default=list)  # vocabulary.COMPLAINT_OUTCOMES (R26)
    reply: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    complainant_rating: Mapped[int | None] = mapped_column(Integer)  # 1–5
    complainant_comment: Mapped[str | None] = mapped_column(Text)
    # At most one per instance: the task rows of an instance carry its enterprise (engine.runtime.placement).
    process_instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True,
                                                            unique=True)
    # The county it is handled in: the complained-of agency's, else the enterprise's, else the one the portal
    # serves (an anonymous report). Set when its procedure starts (engine.domain.complaint_process).
    jurisdiction_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdiction.id"), index=True)
    # The digest of the complainant's 校验码 (engine.models.check_code), shown to them once when filing: with
    # the tracking number it lets them rate the reply on the portal.
    check_digest: Mapped[str | None] = mapped_column(String(64))

    enterprise: Mapped[Enterprise | None] = relationship()
    behavior_code: Mapped[BehaviorCode | None] = relationship()
    inspection: Mapped[Inspection | None] = relationship()


class InspectionRating(Base):
    """The enterprise's rating of an inspection (R24), with any R23 prohibitions it reports as breached."""

    __tablename__ = "inspection_rating"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    behavior_code_id: Mapped[int | None] = mapped_column(ForeignKey("behavior_code.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    reported_breaches: Mapped[list] = mapped_column(JSON, default=list)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())

    inspection: Mapped[Inspection] = relationship()
    enterprise: Mapped[Enterprise] = relationship()
