"""The notification centre's reading: a user's own reminders and unread count, and their channels (issue 12
item 7). Every query is cut to one username; whose notifications those are is the caller's login. Read-only."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import Notification, NotificationChannels

PAGE_SIZE = 100


def notifications_of(session: Session, username: str, *, unread_only: bool = False,
                     limit: int = PAGE_SIZE) -> list[Notification]:
    """Newest first."""
    query = select(Notification).where(Notification.username == username)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def unread_count(session: Session, username: str) -> int:
    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.username == username, Notification.read_at.is_(None))) or 0


def channels_of(session: Session, username: str) -> NotificationChannels | None:
    return session.get(NotificationChannels, username)
