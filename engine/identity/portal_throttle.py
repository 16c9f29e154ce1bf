"""Throttling the public portal's writes: at most `LIMIT` complaints and ratings together per address within
`WINDOW`; the next one is refused until the oldest of them leaves the window. Each write starts a procedure
(and a 无码入企 report raises an alert for the supervisors), so an anonymous flood must stop early. Kept in the
database so that several web processes and a restart count the same writes; time comes from the injected
clock. The count is read and the write recorded in the transaction that files the complaint or the rating
(engine.commands.portal): a refused or failed filing does not count.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from engine.models import PortalWrite

# An enterprise rates an inspection once and files a complaint now and then; several people behind one office
# address (a shared NAT) still fit in ten an hour, a script filing a complaint a second does not.
LIMIT = 10
WINDOW = timedelta(hours=1)


class PortalThrottled(Exception):
    """Too many writes from this address: refused until `retry_at`."""

    def __init__(self, address: str, retry_at: datetime):
        super().__init__(f"too many complaints and ratings from this address; try again after {retry_at.isoformat()}")
        self.address, self.retry_at = address, retry_at


def check_portal_write(session: Session, address: str, now: datetime) -> None:
    """Raise `PortalThrottled` when `address` has used up its writes for the window."""
    recent = session.scalars(select(PortalWrite.at).where(
        PortalWrite.address == address, PortalWrite.at > now - WINDOW).order_by(PortalWrite.at.desc()).limit(LIMIT))
    moments = list(recent)
    if len(moments) >= LIMIT:
        raise PortalThrottled(address, moments[-1] + WINDOW)


def record_portal_write(session: Session, address: str, act: str, now: datetime) -> None:
    # Writes older than the window no longer count for anyone: dropping them keeps the table small.
    session.execute(delete(PortalWrite).where(PortalWrite.at <= now - WINDOW))
    session.add(PortalWrite(address=address[:64], act=act, at=now))


def portal_writes(session: Session, address: str, now: datetime) -> int:
    """How many writes of `address` count now (for the tests and an operator's look)."""
    return session.scalar(select(func.count()).select_from(PortalWrite).where(
        PortalWrite.address == address, PortalWrite.at > now - WINDOW)) or 0
