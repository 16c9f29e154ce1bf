"""engine.platform.events: observers hear starts, completions and fired timers once they committed, and never
what a rollback (of the transaction or of the savepoint the act ran in) undid."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from engine.background.sweep import sweep
from engine.platform import events
from engine.platform.clock import FrozenClock
from engine.runtime import instances
from tests.engine.helpers import complete, deploy, start

MOMENT = datetime(2026, 9, 30, 2, tzinfo=UTC)


@pytest.fixture
def heard() -> Iterator[list[events.Event]]:
    got: list[events.Event] = []
    for kind in events.KINDS:
        events.listen(kind, got.append)
    yield got
    for kind in events.KINDS:
        events.unlisten(kind, got.append)


def started(instance_id: int) -> events.Event:
    return events.Event("started", "p", instance_id, MOMENT)


def test_only_what_committed_is_heard_after_the_commit(heard):
    with Session(create_engine("sqlite://")) as session:
        session.execute(text("SELECT 1"))
        events.announce(session, started(1))
        undone = session.begin_nested()
        events.announce(session, started(2))
        inner = session.begin_nested()
        events.announce(session, started(3))
        inner.commit()
        undone.rollback()  # takes the released savepoint inside it along
        kept = session.begin_nested()
        events.announce(session, started(4))
        kept.commit()
        assert heard == []  # nothing before the commit
        session.commit()
        assert [e.instance_id for e in heard] == [1, 4]

        events.announce(session, started(5))
        session.rollback()
        events.announce(session, started(6))
    assert [e.instance_id for e in heard] == [1, 4]  # neither the rolled back nor the never committed


def test_a_failing_observer_does_not_silence_the_others(heard, caplog):
    def broken(happened):
        raise RuntimeError("observer down")

    events.unlisten("started", heard.append)
    events.listen("started", broken)
    events.listen("started", heard.append)
    try:
        with Session(create_engine("sqlite://")) as session:
            session.execute(text("SELECT 1"))
            events.announce(session, started(1))
            session.commit()
    finally:
        events.unlisten("started", broken)
    assert [e.instance_id for e in heard] == [1]
    assert "observer of started events failed" in caplog.text


def test_the_runtime_announces_starts_completions_and_fired_timers(svc, clock, heard):
    deploy(svc, clock, "approval_chain.bpmn", "timer_escalation.bpmn")
    with pytest.raises(RuntimeError), svc.transaction() as session:
        instances.start_instance(svc.runtime, session, clock, process_key="approval_chain", data={}, actor="staff")
        raise RuntimeError("the unit of work fails after the start")
    assert heard == []

    chain = start(svc, clock, "approval_chain")
    task = chain.open_tasks[0]
    complete(svc, clock, task["id"], {"ready": True, "items": ["消防"]})
    late = start(svc, clock, "timer_escalation", {"inspection_date": "2026-09-30"})
    later = FrozenClock("2026-10-30T10:00:00+08:00")
    (fired,) = sweep(svc.runtime, svc.write_sessions, later).fired

    assert [(e.kind, e.process_key, e.instance_id) for e in heard] == [
        ("started", "approval_chain", chain.id), ("completed", "approval_chain", chain.id),
        ("started", "timer_escalation", late.id), ("fired", "timer_escalation", late.id)]
    assert heard[1].task_id == task["id"] and heard[1].element_id == task["element_id"]
    assert heard[3].task_id == fired["deadline_id"] and heard[3].element_id == "Late"
    assert heard[3].at == later.now() and heard[3].due_at.isoformat() == fired["due_at"]
