"""User accounts: creation and password hashing (scrypt, salted; the hash string names its parameters)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import User
from engine.models.user import ROLES

_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_password(stored: str, password: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r),
                               p=int(p), dklen=32)
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def create_user(session: Session, *, username: str, password: str, role: str, now: datetime,
                display_name: str | None = None, agency: str | None = None,
                jurisdiction: str | None = None) -> User:
    if role not in ROLES:
        raise ValueError(f"unknown role '{role}'; choose one of {', '.join(ROLES)}")
    if len(password) < 8:
        raise ValueError("a password needs at least 8 characters")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ValueError(f"user '{username}' already exists")
    user = User(username=username, display_name=display_name or username, password_hash=hash_password(password),
                role=role, agency=agency, jurisdiction=jurisdiction, created_at=now)
    session.add(user)
    session.flush()
    return user
