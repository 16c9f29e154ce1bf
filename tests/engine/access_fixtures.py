"""A small world for the access rules
(engine.identity.access): a city with two counties, agencies and enterprises in each,
and task mirror rows written directly (the access model reads only the mirror and the records, never workflows).

City 示范市 (3311) ⊃ county 示范县 (331125: agencies SCJG, XFJY; enterprise 甲) and county 邻县 (331126: agency
LXJG; enterprise 乙). Users are made with the tests' page or API helpers; `PEOPLE` lists who is who.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from engine.commands import Actor
from engine.identity.accounts import create_user
from engine.models import Agency, Enterprise, Inspection, Jurisdiction, ProcessInstance, TaskRecord
from engine.platform.hotsql import hot_sql
from tests.engine.helpers import PASSWORD, deploy
from tests.factories import NOW, make_agency, make_enterprise, make_inspection, make_joint_group, make_jurisdiction

# username → (role, agency code, jurisdiction code)
PEOPLE = {
    "li": ("staff", "SCJG", None),
    "wang": ("staff", "XFJY", None),
    "zhou": ("staff", "LXJG", None),
    "head": ("agency_head", "SCJG", None),
    "office": ("county_office", None, "331125"),
    "office2": ("county_office", None, "331126"),
    "sup": ("supervisor", None, "331125"),
    "sup2": ("supervisor", None, "331126"),
    "city": ("supervisor", None, "3311"),
    "admin": ("administrator", None, None),
    "owner": ("process_owner", None, None),
}
_names = itertools.count(1)


def add_people(session, people: dict[str, tuple[str, str | None, str | None]], now: datetime) -> None:
    """An account for each of `people` (username → role, agency code, jurisdiction code), all with PASSWORD."""
    for username, (role, agency, jurisdiction) in people.items():
        create_user(session, username=username, password=PASSWORD, role=role, now=now, agency=agency,
                    jurisdiction=jurisdiction)


def actor_of(people: dict[str, tuple[str, str | None, str | None]], username: str) -> Actor:
    role, agency, jurisdiction = people[username]
    return Actor(username, role, agency, jurisdiction)


@dataclass
class World:
    version_id: int
    city: Jurisdiction
    county: Jurisdiction
    neighbour: Jurisdiction
    agencies: dict[str, Agency]
    firm: Enterprise  # in 示范县
    other_firm: Enterprise  # in 邻县
    tasks: dict[str, str] = field(default_factory=dict)  # label → task id


def build_world(svc, clock) -> World:
    (version,) = deploy(svc, clock, "inbox_task.bpmn")
    with svc.transaction() as session:
        city = make_jurisdiction(session, code="3311", name="示范市", level="city")
        county = make_jurisdiction(session, code="331125", name="示范县", parent=city)
        neighbour = make_jurisdiction(session, code="331126", name="邻县", parent=city)
        agencies = {code: make_agency(session, jurisdiction=where, code=code, name=name)
                    for code, name, where in (("SCJG", "示范县市场监督管理局", county),
                                              ("XFJY", "示范县消防救援大队", county),
                                              ("LXJG", "邻县市场监督管理局", neighbour))}
        firm = make_enterprise(session, jurisdiction=county, name="甲食品有限公司")
        other_firm = make_enterprise(session, jurisdiction=neighbour, name="乙化工有限公司")
        session.expunge_all()
    return World(version.id, city, county, neighbour, agencies, firm, other_firm)


def add_task(session, world: World, *, agency: str | None, lane: str | None, business_key: str | None = None,
             due_at: datetime | None = None, name: str | None = None, process_key: str = "inbox_task",
             placed_in: Jurisdiction | None = None) -> TaskRecord:
    """One open task in an instance of its own (placed in `placed_in` when given)."""
    instance = ProcessInstance(process_version_id=world.version_id, process_key=process_key,
                               business_key=business_key, status="running", serialized="{}", spec_refs={},
                               jurisdiction_id=placed_in.id if placed_in else None,
                               lock_version=1, started_by="test", created_at=NOW, updated_at=NOW)
    session.add(instance)
    session.flush()
    # Written as the runtime writes its task rows (engine.runtime.mirror), placement included.
    task_id = str(uuid.uuid4())
    hot_sql(session).insert_tasks([{
        "id": task_id, "instance_id": instance.id, "process_key": process_key, "element_id": "Notify",
        "name": name or f"任务{next(_names)}", "lane": lane, "agency": agency, "business_key": business_key,
        "now": NOW, "due_at": due_at if due_at is not None else NOW + timedelta(days=5), "provisional": False}])
    task = session.get(TaskRecord, task_id)
    assert task is not None
    return task


def inspection_task(session, world: World, agency_code: str, enterprise: Enterprise, *, lane: str = "执法人员",
                    **kwargs) -> tuple[TaskRecord, Inspection]:
    """A lifecycle task of an inspection by the agency, linked as plan_inspection links them."""
    inspection = make_inspection(session, agency=session.merge(world.agencies[agency_code]),
                                 enterprise=session.merge(enterprise))
    task = add_task(session, world, agency=agency_code, lane=lane, business_key=f"inspection:{inspection.id}",
                    process_key="inspection_lifecycle", **kwargs)
    inspection.process_instance_id = task.instance_id
    session.flush()
    return task, inspection


def join(session, *inspections: Inspection) -> None:
    """Merge the inspections into one joint group (综合查一次)."""
    make_joint_group(session, inspections=list(inspections))
