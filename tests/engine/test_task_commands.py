"""engine.commands.tasks called directly: the actor, not the data, decides the agency and the records a procedure
may touch, and claim, release and complete refuse an actor outside the task's scope (issue 10 defect 1, item B).

The world (tests.engine.access_fixtures): 示范县 with agencies SCJG and XFJY and enterprise 甲, 邻县 with LXJG and
enterprise 乙; `zhou` is LXJG staff, `li` SCJG staff, `office2` 邻县's county office.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.commands import Actor, NotPermitted, Work, tasks
from engine.models import ProcessInstance
from engine.runtime import InvalidTaskData
from tests.engine.access_fixtures import PEOPLE, build_world
from tests.engine.helpers import deploy, only_task
from tests.factories import make_inspection


def actor(username: str) -> Actor:
    role, agency, jurisdiction = PEOPLE[username]
    return Actor(username, role, agency, jurisdiction)


@pytest.fixture
def world(svc, clock):
    built = build_world(svc, clock)
    deploy(svc, clock, "inbox_task.bpmn")  # lane 执法人员 (build_world deployed it once; a second deploy is a no-op)
    return built


DAY = {"inspection_date": "2026-10-16"}  # inbox_task's notice timer counts from it


def run(svc, command, *args, **kwargs):
    with svc.transaction() as session:
        return command(Work(session, svc.clock(), svc.runtime), *args, **kwargs)


def scjg_inspection(svc, world) -> int:
    with svc.transaction() as session:
        return make_inspection(session, agency=session.merge(world.agencies["SCJG"]),
                               enterprise=session.merge(world.firm)).id


def test_staff_start_for_their_own_agency_whatever_the_data_says(svc, world):
    started = run(svc, tasks.start_process, actor("li"), process_key="inbox_task", data=DAY)
    assert only_task(svc, started.id, "Notify").agency == "SCJG"
    with pytest.raises(NotPermitted) as refused:
        run(svc, tasks.start_process, actor("zhou"), process_key="inbox_task", data={**DAY, "agency": "SCJG"})
    assert refused.value.reason == "agency_not_yours"


def test_another_countys_staff_cannot_start_on_an_inspection_that_is_not_theirs(svc, world):
    inspection_id = scjg_inspection(svc, world)
    for data, reason, details in (({"inspection_id": inspection_id}, "agency_not_yours", {"agency": "SCJG"}),
                                  ({"inspection_id": inspection_id, "agency": "LXJG"}, "record_not_yours",
                                   {"inspection_id": inspection_id})):
        with pytest.raises(NotPermitted) as refused:
            run(svc, tasks.start_process, actor("zhou"), process_key="inbox_task", data={**DAY, **data})
        assert (refused.value.reason, refused.value.details) == (reason, details)
    with svc.sessions() as session:
        assert session.scalars(select(ProcessInstance)).all() == []  # nothing was started


def test_the_inspections_own_staff_may_and_the_instance_is_placed_in_its_county(svc, world):
    inspection_id = scjg_inspection(svc, world)
    started = run(svc, tasks.start_process, actor("li"), process_key="inbox_task",
                  data={**DAY, "inspection_id": inspection_id})
    with svc.sessions() as session:
        assert session.get(ProcessInstance, started.id).jurisdiction_id == world.county.id


def test_jurisdiction_roles_start_only_for_agencies_and_enterprises_of_their_jurisdiction(svc, world):
    with pytest.raises(NotPermitted) as refused:
        run(svc, tasks.start_process, actor("office2"), process_key="inbox_task", data={**DAY, "agency": "SCJG"})
    assert refused.value.reason == "agency_outside_jurisdiction"
    with pytest.raises(NotPermitted) as refused:
        run(svc, tasks.start_process, actor("office2"), process_key="inbox_task",
            data={**DAY, "enterprise": world.firm.credit_code})
    assert refused.value.reason == "enterprise_outside_jurisdiction"
    placed = run(svc, tasks.start_process, actor("office2"), process_key="inbox_task", data=DAY)
    with svc.sessions() as session:
        assert session.get(ProcessInstance, placed.id).jurisdiction_id == world.neighbour.id


def test_an_enterprise_of_another_county_is_refused_for_an_agency(svc, world):
    with pytest.raises(NotPermitted) as refused:
        run(svc, tasks.start_process, actor("li"), process_key="inbox_task",
            data={**DAY, "enterprise": world.other_firm.credit_code})
    assert refused.value.reason == "enterprise_outside_jurisdiction"


def test_unknown_agencies_and_records_are_named(svc, world):
    with pytest.raises(InvalidTaskData) as invalid:
        run(svc, tasks.start_process, actor("admin"), process_key="inbox_task", data={"agency": "NOPE"})
    assert invalid.value.details["fields"] == {"agency": "no such agency"}
    with pytest.raises(InvalidTaskData) as invalid:  # longer than any agency code can be (defect 5)
        run(svc, tasks.start_process, actor("admin"), process_key="inbox_task", data={"agency": "X" * 500})
    assert set(invalid.value.details["fields"]) == {"agency"}
    with pytest.raises(InvalidTaskData) as invalid:
        run(svc, tasks.start_process, actor("li"), process_key="inbox_task", data={"inspection_id": 999999})
    assert invalid.value.details["fields"] == {"inspection_id": "no such record"}


def test_roles_that_do_not_work_procedures_are_refused(svc, world):
    with pytest.raises(NotPermitted) as refused:
        run(svc, tasks.start_process, Actor("x", "enterprise"), process_key="inbox_task", data=DAY)
    assert refused.value.reason == "role"


def test_claim_release_and_complete_refuse_an_actor_outside_the_tasks_scope(svc, world):
    started = run(svc, tasks.start_process, actor("li"), process_key="inbox_task", data=DAY)
    task_id = only_task(svc, started.id, "Notify").id
    for command, args in ((tasks.claim_task, ()), (tasks.release_task, ()), (tasks.complete_task, ({},))):
        for outsider, reason in (("zhou", "outside_scope"), ("sup", "not_your_lane"), ("owner", "not_your_lane")):
            with pytest.raises(NotPermitted) as refused:
                run(svc, command, actor(outsider), task_id, *args)
            assert refused.value.reason == reason, (command.__name__, outsider)
    assert run(svc, tasks.claim_task, actor("li"), task_id).assignee == "li"


def test_a_completion_cannot_move_the_work_to_another_agency(svc, world):
    started = run(svc, tasks.start_process, actor("li"), process_key="inbox_task", data=DAY)
    task_id = only_task(svc, started.id, "Notify").id
    notice = {"notice_date": "2026-09-30", "method": "书面"}
    with pytest.raises(InvalidTaskData) as invalid:
        run(svc, tasks.complete_task, actor("li"), task_id, {**notice, "agency": "LXJG"})
    assert set(invalid.value.details["fields"]) == {"agency"}  # said before any form check, whatever the form
    run(svc, tasks.complete_task, actor("li"), task_id, notice)
    assert only_task(svc, started.id, "Inspect").agency == "SCJG"


@pytest.mark.parametrize("data, field", [({"count": float("nan")}, "data.count"),
                                         ({"note": "a\x00b"}, "data.note"),
                                         ({"inspection_id": 2**40}, "data.inspection_id")])
def test_start_data_every_database_cannot_store_is_named_whoever_starts(svc, world, data, field):
    """The CLI and the pages get the API's data checks (issue 10 defect 5): the engine refuses, not only the API."""
    with pytest.raises(InvalidTaskData) as invalid:
        run(svc, tasks.start_process, actor("li"), process_key="inbox_task", data={**DAY, **data})
    assert field in str(invalid.value)
