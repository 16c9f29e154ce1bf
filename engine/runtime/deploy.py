"""Deploying a BPMN file: validate it completely, then store it as a new version of each executable process.

Nothing is stored when the diagram is refused; the refusal names the reason and the element or line.
Deploying the very same bytes again as the latest version of all its processes is a no-op.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from engine.bpmn.errors import DiagramError
from engine.bpmn.loader import load_diagram
from engine.models import Diagram, ProcessVersion
from engine.models.base import table_of
from engine.platform import audit
from engine.platform.clock import Clock
from engine.runtime.core import Runtime
from engine.runtime.errors import DeployRefused


@dataclass(frozen=True)
class DeployedVersion:
    id: int
    process_key: str
    version: int
    name: str
    unchanged: bool


def deploy(runtime: Runtime, session: Session, clock: Clock, *, xml: bytes | str, source_name: str,
           actor: str) -> list[DeployedVersion]:
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    try:
        diagram = load_diagram(data, source_name, stages=set(runtime.stages))
    except DiagramError as err:
        raise DeployRefused(str(err), **err.to_dict()) from err

    digest = hashlib.sha256(data).hexdigest()
    latest = {
        key: (version_id, version, diagram_id)
        for key, version_id, version, diagram_id in _latest_versions(session, diagram.executable_process_ids)
    }
    unchanged_ids = {diagram_id for _v, _n, diagram_id in latest.values()}
    if len(latest) == len(diagram.executable_process_ids) and len(unchanged_ids) == 1:
        stored = session.get(Diagram, unchanged_ids.pop())
        if stored is not None and stored.sha256 == digest:
            return [
                DeployedVersion(latest[key][0], key, latest[key][1], diagram.process_names.get(key, key), True)
                for key in diagram.executable_process_ids
            ]

    now = clock.now()
    row = Diagram(source_name=source_name, xml=data, sha256=digest, deployed_by=actor, deployed_at=now)
    session.add(row)
    session.flush()
    deployed = []
    for key in diagram.executable_process_ids:
        version = ProcessVersion(
            process_key=key,
            version=latest[key][1] + 1 if key in latest else 1,
            name=diagram.process_names.get(key, key),
            diagram_id=row.id,
            called_process_keys=sorted(diagram.called_process_ids),
            deployed_by=actor,
            deployed_at=now,
        )
        session.add(version)
        session.flush()
        deployed.append(DeployedVersion(version.id, key, version.version, version.name, False))
    audit.record(session, at=now, actor=actor, action="diagram.deployed",
                 after={"diagram_id": row.id, "source_name": source_name, "sha256": digest,
                        "versions": [{"process_key": d.process_key, "version": d.version} for d in deployed]})
    return deployed


def _latest_versions(session: Session, keys: list[str]):
    newest = (
        select(ProcessVersion.process_key, func.max(ProcessVersion.version).label("version"))
        .where(ProcessVersion.process_key.in_(keys))
        .group_by(ProcessVersion.process_key)
        .subquery()
    )
    return session.execute(
        select(ProcessVersion.process_key, ProcessVersion.id, ProcessVersion.version, ProcessVersion.diagram_id)
        .join(newest, (newest.c.process_key == ProcessVersion.process_key)
              & (newest.c.version == ProcessVersion.version))
    ).all()


@dataclass(frozen=True)
class VersionRef:
    id: int
    process_key: str
    version: int
    called_process_keys: list[str]


_VERSIONS = table_of(ProcessVersion)
_SELECT_LATEST = (
    select(_VERSIONS.c.id, _VERSIONS.c.process_key, _VERSIONS.c.version, _VERSIONS.c.called_process_keys)
    .where(_VERSIONS.c.process_key == bindparam("b_key"))
    .order_by(_VERSIONS.c.version.desc())
    .limit(1)
)


def latest_version(session: Session, process_key: str) -> VersionRef | None:
    row = session.connection().execute(_SELECT_LATEST, {"b_key": process_key}).one_or_none()
    return VersionRef(row.id, row.process_key, row.version, list(row.called_process_keys)) if row else None


def process_definitions(session: Session) -> list[dict]:
    """Every deployed process with its versions, newest first."""
    definitions: dict[str, dict] = {}
    for version in session.scalars(select(ProcessVersion).order_by(ProcessVersion.process_key,
                                                                   ProcessVersion.version.desc())):
        entry = definitions.setdefault(version.process_key, {"process_key": version.process_key,
                                                             "name": version.name, "latest_version": version.version,
                                                             "versions": []})
        entry["versions"].append(version)
    return list(definitions.values())
