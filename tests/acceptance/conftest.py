"""The county the acceptance tests act in: the demo (`inspectflow load-demo` at 2026-09-30 10:00, the README's
pinned moment), copied per test on each backend, served as `inspectflow serve` serves it."""

from __future__ import annotations

import pytest

from tests.acceptance.harness import County
from tests.conftest import TEST_NOW


@pytest.fixture
def county(database_url, demo, monkeypatch):
    running = County(database_url, monkeypatch, TEST_NOW)
    yield running
    running.close()
