"""Browser tests: a real headless Chromium (Debian's /usr/bin/chromium, installed by scripts/install-browser.sh)
driven by Playwright against the app served on a local port, on one test database (PostgreSQL when
TEST_DATABASE_URL is set, else SQLite).

Each test gets the app of tests/conftest.py (its database and frozen clock) behind a threaded WSGI server, and a
fresh browser context. `shot(page, name)` saves a screenshot under tests/artifacts/ for reviewers. A missing
browser fails the tests loudly: they are never skipped.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

from tests.conftest import BACKENDS, database_for

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
# Without these Chromium keeps trying to reach Google's services, which this machine's closed network refuses.
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def chromium_path() -> str:
    path = os.environ.get("INSPECTFLOW_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail(f"Chromium is not installed at {path}: run scripts/install-browser.sh", pytrace=False)
    return path


@pytest.fixture(params=BACKENDS[-1:])
def database_url(request, tmp_path) -> Iterator[str]:
    """One backend for the browser tests: what they check is the pages in Chromium, which the storage tests below
    them already run on both; PostgreSQL when TEST_DATABASE_URL is set (what a deployment runs), else SQLite."""
    yield from database_for(request, tmp_path)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_url(app) -> Iterator[str]:
    """The app served on a free local port for the duration of the test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # Polled every 50 ms for the shutdown at the end (the default half second was most of a test's teardown).
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def page(browser: Browser, live_url: str) -> Iterator[Page]:
    context = browser.new_context(base_url=live_url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # What the Content-Security-Policy (web.security) blocks shows only on the console: it fails the test too.
    page.on("console", lambda message: "Content Security Policy" in message.text and errors.append(message.text))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def shot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as tests/artifacts/<name>.png (the database backend is in the name)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page: Page, username: str, password: str = "inspectflow-demo") -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("header form button[type=submit]").count() == 1, f"{username} did not get logged in"
