"""The process owner's lists: each deployed process with its versions (newest first, engine.runtime.deploy),
how many instances still run on each version, and which instances run on old versions with their open steps;
and one version's row with its diagram file, for download and the modeler. Read-only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import Diagram, ProcessInstance, ProcessVersion, TaskRecord
from engine.runtime.deploy import process_definitions

OLD_INSTANCES_SHOWN = 200  # per process; the count above the list is always complete


def process_overview(session: Session) -> list[dict]:
    """Each process definition (engine.runtime.deploy.process_definitions) with `running` ({version id: running
    instances}), `old_count` (running on versions other than the latest) and `old_instances`: the first
    OLD_INSTANCES_SHOWN of those, oldest version first, each {id, business_key, started, version, steps}."""
    running = dict(session.execute(
        select(ProcessInstance.process_version_id, func.count())
        .where(ProcessInstance.status == "running").group_by(ProcessInstance.process_version_id)).all())
    shown = []
    for definition in process_definitions(session):
        old_ids = [v.id for v in definition["versions"][1:]]
        old_count = sum(running.get(i, 0) for i in old_ids)
        shown.append({**definition, "running": running, "old_count": old_count,
                      "old_instances": _instances_on(session, old_ids) if old_count else []})
    return shown


def _instances_on(session: Session, version_ids: list[int]) -> list[dict]:
    rows = session.execute(
        select(ProcessInstance.id, ProcessInstance.business_key, ProcessInstance.created_at, ProcessVersion.version)
        .join(ProcessVersion, ProcessVersion.id == ProcessInstance.process_version_id)
        .where(ProcessInstance.status == "running", ProcessInstance.process_version_id.in_(version_ids))
        .order_by(ProcessVersion.version, ProcessInstance.id).limit(OLD_INSTANCES_SHOWN)).all()
    steps: dict[int, list[str]] = defaultdict(list)
    for instance_id, name in session.execute(
            select(TaskRecord.instance_id, TaskRecord.name)
            .where(TaskRecord.state == "open", TaskRecord.instance_id.in_([r.id for r in rows]))
            .order_by(TaskRecord.created_at)):
        steps[instance_id].append(name)
    return [{"id": r.id, "business_key": r.business_key, "started": r.created_at, "version": r.version,
             "steps": steps.get(r.id, [])} for r in rows]


@dataclass(frozen=True)
class VersionFile:
    id: int
    process_key: str
    version: int
    name: str
    xml: bytes
    source_name: str


def version_file(session: Session, version_id: int) -> VersionFile | None:
    """One version with its diagram file; None when there is none."""
    row = session.execute(
        select(ProcessVersion.id, ProcessVersion.process_key, ProcessVersion.version, ProcessVersion.name,
               Diagram.xml, Diagram.source_name)
        .join(Diagram, Diagram.id == ProcessVersion.diagram_id)
        .where(ProcessVersion.id == version_id)).one_or_none()
    return None if row is None else VersionFile(*row)
