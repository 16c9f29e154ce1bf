"""Bearer tokens: missing, unknown, expired and revoked tokens are 401; a role that is not allowed is 403; the
`users token`, `users tokens` and `users revoke-token` commands."""

from __future__ import annotations

import json
from datetime import timedelta

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


def test_token_command_prints_a_working_token_and_its_expiry(api, runner):
    result = runner.invoke(args=["users", "token", "boss", "--name", "dashboard"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()  # only the token on stdout: TOKEN=$(inspectflow users token …) works
    assert "expires 2026-12-29T10:00:00+08:00" in result.stderr  # 90 days from the frozen 2026-09-30 10:00
    assert api.get("/api/v1/alerts", token=token).status_code == 200
    assert runner.invoke(args=["users", "token", "nobody", "--name", "x"]).exit_code != 0
    bare = runner.invoke(args=["users", "token", "boss"])  # the short form: the token's name defaults to "api"
    assert bare.exit_code == 0 and api.get("/api/v1/alerts", token=bare.stdout.strip()).status_code == 200


def test_a_token_expires_after_its_lifetime(api, runner, clock):
    result = runner.invoke(args=["users", "token", "boss", "--name", "short", "--days", "2", "--json"])
    issued = json.loads(result.stdout)
    assert issued["expires_at"] == "2026-10-02T02:00:00+00:00"
    clock.advance(timedelta(days=2) - timedelta(seconds=1))
    assert api.get("/api/v1/alerts", token=issued["token"]).status_code == 200
    clock.advance(timedelta(seconds=1))
    assert_error(api.get("/api/v1/alerts", token=issued["token"]), 401, "unauthorized")
    listed = json.loads(runner.invoke(args=["users", "tokens", "boss", "--json"]).stdout)
    assert [(t["name"], t["state"]) for t in listed] == [("tests", "live"), ("short", "expired")]


def test_the_lifetime_is_the_deployments_choice(database_url, clock):
    from web import create_app

    app = create_app({"DATABASE_URL": database_url, "CLOCK_FACTORY": lambda: clock, "TESTING": True,
                      "SECRET_KEY": "test", "API_TOKEN_LIFETIME": timedelta(days=7)})
    try:
        runner = app.test_cli_runner()
        runner.invoke(args=["users", "create", "li", "--role", "process_owner", "--password", "password1"])
        issued = json.loads(runner.invoke(args=["users", "token", "li", "--name", "x", "--json"]).stdout)
        assert issued["expires_at"] == "2026-10-07T02:00:00+00:00"
    finally:
        app.extensions["inspectflow"].engine.dispose()


def test_revoke_token_command_stops_that_token_only(api, runner):
    second = json.loads(runner.invoke(args=["users", "token", "boss", "--name", "second", "--json"]).stdout)
    result = runner.invoke(args=["users", "revoke-token", str(second["id"])])
    assert result.exit_code == 0 and f"token {second['id']} (second) revoked" in result.output
    assert_error(api.get("/api/v1/alerts", token=second["token"]), 401)
    assert api.get("/api/v1/alerts", as_user="boss").status_code == 200
    missing = runner.invoke(args=["users", "revoke-token", "999999"])
    assert missing.exit_code == 1 and "no API token 999999" in missing.output


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
