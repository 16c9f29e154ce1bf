"""The diagram an instance runs on and where the instance stands on it, for the pages that draw it.

- `instance_diagram(session, instance_id)`: the XML of the version the instance runs on and its sha256 (a
  deployed diagram never changes, so the hash serves as its etag).
- `diagram_position(session, instance_id)`: the element ids to highlight. Open user tasks are current,
  completed ones done; a task inside a called process marks the call activity in the parent that leads to it,
  since that is the element the parent's diagram has. What a called process runs in turn is read from the
  versions this instance really runs (its `spec_refs`).
- `diagram_timers(session, instance_id)`: the timer events of the instance's own diagram it waits on now, with
  the moment each fires (its Deadline rows). A boundary timer counts only while the step it is attached to is open
  (an id like Timer_supervise_deadline recurs in called diagrams, whose timers the parent's diagram does not
  draw).

Whether the viewer may see the instance is the caller's check (engine.views.instances.instance_in_scope).
Read-only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn import parse_diagram_xml
from engine.bpmn.checks import bpmn
from engine.models import Deadline, Diagram, ProcessInstance, ProcessVersion, TaskRecord


@dataclass(frozen=True)
class DiagramFile:
    xml: bytes
    sha256: str


def instance_diagram(session: Session, instance_id: int) -> DiagramFile | None:
    """The diagram file of the instance's version; None when there is no such instance."""
    row = session.execute(
        select(Diagram.xml, Diagram.sha256)
        .join(ProcessVersion, ProcessVersion.diagram_id == Diagram.id)
        .join(ProcessInstance, ProcessInstance.process_version_id == ProcessVersion.id)
        .where(ProcessInstance.id == instance_id)).one_or_none()
    return None if row is None else DiagramFile(row.xml, row.sha256)


def diagram_position(session: Session, instance_id: int) -> dict[str, list[str]]:
    """{"current": [...], "completed": [...]}: element ids of the instance's diagram to highlight, sorted."""
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        return {"current": [], "completed": []}
    tasks = session.execute(select(TaskRecord.element_id, TaskRecord.process_key, TaskRecord.state)
                            .where(TaskRecord.instance_id == instance_id)).all()
    xml = session.scalar(select(Diagram.xml).join(ProcessVersion, ProcessVersion.diagram_id == Diagram.id)
                         .where(ProcessVersion.id == instance.process_version_id))
    own_processes, calls = _processes_and_calls(xml or b"")
    reach = _reach(session, dict(instance.spec_refs or {}), set(calls.values()))
    marked: dict[str, set[str]] = {"open": set(), "completed": set()}
    for element_id, process_key, state in tasks:
        if state not in marked:
            continue
        if process_key in own_processes:
            marked[state].add(element_id)
        else:  # a task of a called process: the parent's diagram shows the call activity leading to it
            marked[state].update(call for call, called in calls.items() if process_key in reach.get(called, ()))
    return {"current": sorted(marked["open"]), "completed": sorted(marked["completed"] - marked["open"])}


def diagram_timers(session: Session, instance_id: int) -> dict[str, datetime]:
    """{timer element id: when it fires} for the timers drawn on the instance's own diagram that it waits on."""
    deadlines = {element_id: due_at for element_id, due_at in session.execute(
        select(Deadline.element_id, Deadline.due_at).where(Deadline.instance_id == instance_id))}
    if not deadlines:
        return {}
    diagram = instance_diagram(session, instance_id)
    instance = session.get(ProcessInstance, instance_id)
    if diagram is None or instance is None:
        return {}
    open_steps = set(diagram_position(session, instance_id)["current"])  # call activities leading to open steps too
    waiting: dict[str, datetime] = {}
    for process in parse_diagram_xml(diagram.xml).iter(bpmn("process")):
        if process.get("id") != instance.process_key:
            continue
        for event in process.iter(bpmn("boundaryEvent"), bpmn("intermediateCatchEvent")):
            element_id = event.get("id") or ""
            attached = event.get("attachedToRef")
            if element_id in deadlines and event.find(bpmn("timerEventDefinition")) is not None \
                    and (attached is None or attached in open_steps):
                waiting[element_id] = deadlines[element_id]
    return waiting


def _processes_and_calls(xml: bytes) -> tuple[set[str], dict[str, str]]:
    """The process ids a diagram file defines, and {call activity id: called process id}."""
    root = parse_diagram_xml(xml)
    processes = {p.get("id") or "" for p in root.iter(bpmn("process"))}
    calls = {c.get("id") or "": (c.get("calledElement") or "").strip() for c in root.iter(bpmn("callActivity"))}
    return processes, calls


def _reach(session: Session, spec_refs: dict[str, int], called: Iterable[str]) -> dict[str, set[str]]:
    """{called process: every process it runs, itself and what it calls in turn}, from the versions the
    instance runs (`spec_refs`), so the answer matches what this instance really called."""
    versions = select(ProcessVersion.process_key, ProcessVersion.called_process_keys).where(
        ProcessVersion.id.in_(list(spec_refs.values())))
    calls_of = {key: calls for key, calls in session.execute(versions)}
    reach: dict[str, set[str]] = {}
    for start in called:
        seen, pending = {start}, [start]
        while pending:
            for key in calls_of.get(pending.pop(), ()) or ():
                if key not in seen:
                    seen.add(key)
                    pending.append(key)
        reach[start] = seen
    return reach
