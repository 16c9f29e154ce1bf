"""API bearer tokens: issuing, authenticating and revoking.

A token is `secrets.token_urlsafe(32)`; only its SHA-256 is stored, so the plain text is shown once, at issue.
Each function flushes inside the caller's transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.models import ApiToken, User
from engine.platform.db import affected_rows

# Noting every use would make each API read a write; a minute's precision is enough to see idle tokens.
LAST_USED_PRECISION = timedelta(minutes=1)


def token_hash(plain: str) -> str:
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def issue_token(session: Session, user: User, name: str, now: datetime) -> str:
    """A new token for `user`; returns the plain text (never stored)."""
    plain = secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, name=name, token_hash=token_hash(plain), created_at=now))
    session.flush()
    return plain


def authenticate(session: Session, plain: str, now: datetime) -> User | None:
    """The user a live token belongs to (and note its use), or None for unknown or revoked tokens."""
    if not plain:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(plain),
                                                  ApiToken.revoked_at.is_(None)))
    if token is None:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
        session.flush()
    return session.get(User, token.user_id)


def revoke_token(session: Session, plain: str, now: datetime) -> bool:
    result = session.execute(update(ApiToken).where(ApiToken.token_hash == token_hash(plain),
                                                    ApiToken.revoked_at.is_(None)).values(revoked_at=now))
    return affected_rows(result) == 1
