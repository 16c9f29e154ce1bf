"""Single-runner duties: "run this only if no other process is running it".

Every scheduled duty (the deadline sweep, the overdue scan, the calendar check, the reminders, the attachment
prune) may be started by several processes at once — two `inspectflow worker` processes, or a worker beside an
embedded `serve`.
`single_runner(engine, key)` lets exactly one of them work at a time: on PostgreSQL it takes the session-level
advisory lock `key` with `pg_try_advisory_lock` on a connection of its own, held until the block ends, and a
second taker is told at once that the duty is busy (it does not wait); a process that dies loses its connection
and with it the lock, so nothing stays locked behind a dead runner. SQLite has no advisory locks and serves one
machine: the block always runs, and the duties' own IMMEDIATE write transactions queue concurrent runners.

The keys are arbitrary constants, one per duty, shared by every inspectflow process on the database.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import Engine, text

from engine.platform.db import is_postgresql

SWEEP_LOCK_KEY = 0x1F5EC7F1
NOTIFY_LOCK_KEY = 0x1F5EC7F2
OVERDUE_LOCK_KEY = 0x1F5EC7F3
CALENDAR_LOCK_KEY = 0x1F5EC7F4
PRUNE_LOCK_KEY = 0x1F5EC7F5


@contextlib.contextmanager
def single_runner(engine: Engine, key: int) -> Iterator[bool]:
    """True while this process holds the duty's lock (always on SQLite); False when another holds it."""
    if not is_postgresql(engine):
        yield True
        return
    with engine.connect() as connection:
        held = bool(connection.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}))
        connection.commit()  # the lock is the session's, not the transaction's: leave no transaction open
        try:
            yield held
        finally:
            if held:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                connection.commit()
