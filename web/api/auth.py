"""Bearer-token authentication for the API: `Authorization: Bearer <token>` → `g.api_user`.

401 when the header is missing or the token is unknown or revoked; 403 when the user's role is not allowed.
Administrators pass every role check. Staff are scoped to their agency (see `can_see_task`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from flask import g, request

from engine import api_tokens
from web.api.errors import ApiError
from web.services import services

PROCESS_OWNER, STAFF, SUPERVISOR, ADMINISTRATOR = "process_owner", "staff", "supervisor", "administrator"
AGENCY_HEAD, COUNTY_OFFICE = "agency_head", "county_office"
TASK_ROLES = (STAFF, AGENCY_HEAD, COUNTY_OFFICE, SUPERVISOR)
AGENCY_SCOPED = (STAFF, AGENCY_HEAD)  # roles that see only their own agency's tasks


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
            svc = services()
            with svc.transaction() as session:
                user = api_tokens.authenticate(session, token, svc.clock().now())
                who = ApiUser(user.id, user.username, user.role, user.agency, user.jurisdiction) if user else None
            if who is None:
                raise ApiError(401, "unauthorized", "the API token is unknown or revoked")
            if roles and who.role not in roles and who.role != ADMINISTRATOR:
                raise ApiError(403, "forbidden", f"this needs the role {' or '.join(roles)}", role=who.role)
            g.api_user = who
            return view(*args, **kwargs)

        wrapper.required_roles = roles  # type: ignore[attr-defined]
        return wrapper

    return decorator


def can_see_task(user: ApiUser, task_agency: str | None) -> bool:
    """Staff and agency heads see only their agency's tasks; the county office, supervisors and
    administrators see all."""
    return user.role not in AGENCY_SCOPED or (user.agency is not None and user.agency == task_agency)


def require_task_access(user: ApiUser, task_agency: str | None, task_id: str) -> None:
    if not can_see_task(user, task_agency):
        raise ApiError(403, "forbidden", "this task belongs to another agency", task_id=task_id)
