"""Every refusal, override and violation a policy rule produced, so a supervisor sees them all (issue 3 item 3).

Append-only. Write it in its own transaction when the action it refuses is rolled back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, UTCDateTime

POLICY_OUTCOMES = ("refused", "overridden", "exempted", "violation", "alerted")


class PolicyDecision(Base):
    __tablename__ = "policy_decision"
    __table_args__ = (Index("ix_policy_decision_rule_at", "rule", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    rule: Mapped[str] = mapped_column(String(8))  # DOMAIN.md R-number, e.g. "R15"
    outcome: Mapped[str] = mapped_column(String(12))  # POLICY_OUTCOMES
    action: Mapped[str] = mapped_column(String(60))  # what was attempted, e.g. "plan_inspection", "issue_code"
    message: Mapped[str] = mapped_column(Text)
    figures: Mapped[dict] = mapped_column(JSON, default=dict)
    actor: Mapped[str] = mapped_column(String(120))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"), index=True)
    overridden_by: Mapped[str | None] = mapped_column(String(120))
    override_reason: Mapped[str | None] = mapped_column(Text)
