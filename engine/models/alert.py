"""Alerts a supervisor sees (R21 and operational ones such as an uncovered calendar year).

At most one open alert exists per (kind, subject) — a unique partial index says so, so two processes raising the
same alert at once make one row (engine.platform.alerts inserts with ON CONFLICT DO NOTHING); raising it again
refreshes its details.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, UTCDateTime

OPEN_STATES = ("open", "acknowledged")  # an acknowledged alert is still open: being handled, not resolved
OPEN_PREDICATE = text("status IN ('open', 'acknowledged')")  # OPEN_STATES, as the unique index's condition


class Alert(Base):
    __tablename__ = "alert"
    __table_args__ = (
        Index("ix_alert_kind_subject_status", "kind", "subject", "status"),
        Index("uq_alert_open_kind_subject", "kind", "subject", unique=True, sqlite_where=OPEN_PREDICATE,
              postgresql_where=OPEN_PREDICATE),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(255))
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), index=True)  # open | acknowledged | resolved
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by: Mapped[str | None] = mapped_column(String(120))
