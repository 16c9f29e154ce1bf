"""What the database already holds, for actions that must not mix with it: which kinds of real records exist
(loading the demo is refused into a database with jurisdictions, enterprises or process instances) and whether a
login name is taken (the demo's logins are created only once). Read-only.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Enterprise, Jurisdiction, ProcessInstance, User

RECORD_KINDS = {"jurisdiction": Jurisdiction.id, "enterprise": Enterprise.id, "process_instance": ProcessInstance.id}


def kinds_held(session: Session) -> list[str]:
    """The RECORD_KINDS with at least one record, in that order."""
    return [kind for kind, key in RECORD_KINDS.items() if session.scalar(select(key).limit(1)) is not None]


def login_exists(session: Session, username: str) -> bool:
    return session.scalar(select(User.id).where(User.username == username)) is not None
