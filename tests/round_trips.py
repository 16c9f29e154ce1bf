"""Counting what a request costs the database: statements, transactions, pool checkouts and liveness pings.

`counting(engine)` watches the app's own engine while the block runs. Statements are counted at the driver,
below SQLAlchemy, so that those engine.platform.hotsql sends straight to the DB-API cursor count too: on
PostgreSQL through psycopg's cursor factory, on SQLite through the connection's trace callback. Transactions are
SQLAlchemy's `begin` events, checkouts the pool's, and pings calls of the dialect's `do_ping` (a pre-ping runs
below the statement events). On PostgreSQL psycopg sends BEGIN and COMMIT as round trips of their own, so
`round_trips` there is statements + pings + 2 per transaction. Counts are behaviour, not timing: tests may
assert them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine, event

_TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK")


@dataclass
class Counts:
    statements: int = 0
    transactions: int = 0
    checkouts: int = 0
    pings: int = 0
    sql: list[str] = field(default_factory=list)

    @property
    def round_trips(self) -> int:
        return self.statements + self.pings + 2 * self.transactions

    def note(self, statement: str) -> None:
        text = " ".join(str(statement).split())
        if not text.upper().startswith(_TRANSACTION_CONTROL):
            self.statements += 1
            self.sql.append(text[:200])


@contextmanager
def counting(engine: Engine) -> Iterator[Counts]:
    counts = Counts()
    postgres = engine.dialect.name == "postgresql"

    def on_begin(_connection):
        counts.transactions += 1

    def on_checkout(dbapi_connection, _record, _proxy):
        counts.checkouts += 1
        if postgres:
            shipped = dbapi_connection.cursor_factory

            class Counting(shipped):  # type: ignore[misc,valid-type]
                def execute(self, query, *args, **kwargs):
                    counts.note(query)
                    return super().execute(query, *args, **kwargs)

                def executemany(self, query, *args, **kwargs):
                    counts.note(query)
                    return super().executemany(query, *args, **kwargs)

            Counting.shipped = shipped  # type: ignore[attr-defined]
            dbapi_connection.cursor_factory = Counting
        else:
            dbapi_connection.set_trace_callback(counts.note)

    def on_checkin(dbapi_connection, _record):
        if dbapi_connection is None:
            return
        if postgres:
            dbapi_connection.cursor_factory = getattr(dbapi_connection.cursor_factory, "shipped",
                                                      dbapi_connection.cursor_factory)
        else:
            dbapi_connection.set_trace_callback(None)

    dialect = engine.dialect
    shipped_ping = dialect.do_ping

    def ping(dbapi_connection):
        counts.pings += 1
        return shipped_ping(dbapi_connection)

    event.listen(engine, "begin", on_begin)
    event.listen(engine.pool, "checkout", on_checkout)
    event.listen(engine.pool, "checkin", on_checkin)
    dialect.do_ping = ping  # type: ignore[method-assign]
    try:
        yield counts
    finally:
        dialect.do_ping = shipped_ping  # type: ignore[method-assign]
        event.remove(engine.pool, "checkin", on_checkin)
        event.remove(engine.pool, "checkout", on_checkout)
        event.remove(engine, "begin", on_begin)
