"""Enterprises (市场主体) and their yearly credit class (R17 精准画像)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from engine.models.base import Base, UTCDateTime
from engine.models.credit_code import normalize as normalize_credit_code
from engine.models.organisation import Jurisdiction
from engine.models.vocabulary import CREDIT_CLASSES


class Enterprise(Base):
    """An inspected enterprise, keyed by its 统一社会信用代码 (validated by engine.models.credit_code)."""

    __tablename__ = "enterprise"

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdiction.id"), index=True)
    # vocabulary.SECTOR_TAGS and free industry tags; R14 exemptions read public_safety / life_health / state_owned.
    sector_tags: Mapped[list] = mapped_column(JSON, default=list)
    legal_representative: Mapped[str | None] = mapped_column(String(120))
    address: Mapped[str | None] = mapped_column(String(255))

    jurisdiction: Mapped[Jurisdiction] = relationship()
    credit_classes: Mapped[list[EnterpriseCreditClass]] = relationship(
        back_populates="enterprise", order_by="EnterpriseCreditClass.year"
    )

    @validates("credit_code")
    def _valid_credit_code(self, _key: str, value: str) -> str:
        return normalize_credit_code(value)  # InvalidCreditCode names the wrong position


class EnterpriseCreditClass(Base):
    """The enterprise's A/B/C/D class for one year (R17), from the yearly portrait."""

    __tablename__ = "enterprise_credit_class"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "year"),
        CheckConstraint("credit_class IN ('A', 'B', 'C', 'D')", name="credit_class"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"))
    year: Mapped[int] = mapped_column(Integer)
    credit_class: Mapped[str] = mapped_column(String(1))
    source: Mapped[str] = mapped_column(String(255))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    enterprise: Mapped[Enterprise] = relationship(back_populates="credit_classes")

    @validates("credit_class")
    def _known_class(self, _key: str, value: str) -> str:
        if value not in CREDIT_CLASSES:
            raise ValueError(f"credit_class: {value!r} is not one of {CREDIT_CLASSES} (R17)")
        return value
