"""Login throttling: at most `LIMIT` failed logins per (user name, address) within `WINDOW`; the next attempt
is refused until the oldest of them leaves the window. Kept in the database so that several web processes
and a restart count the same failures; time comes from the injected clock."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from engine.models import LoginFailure

LIMIT = 5
WINDOW = timedelta(minutes=10)


def login_blocked(session: Session, username: str, address: str, now: datetime) -> bool:
    recent = session.scalar(select(func.count()).select_from(LoginFailure).where(
        LoginFailure.username == username, LoginFailure.address == address, LoginFailure.at > now - WINDOW))
    return (recent or 0) >= LIMIT


def record_failed_login(session: Session, username: str, address: str, now: datetime) -> None:
    # Failures older than the window no longer count for anyone: dropping them keeps the table small.
    session.execute(delete(LoginFailure).where(LoginFailure.at <= now - WINDOW))
    session.add(LoginFailure(username=username[:80], address=address[:64], at=now))


def clear_failed_logins(session: Session, username: str, address: str) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.username == username, LoginFailure.address == address))
