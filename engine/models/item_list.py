"""Published inspection item lists (检查事项清单) per agency, each item with its legal basis and standard (R2).

A list is versioned: publishing a new version keeps the old one (inspections refer to the items they used).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models.base import Base
from engine.models.organisation import Agency


class InspectionItemList(Base):
    __tablename__ = "inspection_item_list"
    __table_args__ = (UniqueConstraint("agency_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(255))
    published_on: Mapped[date | None] = mapped_column(Date)  # None = draft, not yet inspectable (R2)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)

    agency: Mapped[Agency] = relationship()
    items: Mapped[list[InspectionItem]] = relationship(back_populates="item_list", order_by="InspectionItem.code")


class InspectionItem(Base):
    """One 检查事项 with its legal basis (检查依据) and published standard (检查标准)."""

    __tablename__ = "inspection_item"
    __table_args__ = (UniqueConstraint("item_list_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_list_id: Mapped[int] = mapped_column(ForeignKey("inspection_item_list.id"))
    code: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(255))
    legal_basis: Mapped[str] = mapped_column(Text)
    standard: Mapped[str] = mapped_column(Text)

    item_list: Mapped[InspectionItemList] = relationship(back_populates="items")
