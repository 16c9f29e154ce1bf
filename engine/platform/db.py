"""Database engines and sessions.

Owns how inspectflow connects: the default embedded SQLite file (`inspectflow.db` in the instance folder,
engine.platform.instance), PostgreSQL through DATABASE_URL, and the
SQLite settings that make it safe for several threads and processes: WAL, a busy timeout, and for sessions
made by `make_write_session_factory` a BEGIN IMMEDIATE, so that two writers queue at the start instead of
one failing to upgrade its read lock halfway through a step. Read-only sessions begin DEFERRED and never
block anyone. Transactions belong to the caller: engine functions only flush.

PostgreSQL connections are not pinged at every checkout (`pool_pre_ping` cost a round trip, and on psycopg a
BEGIN, per request). A pooled connection can still die: the server restarts, or a proxy or NAT drops it while
idle. What stands in for the ping:
- TCP keepalives (libpq's `keepalives_*`) keep an idle connection's NAT and proxy state alive and let the kernel
  notice a peer that is gone, so such a connection fails at once instead of hanging;
- at checkout, with no round trip, a connection psycopg already knows to be closed or broken is replaced, and
  one that sat idle in the pool for `IDLE_PING_AFTER_S` or more is pinged first: under load connections are
  never that idle, so the ping costs nothing where throughput matters;
- `pool_recycle` retires connections after `POOL_RECYCLE_S`, whatever happened to them;
- when a statement does find its connection dead, SQLAlchemy invalidates it and every pooled connection older
  than it; `first_in_new_session` runs a unit of work's first statements once more on a new connection, which is
  safe because nothing else ran in that transaction yet (the API's token lookup, web/api/unit.py).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar, cast

from sqlalchemy import CursorResult, Engine, Result, create_engine, event, exc, inspect
from sqlalchemy.orm import Session, sessionmaker

from engine.platform.instance import instance_dir

SQLITE_FILE = "inspectflow.db"
SQLITE_WAL_AUTOCHECKPOINT_PAGES = 10_000
IDLE_PING_AFTER_S = 30.0  # a connection idle in the pool this long is pinged before it is handed out
POOL_RECYCLE_S = 1800  # connections are replaced after half an hour, dead or alive
# libpq's TCP keepalives: probe after 60 s of silence, every 10 s, give up after 3 unanswered probes.
POSTGRES_KEEPALIVES = {"keepalives": 1, "keepalives_idle": 60, "keepalives_interval": 10, "keepalives_count": 3}

T = TypeVar("T")


def database_url(environ: Mapping[str, str] | None = None) -> str:
    env = environ if environ is not None else os.environ
    url = env.get("DATABASE_URL")
    if url:
        return normalise_url(url)
    return f"sqlite:///{instance_dir(env) / SQLITE_FILE}"


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
    connect_args = {**POSTGRES_KEEPALIVES, **kwargs.pop("connect_args", {})}
    idle_ping_after_s = kwargs.pop("idle_ping_after_s", IDLE_PING_AFTER_S)
    engine = create_engine(url, pool_recycle=kwargs.pop("pool_recycle", POOL_RECYCLE_S), connect_args=connect_args,
                           **kwargs)
    _check_at_checkout(engine, idle_ping_after_s)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for reading (on SQLite their transactions take no write lock)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def make_write_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for units of work that write (on SQLite: BEGIN IMMEDIATE)."""
    return sessionmaker(bind=engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False)


def first_in_new_session(sessions: sessionmaker[Session], first: Callable[[Session], T]) -> tuple[Session, T]:
    """A new session from `sessions` and what `first(session)` returned, its transaction's first statements.

    When those find the connection dead, SQLAlchemy has already invalidated it and its older pool mates: the
    session is closed and `first` runs once more in a new one. Nothing else ran in that transaction, so running
    it again is safe; a second failure is raised. The caller closes the session it gets."""
    session = sessions()
    try:
        return session, first(session)
    except exc.DBAPIError as error:
        session.close()
        if not error.connection_invalidated:
            raise
    session = sessions()
    try:
        return session, first(session)
    except BaseException:
        session.close()
        raise


def affected_rows(result: Result) -> int:
    """Rows an UPDATE/DELETE matched (the optimistic lock and claim checks rely on it)."""
    return cast(CursorResult, result).rowcount


def is_postgresql(session_or_engine: Session | Engine) -> bool:
    bind = session_or_engine.get_bind() if isinstance(session_or_engine, Session) else session_or_engine
    return bind.dialect.name == "postgresql"


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


def _check_at_checkout(engine: Engine, idle_ping_after_s: float) -> None:
    """Replace a connection known to be dead, and ping one that sat idle long, when the pool hands it out (see
    the module docstring). Raising DisconnectionError makes the pool discard it and hand out a new one."""
    driver_error = engine.dialect.loaded_dbapi.Error

    @event.listens_for(engine.pool, "checkin")
    def _checked_in(_dbapi_connection, record):
        if record is not None:
            record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def _checked_out(dbapi_connection, record, _proxy):
        if getattr(dbapi_connection, "closed", False) or getattr(dbapi_connection, "broken", False):
            raise exc.DisconnectionError("the connection was closed")
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < idle_ping_after_s:
            return
        try:
            dbapi_connection.execute("SELECT 1")
            dbapi_connection.rollback()  # the ping's transaction; the next user begins its own
        except driver_error as error:
            raise exc.DisconnectionError("the connection did not answer a ping") from error


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
