"""A write session per test for the domain-rule tests; rolled back at the end, so a test sees only its own
records."""

from __future__ import annotations

import pytest


@pytest.fixture
def session(svc):
    with svc.write_sessions() as session:
        yield session
        session.rollback()
