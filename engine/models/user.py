"""People who log in: role plus the agency or jurisdiction their work is scoped to, and whether the account is
active (a deactivated account keeps its name in the audit trail but can neither log in nor use a token)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String, true
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, UTCDateTime

# staff: an agency's inspectors; agency_head: its head (approvals); county_office: the county comprehensive
# enforcement office (filings, complaints, joint merges); supervisor: the justice bureau (supervision).
ROLES = ("process_owner", "staff", "agency_head", "county_office", "supervisor", "administrator")


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(30))
    agency: Mapped[str | None] = mapped_column(String(120))
    jurisdiction: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
