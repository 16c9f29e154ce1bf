"""Who inspects: jurisdictions (with their policy), agencies (执法主体) and inspectors (执法人员), R1."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from engine.models.base import Base
from engine.models.vocabulary import INSPECTOR_KINDS, INSPECTOR_STATUSES


class Jurisdiction(Base):
    """A county or city (行政区划) whose policy document governs the inspections in it (engine.domain.policy)."""

    __tablename__ = "jurisdiction"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)  # administrative division code, e.g. 331125
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(10))  # county | city
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdiction.id"), index=True)
    policy: Mapped[dict] = mapped_column(JSON, default=dict)  # engine.domain.policy.to_json; {} = defaults

    parent: Mapped[Jurisdiction | None] = relationship(remote_side=[id])
    agencies: Mapped[list[Agency]] = relationship(back_populates="jurisdiction")


class Agency(Base):
    """An enforcement body (行政执法主体). Only a confirmed one may inspect (R1); R4 caps its special inspections."""

    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdiction.id"), index=True)
    confirmed_enforcement_body: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed_on: Mapped[date | None] = mapped_column(Date)
    confirmation_basis: Mapped[str | None] = mapped_column(Text)  # the published confirmation (文号)
    special_inspection_quota: Mapped[int | None] = mapped_column(Integer)  # per year (R4); None = none allowed

    jurisdiction: Mapped[Jurisdiction] = relationship(back_populates="agencies")
    inspectors: Mapped[list[Inspector]] = relationship(back_populates="agency")


class Inspector(Base):
    """A person who may appear on an inspection. Only kind enforcement_officer with a valid, active 执法证 qualifies
    (R1); auxiliaries, grid workers, temps, third parties and intermediaries are recorded so they can be refused."""

    __tablename__ = "inspector"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30), default="enforcement_officer")  # vocabulary.INSPECTOR_KINDS
    certificate_number: Mapped[str | None] = mapped_column(String(40), unique=True)  # 执法证号
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active")  # active | suspended | revoked
    status_reason: Mapped[str | None] = mapped_column(Text)  # e.g. failed the annual examination

    agency: Mapped[Agency] = relationship(back_populates="inspectors")

    @validates("kind", "status")
    def _known(self, key: str, value: str) -> str:
        known = tuple(INSPECTOR_KINDS) if key == "kind" else INSPECTOR_STATUSES
        if value not in known:
            raise ValueError(f"inspector {key}: {value!r} is not one of {known}")
        return value
