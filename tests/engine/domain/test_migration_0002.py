"""0002_domain_records goes down to the engine core and up again cleanly (SQLite: batch mode is the hard case)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from engine.platform.db import make_engine
from migrations import alembic_config, upgrade
from tests.engine.test_migrations import schema_diff


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_downgrade_to_the_engine_core_and_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'down.db'}"
    upgrade(url)
    assert {"inspection", "behavior_code", "policy_decision"} <= tables(url)
    command.downgrade(alembic_config(url), "0001_engine_core")
    assert "inspection" not in tables(url) and "alert" in tables(url)
    upgrade(url)
    assert schema_diff(url) == []
