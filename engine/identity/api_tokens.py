"""API bearer tokens: issuing, authenticating, listing and revoking.

A token is `secrets.token_urlsafe(32)`; only its SHA-256 is stored, so the plain text is shown once, at issue.
It works until it expires (`lifetime` at issue, `DEFAULT_LIFETIME` unless the deployment sets another), is
revoked, or its user is deactivated. Each function flushes inside the caller's transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from engine.models import ApiToken, User
from engine.platform.db import affected_rows

DEFAULT_LIFETIME = timedelta(days=90)
# Noting every use would make each API read a write; a minute's precision is enough to see idle tokens.
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    id: int
    plain: str  # shown once, never stored
    expires_at: datetime


def token_hash(plain: str) -> str:
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def issue_token(session: Session, user: User, name: str, now: datetime,
                lifetime: timedelta = DEFAULT_LIFETIME) -> IssuedToken:
    """A new token for `user`, valid for `lifetime` from `now`."""
    if lifetime <= timedelta(0):
        raise ValueError("a token's lifetime must be positive")
    plain = secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=token_hash(plain), created_at=now,
                     expires_at=now + lifetime)
    session.add(token)
    session.flush()
    return IssuedToken(token.id, plain, token.expires_at)


# Built once: every API request runs it first, and building it costs more than running it (issue 13 item 5).
_LIVE_TOKEN = select(ApiToken, User).join(User, User.id == ApiToken.user_id).where(
    ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None),
    ApiToken.expires_at > bindparam("now"), User.active.is_(True))


@dataclass(frozen=True)
class TokenUse:
    """A live token's use: its user, and whether the use was due to be noted and was (see `use_token`)."""

    user: User
    token_id: int
    use_due: bool  # the last use noted is a minute old or more, or there is none
    noted: bool  # this use was noted in the caller's transaction


def authenticate(session: Session, plain: str, now: datetime) -> User | None:
    """The active user a live token belongs to (and note its use); None for unknown, expired or revoked tokens."""
    use = use_token(session, plain, now)
    return use.user if use is not None else None


def use_token(session: Session, plain: str, now: datetime, *, note: bool = True) -> TokenUse | None:
    """The live token's use, None for unknown, expired or revoked tokens (or a deactivated user): one statement,
    and one more when the use is due to be noted and `note` allows it. A caller whose transaction must not write
    passes `note=False` and notes a due use later (`note_use`)."""
    if not plain:
        return None
    found = session.execute(_LIVE_TOKEN, {"token_hash": token_hash(plain), "now": now}).first()
    if found is None:
        return None
    token, user = found
    due = token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION
    if due and note:
        token.last_used_at = now
        session.flush()
    return TokenUse(user, token.id, use_due=due, noted=due and note)


def note_use(session: Session, token_id: int, now: datetime) -> None:
    """Note a use `use_token` found due but did not note (or whose transaction was rolled back)."""
    session.execute(update(ApiToken).where(ApiToken.id == token_id, or_(ApiToken.last_used_at.is_(None),
                                                                        ApiToken.last_used_at < now))
                    .values(last_used_at=now))


def tokens_of(session: Session, user_id: int) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)))


def state_of(token: ApiToken, now: datetime) -> str:
    """"revoked", "expired" or "live"."""
    if token.revoked_at is not None:
        return "revoked"
    return "expired" if token.expires_at <= now else "live"


def revoke_token(session: Session, plain: str, now: datetime) -> bool:
    result = session.execute(update(ApiToken).where(ApiToken.token_hash == token_hash(plain),
                                                    ApiToken.revoked_at.is_(None)).values(revoked_at=now))
    return affected_rows(result) == 1


def revoke_all_tokens(session: Session, user_id: int, now: datetime) -> int:
    """Revoke every token of the user not yet revoked; returns how many were."""
    result = session.execute(update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
                             .values(revoked_at=now))
    return affected_rows(result)
