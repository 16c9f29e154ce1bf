"""Timers and the sweep, with a frozen clock: each timer kind, escalation paths, exact firing, provisional
due dates across an uncovered year, recomputation after a calendar import, failure isolation."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from engine.background.sweep import sweep
from engine.calendar import store as calendar_store
from engine.domain.inspection_alerts import OVERDUE, scan_overdue
from engine.models import AuditEntry, Deadline, TaskRecord
from engine.platform import alerts
from engine.platform.clock import SHANGHAI, FrozenClock
from engine.runtime import timers
from tests.engine.helpers import complete, deploy, only_task, open_tasks, start


def shanghai(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def deadlines(svc) -> list[Deadline]:
    with svc.sessions() as session:
        return list(session.scalars(select(Deadline).order_by(Deadline.due_at)))


def test_boundary_timer_due_is_one_working_day_after_across_national_day(svc, clock):
    # An urgent inspection on 2026-09-30: the code must be approved by the end of the first working day after
    # it, which the National Day week pushes to 2026-10-08 (R7).
    deploy(svc, clock, "timer_escalation.bpmn")
    started = start(svc, clock, "timer_escalation", {"inspection_date": "2026-09-30"})
    (deadline,) = deadlines(svc)
    assert deadline.due_at == shanghai("2026-10-08T23:59:59.999999")
    assert deadline.element_id == "Late" and deadline.provisional is False
    approve = only_task(svc, started.id, "Approve")
    assert approve.due_at == deadline.due_at

    # The eve of the due moment: nothing fires.
    report = sweep(svc.runtime, svc.write_sessions, FrozenClock("2026-10-08T23:59:59+08:00"))
    assert report.fired == [] and len(deadlines(svc)) == 1

    report = sweep(svc.runtime, svc.write_sessions, FrozenClock("2026-10-09T00:00:01+08:00"))
    assert [f["element_id"] for f in report.fired] == ["Late"]
    assert deadlines(svc) == []
    with svc.sessions() as session:
        assert session.get(TaskRecord, approve.id).state == "cancelled"
    escalate = only_task(svc, started.id, "Escalate")
    assert escalate.candidate_group == "supervisor"

    # A second sweep finds nothing more to do.
    assert sweep(svc.runtime, svc.write_sessions, FrozenClock("2026-10-09T00:05:00+08:00")).fired == []


def test_completing_in_time_removes_the_deadline(svc, clock):
    deploy(svc, clock, "timer_escalation.bpmn")
    started = start(svc, clock, "timer_escalation", {"inspection_date": "2026-09-30"})
    complete(svc, clock, only_task(svc, started.id, "Approve").id)
    assert deadlines(svc) == []
    assert sweep(svc.runtime, svc.write_sessions, FrozenClock("2026-10-20T00:00:00+08:00")).fired == []


def test_non_interrupting_duration_and_intermediate_date_timers(svc, clock):
    deploy(svc, clock, "timer_kinds.bpmn")
    started = start(svc, clock, "timer_kinds")
    prepare = only_task(svc, started.id, "Prepare")
    (nudge,) = deadlines(svc)
    assert nudge.due_at == clock.now() + timedelta(hours=1)

    fired = sweep(svc.runtime, svc.write_sessions, FrozenClock("2026-09-30T11:00:01+08:00")).fired
    assert [f["element_id"] for f in fired] == ["Nudge"]
    # Non-interrupting: the task stays open and the reminder opens beside it; the task stays overdue.
    assert {t.element_id for t in open_tasks(svc, started.id)} == {"Prepare", "Remind"}
    assert only_task(svc, started.id, "Prepare").due_at == nudge.due_at

    # Notice given on 2026-09-30: 5 working days later, across the National Day week and the Saturday
    # make-up working day of 2026-10-10, is 2026-10-13 (R8); the inspection cannot open earlier.
    complete(svc, clock, prepare.id, {"notice_date": "2026-09-30"})
    (notice,) = [d for d in deadlines(svc) if d.element_id == "NoticePeriod"]
    assert notice.due_at == shanghai("2026-10-13T23:59:59.999999")
    assert sweep(svc.runtime, svc.write_sessions, FrozenClock("2026-10-13T23:00:00+08:00")).fired == []
    assert {t.element_id for t in open_tasks(svc, started.id)} == {"Remind"}
    fired = sweep(svc.runtime, svc.write_sessions, FrozenClock("2026-10-14T00:00:01+08:00")).fired
    assert [f["element_id"] for f in fired] == ["NoticePeriod"]
    assert only_task(svc, started.id, "Inspect")


def test_past_due_timer_fires_at_the_first_engine_step(svc, clock):
    deploy(svc, clock, "timer_escalation.bpmn")
    started = start(svc, clock, "timer_escalation", {"inspection_date": "2026-09-01"})
    assert deadlines(svc) == []
    assert only_task(svc, started.id, "Escalate")


def test_sweep_fires_only_what_is_due(svc, clock):
    deploy(svc, clock, "timer_escalation.bpmn")
    early = start(svc, clock, "timer_escalation", {"inspection_date": "2026-09-30"})
    late = start(svc, clock, "timer_escalation", {"inspection_date": "2026-10-09"})
    report = sweep(svc.runtime, svc.write_sessions, FrozenClock("2026-10-09T00:00:01+08:00"))
    assert [f["instance_id"] for f in report.fired] == [early.id]
    assert only_task(svc, late.id, "Approve")
    with svc.sessions() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)
                              .where(AuditEntry.action == "timer.fired")) == 1


def test_due_date_in_an_uncovered_year_is_provisional_until_imported(svc, clock, tmp_path):
    clock.set("2026-12-30T10:00:00+08:00")
    deploy(svc, clock, "timer_escalation.bpmn")
    started = start(svc, clock, "timer_escalation", {"inspection_date": "2026-12-30"})
    (deadline,) = deadlines(svc)
    # Estimated 2027: Jan 1 is the New Year holiday, Jan 2–3 a weekend: the 1st working day after Dec 30 is Dec 31.
    assert deadline.due_at == shanghai("2026-12-31T23:59:59.999999")
    assert deadline.provisional is False

    # Three working days from 2026-12-30 reach into 2027.
    started3 = start(svc, clock, "timer_escalation", {"inspection_date": "2027-01-04"})
    provisional = [d for d in deadlines(svc) if d.instance_id == started3.id]
    assert provisional[0].provisional is True
    assert only_task(svc, started3.id, "Approve").due_provisional is True
    with svc.sessions() as session:
        (alert,) = alerts.open_alerts(session, calendar_store.UNCOVERED_YEAR_ALERT)
        assert alert.subject == "2027"

    # The official 2027 schedule (as an administrator would import it) makes Jan 5 a holiday, for the test.
    schedule = tmp_path / "2027.csv"
    schedule.write_text("date,kind\n2027-01-01,holiday\n2027-01-05,holiday\n", encoding="utf-8")
    with svc.transaction() as session:
        calendar_store.import_schedule(session, schedule.read_text(), source="2027.csv", actor="admin",
                                       now=clock.now())
        changes = timers.recompute_provisional(svc.runtime, session, clock, actor="admin")
    assert [(c["instance_id"], c["after"][:10]) for c in changes] == [(started3.id, "2027-01-06")]
    (recomputed,) = [d for d in deadlines(svc) if d.instance_id == started3.id]
    assert recomputed.provisional is False
    assert recomputed.due_at == shanghai("2027-01-06T23:59:59.999999")
    assert only_task(svc, started3.id, "Approve").due_at == recomputed.due_at
    with svc.sessions() as session:
        assert alerts.open_alerts(session, calendar_store.UNCOVERED_YEAR_ALERT) == []
    assert started  # the covered-year instance was untouched


def test_a_failing_timer_path_is_isolated_and_reported(svc, clock):
    deploy(svc, clock, "timer_failing.bpmn")
    good = start(svc, clock, "timer_failing", {"divisor": 4})
    bad = start(svc, clock, "timer_failing", {"divisor": 0})
    moment = FrozenClock("2026-09-30T11:00:01+08:00")

    report = sweep(svc.runtime, svc.write_sessions, moment)

    assert [f["instance_id"] for f in report.fired] == [good.id]
    assert [f["instance_id"] for f in report.failed] == [bad.id]
    assert "Divide" in report.failed[0]["error"]
    assert only_task(svc, good.id, "Next")
    assert only_task(svc, bad.id, "Wait")  # rolled back: still waiting, nothing half-done
    (failed,) = deadlines(svc)
    assert failed.instance_id == bad.id and failed.failed_at == moment.now() and "Divide" in failed.last_error
    with svc.sessions() as session:
        (alert,) = alerts.open_alerts(session, "timer_failed")
        assert alert.details["instance_id"] == bad.id
    # A failed deadline is not retried by every sweep.
    assert sweep(svc.runtime, svc.write_sessions, moment).failed == []


def test_cycle_timer_fires_each_time_and_then_stops(svc, clock):
    deploy(svc, clock, "timer_cycle.bpmn")
    started = start(svc, clock, "timer_cycle")
    (first,) = deadlines(svc)
    assert first.due_at == shanghai("2026-09-30T11:00:00")

    fired = sweep(svc.runtime, svc.write_sessions, FrozenClock("2026-09-30T11:00:01+08:00")).fired
    assert [f["element_id"] for f in fired] == ["Hourly"]
    # A cycle timer's row stays (it is the same waiting event) and moves to its next occurrence.
    (second,) = deadlines(svc)
    assert second.id == first.id and second.due_at == shanghai("2026-09-30T12:00:00")
    assert [t.element_id for t in open_tasks(svc, started.id)].count("Remind") == 1

    assert len(sweep(svc.runtime, svc.write_sessions, FrozenClock("2026-09-30T12:00:01+08:00")).fired) == 1
    assert deadlines(svc) == []  # both cycles done
    assert [t.element_id for t in open_tasks(svc, started.id)].count("Remind") == 2
    assert sweep(svc.runtime, svc.write_sessions, FrozenClock("2026-09-30T15:00:00+08:00")).fired == []
    assert [t.element_id for t in open_tasks(svc, started.id)].count("Remind") == 2


def test_a_deadline_on_a_sub_process_dates_the_tasks_inside_it(svc, clock):
    deploy(svc, clock, "subprocess_deadline.bpmn")
    started = start(svc, clock, "subprocess_deadline", {"received_date": "2026-09-30"})
    investigate = only_task(svc, started.id, "Investigate")
    # 15 working days after 2026-09-30, across the National Day week and the make-up Saturday of 10-10.
    assert investigate.due_at == shanghai("2026-10-27T23:59:59.999999")
    # The embedded sub-process is not a deployed process: its tasks belong to the process around it.
    assert investigate.process_key == "subprocess_deadline"
    assert investigate.candidate_group == "县综合执法办"


def test_an_overdue_alert_follows_its_steps_due_moment_when_the_calendar_moves_it(svc, clock, tmp_path):
    clock.set("2026-12-30T10:00:00+08:00")
    deploy(svc, clock, "timer_escalation.bpmn")
    # Three working days from 2026-12-30 on the estimated 2027: Dec 31, Jan 4, Jan 5.
    started = start(svc, clock, "timer_escalation", {"inspection_date": "2027-01-04"})
    overdue_at = datetime(2027, 1, 7, 10, 0, tzinfo=SHANGHAI)
    with svc.transaction() as session:
        assert scan_overdue(session, overdue_at)["raised"] == 1
        (alert,) = alerts.open_alerts(session, OVERDUE)
        assert "应于 2027-01-05 23:59 前完成" in alert.message
        alerts.set_status(session, alert.id, status="acknowledged", actor="sup", now=clock.now())

    # The official schedule makes Jan 5 a holiday: the step is due a day later, still overdue on Jan 7.
    with svc.transaction() as session:
        calendar_store.import_schedule(session, "date,kind\n2027-01-01,holiday\n2027-01-05,holiday\n",
                                       source="2027.csv", actor="admin", now=clock.now())
        timers.recompute_provisional(svc.runtime, session, clock, actor="admin")
    with svc.transaction() as session:
        assert alerts.open_alerts(session, OVERDUE) == []  # the old deadline's alert, acknowledged, is closed
        assert scan_overdue(session, overdue_at) == {"raised": 1, "resolved": 0}
        (alert,) = alerts.open_alerts(session, OVERDUE)
        assert "应于 2027-01-06 23:59 前完成" in alert.message and alert.status == "open"
        assert alert.details["task_id"] == only_task(svc, started.id, "Approve").id
