"""What the engine tells observers: an instance started, a user task completed, a timer fired.

The runtime announces each act with `announce(session, event)` inside the unit of work that performs it; the
listeners hear it only after that unit of work has committed. An act rolled back — the whole transaction, or
the savepoint it ran in (the sweep fires each instance in one) — is never heard, so a counter built on these
events counts what the database holds. Listeners run in the committing thread, after the commit; one that
raises is logged and the others still run (the act itself is done by then).

Listeners are process-wide and registered once (`listen` ignores a listener it already has): the web layer
hangs its metrics and log lines here (web.observability) without the engine knowing about either.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)

Kind = Literal["started", "completed", "fired"]
KINDS: tuple[Kind, ...] = ("started", "completed", "fired")
_PENDING = "inspectflow.events.pending"  # session.info: [(transaction announced in, event)]
_COMMITTED = "inspectflow.events.committed"  # session.info: the ending transaction committed (set by after_commit)


@dataclass(frozen=True)
class Event:
    kind: Kind
    process_key: str
    instance_id: int
    at: datetime  # the act's moment, from the injected clock
    task_id: str | None = None  # the completed user task, or the fired timer's task (its deadline row's id)
    element_id: str | None = None
    due_at: datetime | None = None  # a fired timer's due moment


Listener = Callable[[Event], None]
_listeners: dict[Kind, dict[Listener, None]] = {kind: {} for kind in KINDS}  # insertion-ordered sets


def listen(kind: Kind, listener: Listener) -> None:
    _listeners[kind].setdefault(listener, None)


def unlisten(kind: Kind, listener: Listener) -> None:
    _listeners[kind].pop(listener, None)


def announce(session: Session, happened: Event) -> None:
    """Tell the listeners once the session's transaction commits (never, if it or the savepoint rolls back)."""
    if not _listeners[happened.kind]:
        return
    innermost = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_PENDING, []).append((innermost, happened))


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    # Fires for a released savepoint as well as for the real commit, just before after_transaction_end.
    session.info[_COMMITTED] = True


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    committed = session.info.pop(_COMMITTED, False)
    pending = session.info.get(_PENDING)
    if not pending:
        return
    if transaction.parent is None:
        del session.info[_PENDING]
        if committed:
            _deliver([happened for _, happened in pending])
    elif not committed:  # a savepoint rolled back: what was announced inside it did not happen
        session.info[_PENDING] = [(where, happened) for where, happened in pending
                                  if not _inside(where, transaction)]


def _inside(where: SessionTransaction | None, transaction: SessionTransaction) -> bool:
    while where is not None:
        if where is transaction:
            return True
        where = where.parent
    return False


def _deliver(happenings: list[Event]) -> None:
    for happened in happenings:
        for listener in list(_listeners[happened.kind]):
            try:
                listener(happened)
            except Exception:
                log.exception("an observer of %s events failed", happened.kind)
