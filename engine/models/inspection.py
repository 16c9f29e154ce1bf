"""Inspections (行政检查) and joint inspection groups (综合查一次, R18).

An inspection is one agency's visit (or non-onsite check) of one enterprise against listed items (R2) by named
inspectors (R1), accompanied by the assistants (辅助人员) named in advance, who may assist but never inspect.
Inspections merged into a joint group share one behaviour code, one notice and one visit.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Column, Date, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from engine.models.base import Base, UTCDateTime
from engine.models.enterprise import Enterprise
from engine.models.item_list import InspectionItem
from engine.models.organisation import Agency, Inspector, Jurisdiction
from engine.models.plan import InspectionPlan
from engine.models.vocabulary import INSPECTION_MODES, INSPECTION_TRIGGERS, TRIGGER_KINDS, URGENT_REASONS

# The record follows its lifecycle (engine.domain.inspection_records): planned → approved → noticed → in_progress
# → completed → closed; `refused` while a plan the check or the head refused waits to be planned again, `withdrawn`
# when it will not go ahead.
INSPECTION_STATUSES = ("planned", "approved", "refused", "noticed", "in_progress", "completed", "closed",
                       "withdrawn", "cancelled")
# A visit that is not going ahead: it counts against no R15/R17 cap, sets off no R21 alert and is in no statistic.
NOT_GOING_AHEAD = ("refused", "withdrawn", "cancelled")

inspection_item = Table(
    "inspection_item_link",
    Base.metadata,
    Column("inspection_id", ForeignKey("inspection.id"), primary_key=True),
    Column("item_id", ForeignKey("inspection_item.id"), primary_key=True, index=True),
)

inspection_inspector = Table(
    "inspection_inspector",
    Base.metadata,
    Column("inspection_id", ForeignKey("inspection.id"), primary_key=True),
    Column("inspector_id", ForeignKey("inspector.id"), primary_key=True, index=True),
)

# The agency's people without a 执法证 (auxiliaries, grid workers… vocabulary.INSPECTOR_KINDS) named in advance to
# accompany the inspectors (司法部 2025 document set); they are not inspectors, so R1 does not refuse them.
inspection_assistant = Table(
    "inspection_assistant",
    Base.metadata,
    Column("inspection_id", ForeignKey("inspection.id"), primary_key=True),
    Column("inspector_id", ForeignKey("inspector.id"), primary_key=True, index=True),
)


class JointInspectionGroup(Base):
    """综合查一次: several agencies' inspections of one enterprise merged by the county coordinator into one visit."""

    __tablename__ = "joint_inspection_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdiction.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    lead_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))  # 牵头单位
    coordinator: Mapped[str] = mapped_column(String(120))  # the county office user who merged them
    status: Mapped[str] = mapped_column(String(12), default="proposed")  # proposed | merged | cancelled
    planned_start: Mapped[date | None] = mapped_column(Date)
    planned_end: Mapped[date | None] = mapped_column(Date)
    actual_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    actual_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    merged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    jurisdiction: Mapped[Jurisdiction] = relationship()
    enterprise: Mapped[Enterprise] = relationship()
    lead_agency: Mapped[Agency | None] = relationship()
    inspections: Mapped[list[Inspection]] = relationship(back_populates="joint_group", order_by="Inspection.id")


class Inspection(Base):
    """One inspection. `trigger` routine counts against the R15/R17 cap; triggered ones (R16) name their reason."""

    __tablename__ = "inspection"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_plan.id"), index=True)
    trigger: Mapped[str] = mapped_column(String(10), default="routine")  # routine | triggered
    trigger_reason: Mapped[str | None] = mapped_column(String(30))  # vocabulary.TRIGGER_KINDS when triggered
    mode: Mapped[str] = mapped_column(String(12), default="onsite")  # onsite | non_onsite
    joint_group_id: Mapped[int | None] = mapped_column(ForeignKey("joint_inspection_group.id"), index=True)
    planned_start: Mapped[date | None] = mapped_column(Date)
    planned_end: Mapped[date | None] = mapped_column(Date)
    actual_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    actual_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(12), default="planned")  # INSPECTION_STATUSES
    # R6: the head of the unit's approval of the inspection plan, before any code is issued.
    approved_by: Mapped[str | None] = mapped_column(String(120))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # R7: an urgent inspection done before approval; approval and code must follow within 1 WD.
    retroactive: Mapped[bool] = mapped_column(Boolean, default=False)
    urgent_reason: Mapped[str | None] = mapped_column(String(30))  # vocabulary.URGENT_REASONS
    # R22: whether the visit was recorded on audio/video from start to end (全程音像记录), as the on-site step and
    # the record (现场检查笔录) state it; None until a step has said.
    audio_video: Mapped[bool | None] = mapped_column(Boolean)
    purpose: Mapped[str | None] = mapped_column(Text)
    # At most one per instance: the task rows of an instance carry its enterprise (engine.runtime.placement).
    process_instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True,
                                                            unique=True)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    agency: Mapped[Agency] = relationship()
    enterprise: Mapped[Enterprise] = relationship()
    plan: Mapped[InspectionPlan | None] = relationship()
    joint_group: Mapped[JointInspectionGroup | None] = relationship(back_populates="inspections")
    items: Mapped[list[InspectionItem]] = relationship(secondary=inspection_item, order_by=InspectionItem.code)
    inspectors: Mapped[list[Inspector]] = relationship(secondary=inspection_inspector, order_by=Inspector.id)
    assistants: Mapped[list[Inspector]] = relationship(secondary=inspection_assistant, order_by=Inspector.id)

    @validates("trigger", "trigger_reason", "mode", "urgent_reason")
    def _known(self, key: str, value: str | None) -> str | None:
        known = {"trigger": INSPECTION_TRIGGERS, "trigger_reason": tuple(TRIGGER_KINDS), "mode": INSPECTION_MODES,
                 "urgent_reason": tuple(URGENT_REASONS)}[key]
        if value is None and key in ("trigger_reason", "urgent_reason"):
            return value
        if value not in known:
            raise ValueError(f"inspection {key}: {value!r} is not one of {known}")
        return value
