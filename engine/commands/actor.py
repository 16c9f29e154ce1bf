"""Who acts in a command: taken from the session, the API token or the CLI operator, never from request data."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import User

SYSTEM_ROLE = "system"  # the scheduler and the operator at the command line (trusted: they run the server)
ENTERPRISE_ROLE = "enterprise"  # the enterprise or complainant on the public portal, holding a per-case secret


@dataclass(frozen=True)
class Actor:
    username: str
    role: str
    agency: str | None = None
    jurisdiction: str | None = None

    @classmethod
    def of(cls, user) -> Actor:
        """A logged-in user, an API token's user or a User row."""
        return cls(user.username, user.role, user.agency, user.jurisdiction)

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        return cls(name, SYSTEM_ROLE)

    @classmethod
    def enterprise(cls, name: str = "portal") -> Actor:
        return cls(name, ENTERPRISE_ROLE)

    @property
    def is_system(self) -> bool:
        return self.role == SYSTEM_ROLE


def actor_named(session: Session, name: str) -> Actor:
    """The command line's `--as NAME`: that user with their scope when NAME is an account, else the operator
    (the system, unscoped: whoever runs the CLI already holds the database)."""
    user = session.scalar(select(User).where(User.username == name))
    return Actor.of(user) if user is not None else Actor.system(name)
