"""Logging in and out, API tokens and deactivating accounts: who may do each is decided here, in the session that
makes the change, and each act is audited (issue 10, defects 7 and 8).

- `log_in`: anyone, within the login throttle (engine.identity.login_throttle); one password verification
  whether or not the name exists; opens a server-side session (engine.identity.sessions).
- `log_out`: the session's own user; the session ends on the server, so its cookie no longer works anywhere.
- `issue_token`: administrators and the system (the CLI) for any active user, a user for themselves.
- `revoke_token`: the token's user, administrators and the system.
- `create_user`: administrators and the system (the CLI's `users create`). A working login names where it works —
  an agency for staff and heads, a jurisdiction for the county office and supervisors — and that place must exist:
  a login with a mistyped or missing one could never see any work.
- `deactivate_user` / `reactivate_user`: administrators and the system. Deactivating ends every session and
  revokes every token of the user in the same transaction; the account stays (the audit trail names it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from engine.commands.actor import Actor
from engine.commands.work import Work
from engine.domain.policy_admin import resolve_jurisdiction
from engine.identity import accounts, api_tokens, login_throttle, sessions
from engine.identity.access import AGENCY_ROLES, JURISDICTION_ROLES, NotPermitted
from engine.models import Agency, ApiToken, User
from engine.platform import audit

ACCOUNT_ROLES = ("administrator",)  # besides the system: who issues others' tokens and (de)activates accounts


@dataclass(frozen=True)
class LoginOutcome:
    """`session_token` for the cookie on success; otherwise `refused`: "wrong" (name or password), "inactive",
    or the throttle's "name" or "address"."""

    refused: str | None = None
    user_id: int | None = None
    role: str | None = None
    session_token: str | None = None


@dataclass(frozen=True)
class Deactivation:
    username: str
    sessions_ended: int
    tokens_revoked: int


def log_in(work: Work, *, username: str, password: str, address: str, lifetime: timedelta) -> LoginOutcome:
    session, now = work.session, work.now()
    blocked = login_throttle.login_blocked(session, username, address, now)
    if blocked:
        return LoginOutcome(refused=blocked)
    user = accounts.check_password(session, username, password)
    if user is None:
        login_throttle.record_failed_login(session, username, address, now)
        return LoginOutcome(refused="wrong")
    login_throttle.clear_failed_logins(session, username, address)
    if not user.active:
        return LoginOutcome(refused="inactive")
    token = sessions.open_session(session, user, now, lifetime)
    audit.record(session, at=now, actor=user.username, action="log_in", after={"address": address})
    return LoginOutcome(user_id=user.id, role=user.role, session_token=token)


def log_out(work: Work, actor: Actor, session_token: str) -> bool:
    """End the actor's session; False when it had already ended."""
    session = work.session
    owner = sessions.session_owner(session, session_token)
    if owner is None or owner != _user(work, actor.username).id:
        raise NotPermitted("not_your_session", "this session is not yours to end")
    ended = sessions.end_session(session, session_token, work.now())
    if ended:
        audit.record(session, at=work.now(), actor=actor.username, action="log_out")
    return ended


def issue_token(work: Work, actor: Actor, *, username: str, name: str,
                lifetime: timedelta = api_tokens.DEFAULT_LIFETIME) -> api_tokens.IssuedToken:
    if actor.username != username:
        _require_account_rights(actor, "issue a token for another user")
    user = _user(work, username)
    if not user.active:
        raise ValueError(f"user '{username}' is deactivated")
    issued = api_tokens.issue_token(work.session, user, name, work.now(), lifetime)
    audit.record(work.session, at=work.now(), actor=actor.username, action="issue_token",
                 after={"username": username, "token_id": issued.id, "name": name,
                        "expires_at": issued.expires_at.isoformat()})
    return issued


def revoke_token(work: Work, actor: Actor, token_id: int) -> ApiToken:
    """Revoke one token (by its id, which `inspectflow users tokens` lists); revoking it again changes nothing."""
    token = work.session.get(ApiToken, token_id)
    if token is None:
        raise LookupError(f"no API token {token_id}")
    owner = work.session.get(User, token.user_id)
    if owner is None or owner.username != actor.username:
        _require_account_rights(actor, "revoke another user's token")
    if token.revoked_at is None:
        token.revoked_at = work.now()
        work.session.flush()
        audit.record(work.session, at=work.now(), actor=actor.username, action="revoke_token",
                     after={"username": owner.username if owner else None, "token_id": token.id, "name": token.name})
    return token


def create_user(work: Work, actor: Actor, *, username: str, password: str, role: str,
                display_name: str | None = None, agency: str | None = None, jurisdiction: str | None = None) -> User:
    """A new login. The agency and the jurisdiction are named by code or name and stored by code."""
    _require_account_rights(actor, "create accounts")
    session = work.session
    if role in AGENCY_ROLES and not agency:
        raise ValueError(f"a {role} login needs an agency (the agency it works for)")
    if role in JURISDICTION_ROLES and not jurisdiction:
        raise ValueError(f"a {role} login needs a jurisdiction (the county it supervises)")
    agency_code = _agency_code(work, agency) if agency else None
    jurisdiction_code = resolve_jurisdiction(session, jurisdiction).code if jurisdiction else None
    user = accounts.create_user(session, username=username, password=password, role=role, now=work.now(),
                                display_name=display_name, agency=agency_code, jurisdiction=jurisdiction_code)
    audit.record(session, at=work.now(), actor=actor.username, action="create_user",
                 after={"username": username, "role": role, "agency": agency_code, "jurisdiction": jurisdiction_code})
    return user


def deactivate_user(work: Work, actor: Actor, username: str) -> Deactivation:
    """The user can no longer log in; their sessions end and their tokens are revoked, all at once."""
    _require_account_rights(actor, "deactivate accounts")
    user, now = _user(work, username), work.now()
    before = {"active": user.active}
    if user.active:
        user.active, user.deactivated_at = False, now
    ended = sessions.end_all_sessions(work.session, user.id, now)
    revoked = api_tokens.revoke_all_tokens(work.session, user.id, now)
    work.session.flush()
    audit.record(work.session, at=now, actor=actor.username, action="deactivate_user", before=before,
                 after={"username": username, "active": False, "sessions_ended": ended, "tokens_revoked": revoked})
    return Deactivation(username, ended, revoked)


def reactivate_user(work: Work, actor: Actor, username: str) -> User:
    """The user may log in again (with new sessions and new tokens: the old ones stay ended)."""
    _require_account_rights(actor, "reactivate accounts")
    user = _user(work, username)
    if not user.active:
        user.active, user.deactivated_at = True, None
        work.session.flush()
        audit.record(work.session, at=work.now(), actor=actor.username, action="reactivate_user",
                     before={"active": False}, after={"username": username, "active": True})
    return user


def _require_account_rights(actor: Actor, act: str) -> None:
    if not actor.is_system and actor.role not in ACCOUNT_ROLES:
        raise NotPermitted("role", f"only administrators {act}", role=actor.role)


def _agency_code(work: Work, wanted: str) -> str:
    code = work.session.scalar(select(Agency.code).where((Agency.code == wanted) | (Agency.name == wanted)))
    if code is None:
        raise LookupError(f"no agency {wanted!r}")
    return code


def _user(work: Work, username: str) -> User:
    return accounts.find_user(work.session, username)
