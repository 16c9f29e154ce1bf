"""Small builders the engine tests share: deploy a fixture diagram, start, complete, list tasks."""

from __future__ import annotations

from engine.runtime import deploy as deploy_module
from engine.runtime import instances
from engine.views import inbox
from tests.conftest import fixture_bytes

PASSWORD = "correct horse battery"  # the test accounts' (tests.engine.access_fixtures, tests.web.pages)


def deploy(svc, clock, *names: str, actor: str = "owner"):
    versions = []
    for name in names:
        with svc.transaction() as session:
            versions += deploy_module.deploy(svc.runtime, session, clock, xml=fixture_bytes(name), source_name=name,
                                             actor=actor)
    return versions


def start(svc, clock, process_key: str, data: dict | None = None, actor: str = "staff", business_key=None):
    with svc.transaction() as session:
        return instances.start_instance(svc.runtime, session, clock, process_key=process_key, data=data or {},
                                        actor=actor, business_key=business_key)


def complete(svc, clock, task_id: str, data: dict | None = None, actor: str = "staff"):
    with svc.transaction() as session:
        return instances.complete_task(svc.runtime, session, clock, task_id=task_id, data=data or {}, actor=actor)


def open_tasks(svc, instance_id: int | None = None):
    with svc.sessions() as session:
        return inbox.open_tasks(session, instance_id=instance_id)


def only_task(svc, instance_id: int, element_id: str):
    matches = [t for t in open_tasks(svc, instance_id) if t.element_id == element_id]
    found = [t.element_id for t in open_tasks(svc, instance_id)]
    assert len(matches) == 1, f"expected one open {element_id}, got {found}"
    return matches[0]
