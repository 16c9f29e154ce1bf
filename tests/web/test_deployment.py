"""The app as a deployment runs it (issue 13 item 2; README, "Deployment"): the probes a proxy or orchestrator
polls (`/health` without the database, `/ready` with it and its schema revision), the proxy settings read from
the environment (ProxyFix for exactly INSPECTFLOW_TRUSTED_PROXIES hops, Secure cookies, the body limit), the
gunicorn entry point web.wsgi and gunicorn.conf.py. The processes themselves (gunicorn serving, `inspectflow
worker`) are tested as subprocesses in test_cli_subprocess.py."""

from __future__ import annotations

import importlib
import runpy
import sys
import threading

import pytest
from flask import jsonify, request, session

from engine.background import scheduler as scheduler_module
from migrations import head_revisions, script_directory, upgrade
from tests.conftest import ROOT, TEST_NOW

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/nothing"  # port 1: refused at once
FORWARDED = {"X-Forwarded-For": "198.51.100.1, 203.0.113.7", "X-Forwarded-Proto": "https, https",
             "X-Forwarded-Host": "outer.example.gov.cn, inner.example.gov.cn"}


def app_on(database_url: str, **config):
    """The app as create_app builds it from the environment, on `database_url` (the tests' `clock` moment)."""
    from web import create_app

    return create_app({"DATABASE_URL": database_url, "TESTING": True, **config})


@pytest.fixture
def deployed(monkeypatch):
    """The environment of a deployment: a secret key, the pinned clock; each test adds its own."""
    monkeypatch.setenv("SECRET_KEY", "deployment-test")
    monkeypatch.setenv("INSPECTFLOW_CLOCK", TEST_NOW)
    return monkeypatch


def test_health_answers_without_the_database_and_ready_says_it_is_unreachable(deployed):
    app = app_on(UNREACHABLE)  # the process starts although the database does not answer yet
    try:
        client = app.test_client()
        health = client.get("/health")
        assert (health.status_code, health.get_json()) == (200, {"status": "ok"})
        ready = client.get("/ready")
        assert (ready.status_code, ready.get_json()) == (503, {"status": "unavailable",
                                                               "reason": "database_unreachable"})
        assert "127.0.0.1" not in ready.get_data(as_text=True)  # the connection error stays in the log
    finally:
        app.extensions["inspectflow"].engine.dispose()


def test_ready_once_the_database_answers_at_this_codes_revision(app):
    ready = app.test_client().get("/ready")
    assert ready.status_code == 200
    assert ready.get_json() == {"status": "ready", "revision": sorted(head_revisions())}


def test_ready_waits_for_the_migration_of_a_database_one_revision_behind(deployed, tmp_path):
    (head,) = head_revisions()
    previous = script_directory().get_revision(head).down_revision
    assert isinstance(previous, str)
    url = f"sqlite:///{tmp_path / 'behind.db'}"
    upgrade(url, previous)
    app = app_on(url)
    try:
        client = app.test_client()
        behind = client.get("/ready")
        assert behind.status_code == 503
        assert behind.get_json() == {"status": "unavailable", "reason": "schema_not_current",
                                     "database_revision": [previous], "code_revision": [head]}
        assert client.get("/health").status_code == 200  # up, only not ready
        upgrade(url)  # `inspectflow db upgrade` (compose's migrate) while this process keeps running
        assert client.get("/ready").status_code == 200
    finally:
        app.extensions["inspectflow"].engine.dispose()


def test_ready_refuses_a_database_never_migrated(deployed, tmp_path):
    app = app_on(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        ready = app.test_client().get("/ready")
        assert ready.status_code == 503 and ready.get_json()["database_revision"] == []
    finally:
        app.extensions["inspectflow"].engine.dispose()


def _probed(app):
    """A route that shows how the app sees the request behind its proxies, and sets the session cookie."""

    @app.get("/_probe")
    def probe():
        session["seen"] = True
        return jsonify({"address": request.remote_addr, "scheme": request.scheme, "host": request.host})

    return app.test_client()


@pytest.mark.parametrize(("proxies", "address", "scheme", "host"), [
    ("0", "127.0.0.1", "http", "localhost"),  # a client's own X-Forwarded-* count for nothing
    ("1", "203.0.113.7", "https", "inner.example.gov.cn"),  # the last hop's entry
    ("2", "198.51.100.1", "https", "outer.example.gov.cn"),  # two hops back
])
def test_forwarded_headers_count_for_exactly_the_trusted_proxies_the_environment_names(
        deployed, database_url, proxies, address, scheme, host):
    deployed.setenv("INSPECTFLOW_TRUSTED_PROXIES", proxies)
    app = app_on(database_url)
    try:
        response = _probed(app).get("/_probe", headers=FORWARDED)
        assert response.get_json() == {"address": address, "scheme": scheme, "host": host}
        assert ("; Secure" in response.headers["Set-Cookie"]) == (scheme == "https")
    finally:
        app.extensions["inspectflow"].engine.dispose()


def test_an_https_deployment_marks_cookies_secure_and_the_body_limit_comes_from_the_environment(
        deployed, database_url):
    deployed.setenv("PREFERRED_URL_SCHEME", "https")
    deployed.setenv("INSPECTFLOW_MAX_CONTENT_LENGTH", "2048")
    app = app_on(database_url)
    try:
        client = _probed(app)
        assert "; Secure" in client.get("/_probe").headers["Set-Cookie"]  # even on the proxy's plain hop
        assert client.post("/complaints/new", data={"text": "x" * 4096}).status_code == 413
    finally:
        app.extensions["inspectflow"].engine.dispose()


def test_the_wsgi_module_builds_the_app_from_the_environment_without_a_scheduler(deployed, database_url):
    def no_scheduler(*args, **kwargs):
        raise AssertionError("a web process built a scheduler")

    deployed.setenv("DATABASE_URL", database_url)
    deployed.setattr(scheduler_module, "build_scheduler", no_scheduler)
    deployed.delitem(sys.modules, "web.wsgi", raising=False)
    wsgi = importlib.import_module("web.wsgi")  # imported anew, as each gunicorn worker does

    try:
        assert wsgi.app.config["DATABASE_URL"] == database_url
        assert wsgi.app.test_client().get("/ready").status_code == 200
        assert not any(thread.name.startswith("APScheduler") for thread in threading.enumerate())
    finally:
        wsgi.app.extensions["inspectflow"].engine.dispose()
        sys.modules.pop("web.wsgi", None)


def test_gunicorn_takes_its_workers_bind_and_timeouts_from_the_environment(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    monkeypatch.setenv("INSPECTFLOW_BIND", "127.0.0.1:9100")
    monkeypatch.setenv("INSPECTFLOW_WEB_TIMEOUT_S", "90")
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (settings["workers"], settings["bind"], settings["timeout"]) == (5, ["127.0.0.1:9100"], 90)
    assert settings["wsgi_app"] == "web.wsgi:app"
    assert settings["forwarded_allow_ips"] == "" and settings["secure_scheme_headers"] == {}  # ProxyFix judges
    monkeypatch.delenv("WEB_CONCURRENCY")
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"] == 2
