"""Failed logins, kept for the throttle's window (engine.identity.login_throttle) so that every web process and a
restart see the same count."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, UTCDateTime


class LoginFailure(Base):
    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_username_address_at", "username", "address", "at"),
                      Index("ix_login_failure_address_at", "address", "at"))  # the per-address limit

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(64))  # the client's IP address as the web server saw it
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
