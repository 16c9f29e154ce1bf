"""Single-runner duties (engine.platform.duty_lock) and the open alerts' unique index (engine.platform.alerts).

On PostgreSQL every scheduled duty steps aside while another process holds its advisory lock, and two transactions
raising the same alert at once leave one open row; on SQLite (one machine, writers queue) the duties always run and
the unique index still refuses a second open alert."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError

from engine.background.notify import notify_pass
from engine.background.notify_delivery import DeliverySettings
from engine.background.scheduler import calendar_job, overdue_job
from engine.calendar import store as calendar_store
from engine.domain.inspection_alerts import OVERDUE
from engine.models import Alert
from engine.platform import alerts
from engine.platform.clock import FrozenClock
from engine.platform.db import is_postgresql
from engine.platform.duty_lock import CALENDAR_LOCK_KEY, NOTIFY_LOCK_KEY, OVERDUE_LOCK_KEY, single_runner
from tests.engine.helpers import deploy, start

LATER = FrozenClock("2026-09-30T11:30:00+08:00")  # past timer_kinds' 1-hour due moment
NEXT_YEAR_AHEAD = FrozenClock("2026-11-22T10:00:00+08:00")  # 2027 uncovered and near: the calendar check alerts


def open_count(svc, kind: str) -> int:
    with svc.sessions() as session:
        return session.scalar(select(func.count()).select_from(Alert).where(
            Alert.kind == kind, Alert.status.in_(alerts.OPEN_STATES))) or 0


def test_every_duty_steps_aside_while_another_process_holds_its_lock(svc, clock):
    if not is_postgresql(svc.engine):
        with single_runner(svc.engine, OVERDUE_LOCK_KEY) as held, single_runner(svc.engine, OVERDUE_LOCK_KEY) as too:
            assert held and too  # SQLite: one machine, its write transactions queue the runners
        return
    deploy(svc, clock, "timer_kinds.bpmn")
    start(svc, clock, "timer_kinds")  # a task due in an hour
    with svc.engine.connect() as other:  # another process's connection
        for key in (OVERDUE_LOCK_KEY, CALENDAR_LOCK_KEY, NOTIFY_LOCK_KEY):
            assert other.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key})
        other.commit()
        with single_runner(svc.engine, OVERDUE_LOCK_KEY) as held:
            assert not held
        overdue_job(svc.write_sessions, lambda: LATER)()
        calendar_job(svc.runtime, svc.write_sessions, lambda: NEXT_YEAR_AHEAD)()
        assert notify_pass(svc.runtime, svc.write_sessions, LATER, DeliverySettings()).skipped_locked
        assert open_count(svc, OVERDUE) == open_count(svc, calendar_store.UNCOVERED_YEAR_ALERT) == 0
        other.execute(text("SELECT pg_advisory_unlock_all()"))
        other.commit()
    overdue_job(svc.write_sessions, lambda: LATER)()
    calendar_job(svc.runtime, svc.write_sessions, lambda: NEXT_YEAR_AHEAD)()
    assert open_count(svc, OVERDUE) == open_count(svc, calendar_store.UNCOVERED_YEAR_ALERT) == 1


def test_the_database_refuses_a_second_open_alert_of_one_kind_and_subject(svc, clock):
    row = {"kind": "overdue", "subject": "task:x", "message": "m", "details": {}, "opened_at": clock.now(),
           "updated_at": clock.now()}
    with svc.write_sessions() as session:
        session.execute(insert(Alert).values(**row, status="resolved"))
        session.execute(insert(Alert).values(**row, status="resolved"))  # closed ones may repeat
        session.execute(insert(Alert).values(**row, status="acknowledged"))
        session.commit()
        with pytest.raises(IntegrityError):
            session.execute(insert(Alert).values(**row, status="open"))
        session.rollback()
    with svc.write_sessions() as session:  # raising it again refreshes the open one
        alert = alerts.raise_alert(session, kind="overdue", subject="task:x", message="新", details={"a": 1},
                                   now=clock.now() + timedelta(minutes=1))
        session.commit()
        assert (alert.status, alert.message, alert.details) == ("acknowledged", "新", {"a": 1})
    assert open_count(svc, "overdue") == 1


@pytest.mark.postgresql_only  # SQLite's IMMEDIATE write transactions never overlap: no race to lose
def test_two_transactions_raising_one_alert_at_once_leave_one_row(svc, clock):
    first = svc.write_sessions()
    alerts.raise_alert(first, kind="multi_head", subject="enterprise:1", message="一", details={"n": 1},
                       now=clock.now())  # inserted, not committed: the second cannot see it yet
    second_pid = []
    raised = []

    def second() -> None:
        with svc.write_sessions() as session:
            second_pid.append(session.scalar(text("SELECT pg_backend_pid()")))
            raised.append(alerts.raise_alert(session, kind="multi_head", subject="enterprise:1", message="二",
                                             details={"n": 2}, now=clock.now()).id)
            session.commit()

    thread = threading.Thread(target=second)
    thread.start()
    # Wait until the second's insert is blocked on the first's uncommitted row (a condition, polled).
    deadline = time.monotonic() + 30
    with svc.engine.connect() as watcher:
        while time.monotonic() < deadline:
            if second_pid and watcher.scalar(text("SELECT wait_event_type = 'Lock' FROM pg_stat_activity "
                                                  "WHERE pid = :pid"), {"pid": second_pid[0]}):
                break
            watcher.rollback()
    first.commit()
    thread.join()
    first.close()
    with svc.sessions() as session:
        (alert,) = session.scalars(select(Alert).where(Alert.kind == "multi_head")).all()
    assert raised == [alert.id] and alert.message == "二" and alert.details == {"n": 2}  # refreshed, not doubled
