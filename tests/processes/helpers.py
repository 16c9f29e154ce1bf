"""Shared steps for the procedure tests: deploy the shipped diagrams, start, complete, sweep, read tasks.

Everything goes through the engine's public functions, as the web app does; nothing reads workflow state.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from engine.clock import SHANGHAI, FrozenClock
from engine.models import Deadline
from engine.runtime import deploy as deploy_module
from engine.runtime import instances
from engine.sweep import sweep
from tests.engine.helpers import complete, only_task, open_tasks, start

BPMN_DIR = Path(__file__).resolve().parents[2] / "processes" / "bpmn"
PROCESS_IDS = ["advance_notice", "code_retroactive", "complaint_correction", "inspection_lifecycle",
               "penalty_revisit", "quiet_period_override"]

__all__ = ["BPMN_DIR", "PROCESS_IDS", "complete", "deadline_due", "deploy_all", "end_of", "finished", "only_task",
           "open_ids", "open_tasks", "start", "sweep_at", "task_data"]


def deploy_all(svc, clock, actor: str = "owner") -> list:
    versions = []
    for path in sorted(BPMN_DIR.glob("*.bpmn")):
        with svc.transaction() as session:
            versions += deploy_module.deploy(svc.runtime, session, clock, xml=path.read_bytes(),
                                             source_name=path.name, actor=actor)
    return versions


def sweep_at(svc, moment: str) -> list[str]:
    """Sweep as of `moment` (Asia/Shanghai unless an offset is given); the element ids of the timers fired."""
    at = moment if "+" in moment[10:] else moment + "+08:00"
    report = sweep_fn(svc.runtime, svc.write_sessions, FrozenClock(at))
    assert report.failed == [], report.failed
    return [fired["element_id"] for fired in report.fired]


sweep_fn = sweep


def open_ids(svc, instance_id: int) -> set[str]:
    return {task.element_id for task in open_tasks(svc, instance_id)}


def task_data(svc, task_id: str) -> dict:
    with svc.sessions() as session:
        return instances.task_data(svc.runtime, session, task_id)


def finished(svc, instance_id: int) -> bool:
    with svc.sessions() as session:
        return instances.get_instance(session, instance_id).status == "completed"


def end_of(day: str) -> datetime:
    """The end of a working-day period that ends on `day`, as the calendar helpers give it."""
    return datetime.fromisoformat(f"{day}T23:59:59.999999").replace(tzinfo=SHANGHAI)


def deadline_due(svc, instance_id: int, element_id: str) -> datetime | None:
    """The due moment of a waiting timer as the deadline table holds it (None when it is not waiting)."""
    with svc.sessions() as session:
        return session.scalar(select(Deadline.due_at).where(Deadline.instance_id == instance_id,
                                                            Deadline.element_id == element_id))
