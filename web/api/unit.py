"""One transaction per API request (issue 13 item 5): the token lookup, the note of its use, the access check and
the engine call share one session, which `requires` (web/api/auth.py) opens before the view and commits when the
view returns (rolls back when it raises). Views take it with `session()`, or `work()` for an engine command.

- A request that may write (POST …) gets a write session (BEGIN IMMEDIATE on SQLite), a GET a reading one, so
  that on SQLite reads never queue behind writers.
- The token's last use is noted to the minute (engine.identity.api_tokens) inside the request's transaction,
  except where that transaction must stay read-only (a GET on SQLite: a DEFERRED transaction that starts
  writing after it has read fails when another writer committed in between) or is rolled back (a refused or
  failed request): then in a small transaction of its own after it, at most once a minute per token.
- The pool does not ping connections at checkout (engine.platform.db): the token lookup, the first statement of
  the transaction, runs once more on a new connection when the pooled one turns out dead.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime

from flask import current_app, g, request
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from engine.commands import Work
from engine.identity import api_tokens
from engine.identity.api_tokens import TokenUse
from engine.platform.db import first_in_new_session, is_postgresql
from web.services import services

READING_METHODS = ("GET", "HEAD", "OPTIONS")


@contextlib.contextmanager
def opened(token: str) -> Iterator[TokenUse | None]:
    """The request's transaction, begun with the lookup of `token` (None: unknown, expired or revoked)."""
    svc = services()
    now = svc.clock().now()
    writes = request.method not in READING_METHODS
    may_note = writes or is_postgresql(svc.engine)
    sessions = svc.write_sessions if writes else svc.sessions
    db, use = first_in_new_session(sessions, lambda db: api_tokens.use_token(db, token, now, note=may_note))
    committed = False
    g.api_session = db
    try:
        with db:
            try:
                yield use
                db.commit()
                committed = True
            except BaseException:
                db.rollback()
                raise
    finally:
        g.pop("api_session", None)
        if use is not None and use.use_due and not (use.noted and committed):
            _note_use(use, now)


def _note_use(use: TokenUse, now: datetime) -> None:
    try:
        with services().transaction() as db:
            api_tokens.note_use(db, use.token_id, now)
    except SQLAlchemyError:
        # The request's own outcome (its answer, or its error) is what to report, not a missed note of a minute.
        current_app.logger.warning("could not note the use of API token %s", use.token_id, exc_info=True)


def session() -> Session:
    """The request's session (inside a view that `requires` guards)."""
    return g.api_session


def work() -> Work:
    """The request's transaction as an engine command's unit of work."""
    svc = services()
    return Work(g.api_session, svc.clock(), svc.runtime)
