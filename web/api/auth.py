"""Bearer-token authentication for the API: `Authorization: Bearer <token>` → `g.api_user`, looked up in the
request's one transaction, which the view then uses too (web/api/unit.py).

401 when the header is missing or the token is unknown, expired or revoked (or its user deactivated); 403 when
the user's role is not allowed. Administrators pass every role check. Which tasks and instances a user sees and
works is engine.identity.access, the same model as the pages (`scope`); the engine's commands refuse an actor
outside it (NotPermitted → a 403 JSON error, web/api/errors.py).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from flask import g, request

from engine.identity import access
from web.api import unit
from web.api.errors import ApiError

PROCESS_OWNER, STAFF, SUPERVISOR, ADMINISTRATOR = "process_owner", "staff", "supervisor", "administrator"
AGENCY_HEAD, COUNTY_OFFICE = "agency_head", "county_office"
TASK_ROLES = access.WORKING_ROLES


@dataclass(frozen=True)
class ApiUser:
    id: int
    username: str
    role: str
    agency: str | None
    jurisdiction: str | None


def current_user() -> ApiUser:
    return g.api_user


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def requires(*roles: str):
    """Only a holder of a live token whose role is one of `roles` (or administrator) reaches the view."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            token = _bearer_token()
            if token is None:
                raise ApiError(401, "unauthorized", "an API token is required (Authorization: Bearer <token>)")
            with unit.opened(token) as use:
                if use is None:
                    raise ApiError(401, "unauthorized", "the API token is unknown, expired or revoked")
                user = use.user
                who = ApiUser(user.id, user.username, user.role, user.agency, user.jurisdiction)
                if roles and who.role not in roles and who.role != ADMINISTRATOR:
                    raise ApiError(403, "forbidden", f"this needs the role {' or '.join(roles)}", role=who.role)
                g.api_user = who
                return view(*args, **kwargs)

        wrapper.required_roles = roles  # type: ignore[attr-defined]
        return wrapper

    return decorator


def scope(session) -> access.Scope:
    return access.scope_of(session, current_user())
