"""User accounts: creation, password hashing (scrypt, salted; the hash string names its parameters) and checking a
name and password.

Checking costs one scrypt verification whether or not the name exists (`check_password`): an unknown name is
verified against a dummy hash made with the same parameters, so the response time does not tell an attacker
which names exist (issue 10, defect 8)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import User
from engine.models.user import ROLES

_N, _R, _P = 2**14, 8, 1


def hash_parameters() -> tuple[int, int, int]:
    """scrypt's (n, r, p) for new hashes. INSPECTFLOW_SCRYPT_N lowers n for the test suite only (its logins
    would otherwise cost ~90 ms each); a deployment leaves it unset."""
    n = os.environ.get("INSPECTFLOW_SCRYPT_N")
    return (int(n) if n else _N), _R, _P


def hash_password(password: str) -> str:
    n, r, p = hash_parameters()
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


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


def find_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise LookupError(f"no user '{username}'")
    return user


def check_password(session: Session, username: str, password: str) -> User | None:
    """The user named `username` when `password` is theirs, else None — after exactly one verification."""
    user = session.scalar(select(User).where(User.username == username))
    matches = verify_password(user.password_hash if user is not None else _dummy_hash(), password)
    return user if user is not None and matches else None


_dummy_hashes: dict[tuple[int, int, int], str] = {}


def _dummy_hash() -> str:
    """A hash of a random password, made once per set of parameters in use (the same cost as a real one)."""
    parameters = hash_parameters()
    if parameters not in _dummy_hashes:
        _dummy_hashes[parameters] = hash_password(secrets.token_urlsafe(16))
    return _dummy_hashes[parameters]


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
