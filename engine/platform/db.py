"""Database engines and sessions.

Owns how inspectflow connects: the default embedded SQLite file, PostgreSQL through DATABASE_URL, and the
SQLite settings that make it safe for several threads and processes: WAL, a busy timeout, and for sessions
made by `make_write_session_factory` a BEGIN IMMEDIATE, so that two writers queue at the start instead of
one failing to upgrade its read lock halfway through a step. Read-only sessions begin DEFERRED and never
block anyone. Transactions belong to the caller: engine functions only flush.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import cast

from sqlalchemy import CursorResult, Engine, Result, create_engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_SQLITE_PATH = Path("instance") / "inspectflow.db"
SQLITE_WAL_AUTOCHECKPOINT_PAGES = 10_000


def database_url(environ: dict[str, str] | None = None) -> str:
    env = environ if environ is not None else os.environ
    url = env.get("DATABASE_URL")
    if url:
        return normalise_url(url)
    return f"sqlite:///{DEFAULT_SQLITE_PATH.resolve()}"


def normalise_url(url: str) -> str:
    """Accept the common `postgresql://` spelling and use psycopg 3 for it."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def make_engine(url: str | None = None, **kwargs) -> Engine:
    url = normalise_url(url) if url else database_url()
    if url.startswith("sqlite"):
        _ensure_sqlite_directory(url)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for reading (on SQLite their transactions take no write lock)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def make_write_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for units of work that write (on SQLite: BEGIN IMMEDIATE)."""
    return sessionmaker(bind=engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False)


def affected_rows(result: Result) -> int:
    """Rows an UPDATE/DELETE matched (the optimistic lock and claim checks rely on it)."""
    return cast(CursorResult, result).rowcount


def is_postgresql(session_or_engine: Session | Engine) -> bool:
    bind = session_or_engine.get_bind() if isinstance(session_or_engine, Session) else session_or_engine
    return bind.dialect.name == "postgresql"


@contextlib.contextmanager
def single_runner(engine: Engine, key: int) -> Iterator[bool]:
    """True while this process holds the session-level advisory lock `key` on PostgreSQL (a background duty's
    own key: one pass at a time across processes, a second returns at once); always True on SQLite, which
    serialises writers itself."""
    if not is_postgresql(engine):
        yield True
        return
    with engine.connect() as connection:
        held = bool(connection.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}))
        connection.commit()
        try:
            yield held
        finally:
            if held:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                connection.commit()


def has_table(engine: Engine, name: str) -> bool:
    """Whether the schema has the table yet (it has not before `db upgrade` made it)."""
    return inspect(engine).has_table(name)


def checkpoint_sqlite(engine: Engine) -> None:
    """Copy the WAL into the database file without waiting for readers (a no-op on PostgreSQL)."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            # On the driver connection, outside any transaction: SQLite refuses a checkpoint inside one.
            driver = connection.connection.driver_connection
            assert driver is not None
            driver.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


def _ensure_sqlite_directory(url: str) -> None:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:" and not path.startswith("file:"):
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see the "begin" hook).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL never corrupts the database; a power cut may lose the commits since the last
        # checkpoint, an application crash loses nothing.
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Checkpoints (the only fsyncs) then happen every ~40 MB of WAL instead of every 4 MB, off most commits;
        # the scheduler also checkpoints every few seconds (engine.background.scheduler), which bounds what a power cut
        # can take.
        cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_WAL_AUTOCHECKPOINT_PAGES}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        # Straight to the driver: this runs once per transaction, on the hot path of every step.
        connection.connection.driver_connection.execute(f"BEGIN {mode}")
