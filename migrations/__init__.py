"""Alembic migrations: the only way inspectflow's schema changes. Run with `inspectflow db upgrade`."""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

MIGRATIONS_DIR = Path(__file__).resolve().parent


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Alembic reads this through ConfigParser, which treats % as interpolation.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


@functools.cache
def script_directory() -> ScriptDirectory:
    """The revisions this code ships (read once per process)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config)


def head_revisions() -> frozenset[str]:
    """The revisions this code's schema is at once migrated (one, unless branches were left unmerged)."""
    return frozenset(script_directory().get_heads())


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def create_postgres_database(database_url: str) -> None:
    """Create the PostgreSQL database the URL names unless it exists (through the maintenance database
    `postgres`): the benchmarks' and the test workers' databases, which must come up on a fresh server."""
    from sqlalchemy import make_url, text

    from engine.platform.db import make_engine

    url = make_url(database_url)
    maintenance = url.set(database="postgres").render_as_string(hide_password=False)
    admin = make_engine(maintenance, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                     {"name": url.database}):
                connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    finally:
        admin.dispose()


def recreate_postgres_schema(database_url: str) -> None:
    """Empty a PostgreSQL database (its public schema, the database created when missing) and migrate it from
    nothing: tests and benchmarks."""
    from sqlalchemy import text

    from engine.platform.db import make_engine

    create_postgres_database(database_url)
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(database_url)
