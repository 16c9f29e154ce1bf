"""Where a case (a process instance) stands now, for lists of cases: its open steps, the timers it waits on with
their names from the diagram and when they fire, and the enterprise it concerns.

`cases_now` reads a page of instances with a fixed number of queries (open steps, deadlines, the diagrams of the
versions they run), whatever the page's length. Whether the viewer may see each instance is the caller's filter
(engine.views.case_search, engine.views.inbox). Read-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn import parse_diagram_xml
from engine.bpmn.checks import bpmn
from engine.models import Deadline, Diagram, ProcessInstance, ProcessVersion, TaskRecord
from engine.views.inbox import TaskEnterprise, enterprises_by_instance


@dataclass(frozen=True)
class WaitingTimer:
    element_id: str
    name: str  # the timer event's name in the diagram, else its id
    due_at: datetime
    provisional: bool  # computed across a year the calendar only estimates


@dataclass(frozen=True)
class CaseNow:
    instance: ProcessInstance
    enterprise: TaskEnterprise | None = None
    open_steps: list[TaskRecord] = field(default_factory=list)
    timers: list[WaitingTimer] = field(default_factory=list)


def cases_now(session: Session, instances: list[ProcessInstance]) -> list[CaseNow]:
    """Each instance with where it stands, in the order given."""
    ids = [i.id for i in instances]
    steps: dict[int, list[TaskRecord]] = {}
    for task in session.scalars(select(TaskRecord).where(TaskRecord.instance_id.in_(ids), TaskRecord.state == "open")
                                .order_by(TaskRecord.created_at, TaskRecord.id)):
        steps.setdefault(task.instance_id, []).append(task)
    deadlines: dict[int, list[Deadline]] = {}
    for row in session.scalars(select(Deadline).where(Deadline.instance_id.in_(ids)).order_by(Deadline.due_at)):
        deadlines.setdefault(row.instance_id, []).append(row)
    names = _timer_names(session, [i for i in instances if i.id in deadlines])
    enterprises = enterprises_by_instance(session, {i.id: i.business_key for i in instances})
    return [CaseNow(i, enterprises.get(i.id), steps.get(i.id, []),
                    [WaitingTimer(d.element_id, names.get(i.id, {}).get(d.element_id) or d.element_id, d.due_at,
                                  d.provisional) for d in deadlines.get(i.id, [])])
            for i in instances]


def cases_of(session: Session, instance_ids: set[int]) -> dict[int, CaseNow]:
    """{instance id: where it stands} for the instances of some steps (the 已办 tab)."""
    found = list(session.scalars(select(ProcessInstance).where(ProcessInstance.id.in_(instance_ids))))
    return {case.instance.id: case for case in cases_now(session, found)}


def _timer_names(session: Session, instances: list[ProcessInstance]) -> dict[int, dict[str, str]]:
    """{instance id: {timer element id: name}} from the versions each instance runs. Its own process is read first:
    an id used in both its diagram and a called one (Timer_supervise_deadline) takes the name of its own."""
    version_ids = {v for i in instances for v in (i.spec_refs or {}).values()} | {i.process_version_id
                                                                                for i in instances}
    rows = session.execute(select(ProcessVersion.id, ProcessVersion.process_key, Diagram.id, Diagram.xml)
                           .join(Diagram, Diagram.id == ProcessVersion.diagram_id)
                           .where(ProcessVersion.id.in_(version_ids)))
    parsed: dict[int, etree._Element] = {}
    per_version: dict[int, dict[str, str]] = {}
    for version_id, process_key, diagram_id, xml in rows:
        root = parsed.setdefault(diagram_id, parse_diagram_xml(xml))
        per_version[version_id] = _timers_of(root, process_key)
    found: dict[int, dict[str, str]] = {}
    for instance in instances:
        order = [instance.process_version_id, *(v for v in (instance.spec_refs or {}).values()
                                                if v != instance.process_version_id)]
        names: dict[str, str] = {}
        for version_id in order:
            for element_id, name in per_version.get(version_id, {}).items():
                names.setdefault(element_id, name)
        found[instance.id] = names
    return found


def _timers_of(root: etree._Element, process_key: str) -> dict[str, str]:
    """{element id: name} of the timer events inside the process `process_key` of a parsed diagram."""
    for process in root.iter(bpmn("process")):
        if process.get("id") == process_key:
            return {event.get("id") or "": (event.get("name") or "").strip()
                    for event in process.iter() if event.find(bpmn("timerEventDefinition")) is not None}
    return {}
