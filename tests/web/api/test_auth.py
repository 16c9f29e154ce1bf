"""Bearer tokens: missing, unknown and revoked tokens are 401; a role that is not allowed is 403."""

from __future__ import annotations

from engine.identity import api_tokens
from tests.web.api.conftest import assert_error


def test_no_token_is_401(api):
    assert_error(api.get("/api/v1/process-definitions"), 401, "unauthorized")
    assert_error(api.get("/api/v1/tasks", token=""), 401)


def test_unknown_token_is_401(api):
    assert_error(api.get("/api/v1/process-definitions", token="not-a-token"), 401, "unauthorized")
    response = api.client.get("/api/v1/tasks", headers={"Authorization": "Basic abc"})
    assert_error(response, 401)


def test_revoked_token_is_401_and_a_live_one_records_its_use(api, svc, clock):
    assert api.get("/api/v1/process-definitions", as_user="owner").status_code == 200
    with svc.transaction() as session:
        assert api_tokens.authenticate(session, api.tokens["owner"], clock.now()).username == "owner"
        assert api_tokens.revoke_token(session, api.tokens["owner"], clock.now())
    assert_error(api.get("/api/v1/process-definitions", as_user="owner"), 401, "unauthorized")


def test_only_the_hash_is_stored(api, svc):
    from sqlalchemy import select

    from engine.models import ApiToken

    with svc.sessions() as session:
        hashes = set(session.scalars(select(ApiToken.token_hash)))
    assert api.tokens["owner"] not in hashes
    assert api_tokens.token_hash(api.tokens["owner"]) in hashes


def test_wrong_role_is_403(api):
    assert_error(api.get("/api/v1/tasks", as_user="owner"), 403, "forbidden")
    assert_error(api.get("/api/v1/alerts", as_user="clerk"), 403, "forbidden")
    assert_error(api.get("/api/v1/statistics?year=2026", as_user="clerk"), 403, "forbidden")


def test_administrator_passes_every_role_check(api):
    api.user("root", "administrator")
    assert api.get("/api/v1/alerts", as_user="root").status_code == 200
    assert api.get("/api/v1/tasks", as_user="root").status_code == 200


def test_token_command_prints_a_working_token(api, runner):
    result = runner.invoke(args=["users", "token", "boss", "--name", "dashboard"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert api.get("/api/v1/alerts", token=token).status_code == 200
    assert runner.invoke(args=["users", "token", "nobody", "--name", "x"]).exit_code != 0


def test_last_use_is_noted_to_the_minute(api, svc, clock):
    from datetime import timedelta

    from sqlalchemy import select

    from engine.models import ApiToken

    def last_used():
        with svc.sessions() as session:
            return session.scalar(select(ApiToken.last_used_at).where(
                ApiToken.token_hash == api_tokens.token_hash(api.tokens["boss"])))

    assert last_used() is None
    api.get("/api/v1/alerts", as_user="boss")
    first = last_used()
    assert first == clock.now()
    clock.advance(timedelta(seconds=30))
    api.get("/api/v1/alerts", as_user="boss")
    assert last_used() == first
    clock.advance(timedelta(minutes=1))
    api.get("/api/v1/alerts", as_user="boss")
    assert last_used() == clock.now()
