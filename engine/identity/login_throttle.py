"""Login throttling, two limits over the failed logins of the last `WINDOW`:

- `NAME_LIMIT` failures for one user name from one address lock that pair (guessing one account's password);
- `ADDRESS_LIMIT` failures from one address, whatever the names, lock the address (password spraying: one
  common password tried against many names).
The next attempt is refused until enough of them leave the window. Kept in the database so that several web
processes and a restart count the same failures; time comes from the injected clock. A refused attempt is not
counted (it verified nothing), and a success clears only its own name's failures, so logging in to one's own
account does not reset the address's count.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from engine.models import LoginFailure

NAME_LIMIT = 5
ADDRESS_LIMIT = 20  # four accounts' worth of the name limit: an office behind one address does not reach it
WINDOW = timedelta(minutes=10)


def login_blocked(session: Session, username: str, address: str, now: datetime) -> str | None:
    """Why a login from `address` for `username` is refused now: "address" or "name"; None when it is not."""
    since = now - WINDOW
    from_address = session.scalar(select(func.count()).select_from(LoginFailure).where(
        LoginFailure.address == address, LoginFailure.at > since)) or 0
    if from_address >= ADDRESS_LIMIT:
        return "address"
    for_name = session.scalar(select(func.count()).select_from(LoginFailure).where(
        LoginFailure.username == username, LoginFailure.address == address, LoginFailure.at > since)) or 0
    return "name" if for_name >= NAME_LIMIT else None


def record_failed_login(session: Session, username: str, address: str, now: datetime) -> None:
    # Failures older than the window no longer count for anyone: dropping them keeps the table small.
    session.execute(delete(LoginFailure).where(LoginFailure.at <= now - WINDOW))
    session.add(LoginFailure(username=username[:80], address=address[:64], at=now))


def clear_failed_logins(session: Session, username: str, address: str) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.username == username, LoginFailure.address == address))
