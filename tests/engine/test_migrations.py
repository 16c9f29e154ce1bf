"""The migrations are the schema: run on an empty database they produce exactly what the models declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from engine.models import Base
from engine.platform.db import make_engine
from migrations import upgrade


def schema_diff(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def test_migrations_on_an_empty_sqlite_database_match_the_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    upgrade(url)
    assert schema_diff(url) == []
    engine = make_engine(url)
    assert set(inspect(engine).get_table_names()) == set(Base.metadata.tables) | {"alembic_version"}
    engine.dispose()


def test_migrated_schema_matches_the_models_on_every_backend(database_url):
    # On PostgreSQL the database was emptied (DROP SCHEMA) and migrated from nothing for this run.
    assert schema_diff(database_url) == []


def test_upgrade_is_idempotent(tmp_path):
    url = f"sqlite:///{tmp_path / 'twice.db'}"
    upgrade(url)
    upgrade(url)
    assert schema_diff(url) == []


def test_the_open_alert_index_is_made_after_closing_the_duplicates_an_older_version_left(tmp_path):
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0014_document_templates")
    engine = make_engine(url)
    with engine.begin() as connection:
        for status in ("open", "acknowledged", "open", "resolved"):
            connection.execute(text("INSERT INTO alert (kind, subject, message, details, status, opened_at, "
                                    "updated_at) VALUES ('overdue', 'task:1', 'm', '{}', :s, '2026-09-30 02:00:00', "
                                    "'2026-09-30 02:00:00')"), {"s": status})
    upgrade(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, status, resolved_by FROM alert ORDER BY id")).all()
    engine.dispose()
    assert rows == [(1, "resolved", "migration"), (2, "resolved", "migration"), (3, "open", None),
                    (4, "resolved", None)]
