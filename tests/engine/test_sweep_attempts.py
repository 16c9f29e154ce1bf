"""The sweep when firing one instance goes wrong: a script that would write a terabyte of task data, and a
firing that kills the sweeping process. Either way that deadline is marked failed with an alert, and every
other instance's timer still fires."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.background import sweep as sweep_module
from engine.background.sweep import MAX_FIRE_ATTEMPTS, SweepReport, sweep
from engine.models import Deadline
from engine.platform import alerts
from engine.platform.clock import FrozenClock
from engine.runtime import deploy as deploy_module
from engine.runtime import timers as timers_module
from tests.engine.helpers import only_task, start

# After an hour the timer runs a script; with `bomb` set, it leaves a list of a million references to a
# million-character text in task data: 8 MB in memory, about a terabyte written out as JSON.
TIMER_SCRIPT = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs" targetNamespace="http://t">
  <bpmn:process id="timer_script" name="Timer then script" isExecutable="true">
    <bpmn:startEvent id="StartEvent"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Wait" name="Wait">
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="Hour" attachedToRef="Wait">
      <bpmn:outgoing>F3</bpmn:outgoing>
      <bpmn:timerEventDefinition id="TD"><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="InTime"><bpmn:incoming>F2</bpmn:incoming></bpmn:endEvent>
    <bpmn:scriptTask id="Tally" name="Tally"><bpmn:incoming>F3</bpmn:incoming><bpmn:outgoing>F4</bpmn:outgoing>
      <bpmn:script>if bomb:
    s = 'x' * 10**6
    x = [s] * 10**6
late = True</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="Next" name="Next">
      <bpmn:incoming>F4</bpmn:incoming><bpmn:outgoing>F5</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="Done"><bpmn:incoming>F5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="StartEvent" targetRef="Wait" />
    <bpmn:sequenceFlow id="F2" sourceRef="Wait" targetRef="InTime" />
    <bpmn:sequenceFlow id="F3" sourceRef="Hour" targetRef="Tally" />
    <bpmn:sequenceFlow id="F4" sourceRef="Tally" targetRef="Next" />
    <bpmn:sequenceFlow id="F5" sourceRef="Next" targetRef="Done" />
  </bpmn:process>
</bpmn:definitions>
"""
DUE = FrozenClock("2026-09-30T11:00:01+08:00")


@pytest.fixture
def diagram(svc, clock):
    with svc.transaction() as session:
        deploy_module.deploy(svc.runtime, session, clock, xml=TIMER_SCRIPT, source_name="timer_script.bpmn",
                             actor="owner")


def deadline_of(svc, instance_id: int) -> Deadline:
    with svc.sessions() as session:
        return session.scalars(select(Deadline).where(Deadline.instance_id == instance_id)).one()


def timer_alert(svc, instance_id: int):
    with svc.sessions() as session:
        return [a for a in alerts.open_alerts(session, "timer_failed") if a.details["instance_id"] == instance_id]


def test_a_timer_whose_script_bombs_task_data_fails_alone(svc, clock, diagram):
    bomb = start(svc, clock, "timer_script", {"bomb": True})
    other = start(svc, clock, "timer_script", {"bomb": False})

    report = sweep(svc.runtime, svc.write_sessions, DUE)

    assert [f["instance_id"] for f in report.fired] == [other.id]
    assert only_task(svc, other.id, "Next")
    (failure,) = report.failed
    assert failure["instance_id"] == bomb.id
    assert "'Tally'" in failure["error"] and "more than 2,000,000 characters" in failure["error"]
    assert deadline_of(svc, bomb.id).failed_at == DUE.now()
    assert timer_alert(svc, bomb.id)
    assert only_task(svc, bomb.id, "Wait")  # rolled back, waiting for an operator


def test_a_deadline_whose_firing_never_finished_is_given_up_after_the_bound(svc, clock, diagram):
    crashed = start(svc, clock, "timer_script", {"bomb": False})
    other = start(svc, clock, "timer_script", {"bomb": False})
    # What a sweep that died while firing leaves behind: its attempt recorded, the timer not fired.
    for _ in range(MAX_FIRE_ATTEMPTS):
        sweep_module._begin_attempt(svc.write_sessions, [crashed.id], [], DUE.now(), SweepReport(at=DUE.now()),
                                    "scheduler")

    report = sweep(svc.runtime, svc.write_sessions, DUE)

    assert [f["instance_id"] for f in report.fired] == [other.id]
    assert [f["instance_id"] for f in report.failed] == [crashed.id]
    assert "never finished" in report.failed[0]["error"]
    stuck = deadline_of(svc, crashed.id)
    assert stuck.failed_at == DUE.now() and "never finished" in stuck.last_error
    assert timer_alert(svc, crashed.id)
    assert only_task(svc, crashed.id, "Wait")
    assert sweep(svc.runtime, svc.write_sessions, DUE).failed == []  # not tried again


def test_a_firing_that_kills_the_sweeper_is_retried_a_bounded_number_of_times_while_the_others_fire(
        svc, clock, diagram, monkeypatch):
    first = start(svc, clock, "timer_script", {"bomb": False})
    deadly = start(svc, clock, "timer_script", {"bomb": False})
    last = start(svc, clock, "timer_script", {"bomb": False})
    run_due = timers_module._run_due
    firings = []

    def run_or_die(runtime, session, clock, state, now, actor):
        firings.append(state.id)
        if state.id == deadly.id:
            raise SystemExit("the process died")  # not an Exception: nothing in the sweep catches it
        return run_due(runtime, session, clock, state, now, actor)

    monkeypatch.setattr(timers_module, "_run_due", run_or_die)
    sweeps = 0
    while sweeps < 10:
        sweeps += 1
        try:
            report = sweep(svc.runtime, svc.write_sessions, DUE)
        except SystemExit:
            continue  # the scheduler process restarts and sweeps again
        break

    # The group the deadly one shared died with it once; then each was fired on its own, the others first.
    assert sweeps == MAX_FIRE_ATTEMPTS + 1
    assert firings.count(deadly.id) == MAX_FIRE_ATTEMPTS
    assert only_task(svc, first.id, "Next") and only_task(svc, last.id, "Next")
    assert [f["instance_id"] for f in report.failed] == [deadly.id]
    assert deadline_of(svc, deadly.id).failed_at == DUE.now()
    assert timer_alert(svc, deadly.id)
    with svc.sessions() as session:
        assert session.scalars(select(Deadline.attempts)).all() == [MAX_FIRE_ATTEMPTS]


def test_a_firing_that_kills_the_sweeper_leaves_the_groups_after_it_uncounted(svc, clock, diagram, monkeypatch):
    fired_first, (deadly, beside), (after,) = [
        [start(svc, clock, "timer_script", {"bomb": False}).id for _ in range(size)] for size in (2, 2, 1)]
    run_due = timers_module._run_due

    def run_or_die(runtime, session, clock, state, now, actor):
        if state.id == deadly:
            raise SystemExit("the process died")
        return run_due(runtime, session, clock, state, now, actor)

    monkeypatch.setattr(timers_module, "_run_due", run_or_die)
    with pytest.raises(SystemExit):
        sweep(svc.runtime, svc.write_sessions, DUE, per_transaction=2)

    with svc.sessions() as session:
        attempts = dict(session.execute(select(Deadline.instance_id, Deadline.attempts)).all())
    # The first group fired, and its commit counted the second's attempt; the third was never begun.
    assert attempts == {deadly: 1, beside: 1, after: 0}
    assert all(only_task(svc, instance_id, "Next") for instance_id in fired_first)
