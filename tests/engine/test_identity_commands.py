"""engine.commands.identity called directly: who may log out a session, issue and revoke tokens and (de)activate
accounts is decided by the command from the actor; each act is audited; deactivating ends sessions and tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.commands import Actor, NotPermitted, identity
from engine.identity import accounts, api_tokens, sessions
from engine.models import AuditEntry

LIFETIME = timedelta(hours=12)


@pytest.fixture
def people(svc, clock):
    with svc.transaction() as session:
        for name, role in (("li", "staff"), ("wang", "staff"), ("root", "administrator")):
            accounts.create_user(session, username=name, password="password1", role=role, now=clock.now())
        return {name: Actor.of(accounts.find_user(session, name)) for name in ("li", "wang", "root")}


def log_in(svc, username: str, password: str = "password1", address: str = "10.0.0.1"):
    with svc.work() as work:
        return identity.log_in(work, username=username, password=password, address=address, lifetime=LIFETIME)


def audited(svc, action: str) -> list[AuditEntry]:
    with svc.sessions() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_only_administrators_and_the_system_manage_other_accounts(svc, people):
    li, root = people["li"], people["root"]
    with svc.work() as work:
        for act in (lambda: identity.deactivate_user(work, li, "wang"),
                    lambda: identity.reactivate_user(work, li, "wang"),
                    lambda: identity.issue_token(work, li, username="wang", name="x")):
            with pytest.raises(NotPermitted) as refusal:
                act()
            assert refusal.value.reason == "role"
        own = identity.issue_token(work, li, username="li", name="mine")  # one's own token: yes
        theirs = identity.issue_token(work, root, username="wang", name="issued by the administrator")
        with pytest.raises(NotPermitted):
            identity.revoke_token(work, li, theirs.id)
        identity.revoke_token(work, li, own.id)
        identity.revoke_token(work, Actor.system("cli:ops"), theirs.id)
    assert [entry.actor for entry in audited(svc, "issue_token")] == ["li", "root"]
    assert [entry.actor for entry in audited(svc, "revoke_token")] == ["li", "cli:ops"]


def test_a_session_is_ended_only_by_its_own_user(svc, clock, people):
    outcome = log_in(svc, "li")
    assert outcome.refused is None and outcome.role == "staff"
    with svc.work() as work:
        with pytest.raises(NotPermitted):
            identity.log_out(work, people["wang"], outcome.session_token)
    with svc.sessions() as session:
        assert sessions.session_user(session, outcome.session_token, clock.now()).username == "li"
    with svc.work() as work:
        assert identity.log_out(work, people["li"], outcome.session_token)
    with svc.sessions() as session:
        assert sessions.session_user(session, outcome.session_token, clock.now()) is None
    assert [entry.actor for entry in audited(svc, "log_in")] == ["li"]
    assert [entry.actor for entry in audited(svc, "log_out")] == ["li"]


def test_deactivating_ends_every_session_and_token_at_once(svc, clock, people):
    first, second = log_in(svc, "wang"), log_in(svc, "wang", address="10.0.0.2")
    with svc.work() as work:
        token = identity.issue_token(work, people["root"], username="wang", name="client")
    with svc.work() as work:
        done = identity.deactivate_user(work, people["root"], "wang")
    assert (done.sessions_ended, done.tokens_revoked) == (2, 1)
    with svc.transaction() as session:
        assert sessions.session_user(session, first.session_token, clock.now()) is None
        assert sessions.session_user(session, second.session_token, clock.now()) is None
        assert api_tokens.authenticate(session, token.plain, clock.now()) is None
    assert log_in(svc, "wang").refused == "inactive"
    assert log_in(svc, "wang", "not the password").refused == "wrong"
    with svc.work() as work, pytest.raises(ValueError, match="deactivated"):
        identity.issue_token(work, people["root"], username="wang", name="again")
    (entry,) = audited(svc, "deactivate_user")
    assert entry.actor == "root" and entry.after["sessions_ended"] == 2 and entry.after["tokens_revoked"] == 1


def test_the_throttle_refuses_before_any_password_is_checked(svc, people, monkeypatch):
    for _attempt in range(5):
        assert log_in(svc, "li", "wrong").refused == "wrong"
    monkeypatch.setattr(accounts, "verify_password", lambda *_: pytest.fail("verified while throttled"))
    assert log_in(svc, "li").refused == "name"
