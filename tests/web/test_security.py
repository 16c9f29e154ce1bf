"""Web hardening and login (issue 10, defects 7 and 8), through the shipped app: the hardening headers, the session
cookie's flags, logins that end on the server (logout, expiry, deactivation), ProxyFix only for trusted proxies,
the login's single password verification and the per-address limit across names."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.identity import accounts
from engine.identity.login_throttle import ADDRESS_LIMIT
from tests.web.pages import PASSWORD, login, make_user, token_of


@pytest.fixture
def client(app):
    return app.test_client()


def app_with(database_url, clock, **config):
    from web import create_app

    return create_app({"DATABASE_URL": database_url, "CLOCK_FACTORY": lambda: clock, "TESTING": True,
                       "SECRET_KEY": "test", **config})


@pytest.mark.parametrize("path", ["/login", "/portal", "/api/v1/openapi.json", "/nothing-here", "/health"])
def test_every_response_carries_the_hardening_headers(client, path):
    headers = client.get(path).headers
    policy = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy and "object-src 'none'" in policy
    assert "unsafe-eval" not in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # plain HTTP: nothing to pin


def test_the_session_cookie_is_httponly_lax_and_secure_only_over_https(app, client):
    make_user(app, "li", "staff")
    plain = login(client, "li").headers["Set-Cookie"]
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain
    https = app.test_client()
    page = https.get("/login", base_url="https://localhost")
    response = https.post("/login", base_url="https://localhost", data={
        "username": "li", "password": PASSWORD, "csrf_token": token_of(page.get_data(as_text=True))})
    assert response.status_code == 302 and "; Secure" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "; Secure" in https.get("/lang/en", base_url="https://localhost").headers["Set-Cookie"]
    assert "Secure" not in client.get("/lang/en").headers["Set-Cookie"]


def test_secure_cookies_can_be_required_by_configuration(database_url, clock):
    configured = app_with(database_url, clock, SESSION_COOKIE_SECURE=True)
    try:
        make_user(configured, "li", "staff")
        assert "; Secure" in login(configured.test_client(), "li").headers["Set-Cookie"]
    finally:
        configured.extensions["inspectflow"].engine.dispose()


def test_forwarded_headers_count_only_from_trusted_proxies(app, client, database_url, clock):
    make_user(app, "li", "staff")
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    page = client.get("/login")
    spoofed = client.post("/login", headers=forwarded, data={
        "username": "li", "password": PASSWORD, "csrf_token": token_of(page.get_data(as_text=True))})
    # A client's own X-Forwarded-Proto is not believed.
    assert spoofed.status_code == 302 and "Secure" not in spoofed.headers["Set-Cookie"]
    proxied = app_with(database_url, clock, TRUSTED_PROXIES=1)
    try:
        behind = proxied.test_client()
        page = behind.get("/login", headers=forwarded)
        response = behind.post("/login", headers=forwarded, data={
            "username": "li", "password": PASSWORD, "csrf_token": token_of(page.get_data(as_text=True))})
        assert response.status_code == 302 and "; Secure" in response.headers["Set-Cookie"]
        token = token_of(behind.get("/login", headers=forwarded).get_data(as_text=True))  # the login's new session
        for number in range(ADDRESS_LIMIT):  # the throttle counts the client's address the proxy reports
            failed = behind.post("/login", headers=forwarded, data={"username": f"n{number}", "password": "x",
                                                                    "csrf_token": token})
            assert failed.status_code == 401
        locked = behind.post("/login", headers=forwarded, data={"username": "li", "password": PASSWORD,
                                                                "csrf_token": token})
        assert locked.status_code == 429  # 203.0.113.7 is locked ...
        assert login(client, "li").status_code == 302  # ... not the proxy's own address
    finally:
        proxied.extensions["inspectflow"].engine.dispose()


def test_logout_ends_the_session_on_the_server(app, client):
    make_user(app, "li", "staff")
    login(client, "li")
    stolen = client.get_cookie("session").value
    inbox = client.get("/inbox")
    assert inbox.status_code == 200
    client.post("/logout", data={"csrf_token": token_of(inbox.get_data(as_text=True))})
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    response = replay.get("/inbox")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_login_ends_after_its_lifetime_whatever_the_cookie(app, client, clock):
    make_user(app, "li", "staff")
    login(client, "li")
    clock.advance(app.config["SESSION_LIFETIME"] - timedelta(minutes=1))
    assert client.get("/inbox").status_code == 200
    clock.advance(timedelta(minutes=1))
    assert client.get("/inbox").status_code == 302


def test_a_deactivated_user_is_logged_out_everywhere_and_refused_in_words(app, client, runner):
    make_user(app, "li", "staff")
    make_user(app, "wang", "staff")
    login(client, "li")
    other_browser = app.test_client()
    login(other_browser, "wang")
    token = runner.invoke(args=["users", "token", "li", "--name", "phone"]).stdout.strip()
    assert app.test_client().get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"}).status_code == 200

    result = runner.invoke(args=["users", "deactivate", "li"])
    assert result.exit_code == 0 and "1 session(s) ended, 1 token(s) revoked" in result.output
    assert client.get("/inbox").status_code == 302
    assert app.test_client().get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    refused = login(app.test_client(), "li")
    assert refused.status_code == 403 and "这个账号已停用" in refused.get_data(as_text=True)
    assert other_browser.get("/inbox").status_code == 200  # nobody else is touched

    assert runner.invoke(args=["users", "activate", "li"]).exit_code == 0
    assert login(app.test_client(), "li").status_code == 302
    assert app.test_client().get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_known_and_unknown_names_cost_one_password_verification_each(app, client, monkeypatch):
    make_user(app, "li", "staff")
    calls: list[str] = []
    real = accounts.verify_password

    def counted(stored: str, password: str) -> bool:
        calls.append(stored.split("$")[0])
        return real(stored, password)

    monkeypatch.setattr(accounts, "verify_password", counted)
    for username in ("li", "nobody-by-this-name"):
        calls.clear()
        assert login(client, username, "wrong password").status_code == 401
        assert calls == ["scrypt"], username  # a real scrypt verification for both: the same time
    calls.clear()
    assert login(client, "li").status_code == 302 and calls == ["scrypt"]


def test_password_spraying_from_one_address_locks_the_address(app, client):
    make_user(app, "li", "staff")
    for number in range(ADDRESS_LIMIT):  # one common password tried against many names: no name reaches its limit
        assert login(client, f"user{number}", "Password1").status_code == 401
    blocked = login(client, "li")  # even the right password of another name, from this address
    text = blocked.get_data(as_text=True)
    assert blocked.status_code == 429 and "该地址已暂停登录" in text and "10 分钟" in text
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    assert login(elsewhere, "li").status_code == 302
