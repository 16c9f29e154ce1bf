"""The portal's recent writes (complaints filed, inspections rated) per address, kept for the portal throttle's
window (engine.identity.portal_throttle) so that every web process and a restart see the same count."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, UTCDateTime


class PortalWrite(Base):
    __tablename__ = "portal_write"
    __table_args__ = (Index("ix_portal_write_address_at", "address", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(64))  # the client's IP address as the web server saw it
    act: Mapped[str] = mapped_column(String(20))  # complaint | rating
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
