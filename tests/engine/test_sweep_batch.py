"""The sweep fires a group of instances in one go: a handful of statements whatever the group's size, and an
instance whose row a user's step holds is left for the next sweep instead of being waited for."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, select, text

from engine.background.sweep import sweep
from engine.models import AuditEntry, Deadline
from engine.platform.clock import FrozenClock
from engine.platform.hotsql import HotSql
from tests.engine.helpers import deploy, only_task, start

DUE = FrozenClock("2026-10-09T00:00:01+08:00")  # timer_escalation's boundary timer: 1 WD after 2026-09-30


class _CountingCursor:
    def __init__(self, cursor, sent: list[str]):
        self._cursor, self._sent = cursor, sent

    def execute(self, statement, *args, **kwargs):
        self._sent.append(statement)
        self._cursor.execute(statement, *args, **kwargs)
        return self

    def executemany(self, statement, *args, **kwargs):
        self._sent.append(statement)
        self._cursor.executemany(statement, *args, **kwargs)
        return self

    def __getattr__(self, name):
        return getattr(self._cursor, name)


@pytest.fixture
def statements(svc, monkeypatch):
    """Every statement sent to the database: SQLAlchemy's and the step statements' (engine.platform.hotsql)."""
    sent: list[str] = []

    def through_sqlalchemy(connection, cursor, statement, *args) -> None:
        sent.append(statement)

    made = HotSql.__init__

    def counting(self, session) -> None:
        made(self, session)
        self._cursor = _CountingCursor(self._cursor, sent)

    event.listen(svc.engine, "before_cursor_execute", through_sqlalchemy)
    monkeypatch.setattr(HotSql, "__init__", counting)
    yield sent
    event.remove(svc.engine, "before_cursor_execute", through_sqlalchemy)


def start_waiting(svc, clock, count: int) -> list[int]:
    return [start(svc, clock, "timer_escalation", {"inspection_date": "2026-09-30"}).id for _ in range(count)]


def test_a_group_costs_the_same_statements_whatever_its_size(svc, clock, statements):
    deploy(svc, clock, "timer_escalation.bpmn")
    sent_for = {}
    for count in (3, 9):
        started = start_waiting(svc, clock, count)
        svc.runtime.workflows.clear()  # as in the scheduler process, which did not start these
        statements.clear()
        report = sweep(svc.runtime, svc.write_sessions, DUE)
        sent_for[count] = len(statements)
        assert sorted(f["instance_id"] for f in report.fired) == started and report.failed == []
        for instance_id in started:
            assert only_task(svc, instance_id, "Escalate")
    assert sent_for[9] == sent_for[3]
    with svc.sessions() as session:
        assert session.scalars(select(Deadline)).all() == []
        fired = session.scalars(select(AuditEntry.instance_id).where(AuditEntry.action == "timer.fired")).all()
    assert sorted(fired) == sorted(set(fired)) and len(fired) == 12


@pytest.mark.postgresql_only  # SQLite has one writer at a time: a user's step and the sweep never overlap
def test_an_instance_a_user_is_stepping_is_left_for_the_next_sweep(svc, clock):
    deploy(svc, clock, "timer_escalation.bpmn")
    busy, other = start_waiting(svc, clock, 2)
    reports = []
    with svc.engine.connect() as user:
        # What a user's step in progress holds: the instance row, locked by its version-checked update.
        user.execute(text("SELECT id FROM process_instance WHERE id = :id FOR UPDATE"), {"id": busy})
        sweeper = threading.Thread(target=lambda: reports.append(sweep(svc.runtime, svc.write_sessions, DUE)))
        sweeper.start()
        sweeper.join(timeout=60)  # waiting on the user's lock instead would hang here
        finished = not sweeper.is_alive()
        user.rollback()
    sweeper.join()
    assert finished, "the sweep waited for the user's step"
    (report,) = reports
    assert [f["instance_id"] for f in report.fired] == [other] and report.failed == []
    with svc.sessions() as session:
        (left,) = session.scalars(select(Deadline).where(Deadline.instance_id == busy)).all()
        assert left.attempts == 0 and left.failed_at is None
    assert [f["instance_id"] for f in sweep(svc.runtime, svc.write_sessions, DUE).fired] == [busy]
    assert only_task(svc, busy, "Escalate")
