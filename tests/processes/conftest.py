"""Every procedure test runs twice: once with the runtime's workflow cache, once restoring each instance
from storage before every step (a cache that keeps nothing), so state that does not survive save → restore
fails a test (STYLE.md habit 11)."""

from __future__ import annotations

import pytest

from engine.runtime.cache import LruCache


@pytest.fixture(params=["cached", "restored"])
def svc(request, app):
    services = app.extensions["inspectflow"]
    if request.param == "restored":
        services.runtime.workflows = LruCache(0)
    return services
