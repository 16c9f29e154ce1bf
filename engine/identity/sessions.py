"""Page logins held on the server (issue 10, defect 7): a login opens a `LoginSession` row and hands out a random
token (`secrets.token_urlsafe(32)`) for the signed session cookie; only its SHA-256 is stored. Every request
resolves the token to its user in one query, so a session ends for good the moment its row does — at logout, when
the user is deactivated, or at its expiry — and a copied or replayed cookie is worthless from then on.
Each function flushes inside the caller's transaction.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from engine.identity.api_tokens import token_hash as _hash
from engine.models import LoginSession, User
from engine.platform.db import affected_rows


def open_session(session: Session, user: User, now: datetime, lifetime: timedelta) -> str:
    """A new login for `user`, valid for `lifetime`; returns the token for the cookie (never stored)."""
    # Sessions long over are of no use to anyone: dropping them here keeps the table as small as the logins.
    session.execute(delete(LoginSession).where(LoginSession.expires_at <= now))
    plain = secrets.token_urlsafe(32)
    session.add(LoginSession(user_id=user.id, token_hash=_hash(plain), created_at=now, expires_at=now + lifetime))
    session.flush()
    return plain


def session_user(session: Session, plain: str | None, now: datetime) -> User | None:
    """The active user whose live session `plain` is, else None."""
    if not plain:
        return None
    return session.scalar(select(User).join(LoginSession, LoginSession.user_id == User.id).where(
        LoginSession.token_hash == _hash(plain), LoginSession.ended_at.is_(None), LoginSession.expires_at > now,
        User.active.is_(True)))


def session_owner(session: Session, plain: str) -> int | None:
    """The user id of the session `plain`, ended or not (None for a token no login handed out)."""
    return session.scalar(select(LoginSession.user_id).where(LoginSession.token_hash == _hash(plain)))


def end_session(session: Session, plain: str, now: datetime) -> bool:
    result = session.execute(update(LoginSession).where(
        LoginSession.token_hash == _hash(plain), LoginSession.ended_at.is_(None)).values(ended_at=now))
    return affected_rows(result) == 1


def end_all_sessions(session: Session, user_id: int, now: datetime) -> int:
    """End every live session of the user; returns how many were live."""
    result = session.execute(update(LoginSession).where(
        LoginSession.user_id == user_id, LoginSession.ended_at.is_(None), LoginSession.expires_at > now)
        .values(ended_at=now))
    return affected_rows(result)
