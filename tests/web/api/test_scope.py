"""The API's scoping is engine.identity.access, as on the pages: jurisdictions (a second county with its own agency and
supervisor), joint-inspection members, placement past the limit, and the 403 JSON error for out-of-scope tasks and
instances."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.models import BehaviorCode, ProcessInstance
from engine.platform import alerts
from tests.engine.access_fixtures import PEOPLE, add_task, build_world, inspection_task, join
from tests.factories import NOW
from tests.web.api.conftest import assert_error


@pytest.fixture
def world(api, svc, clock):
    built = build_world(svc, clock)
    for username, (role, agency, jurisdiction) in PEOPLE.items():
        if username not in api.tokens:
            api.user(username, role, agency=agency, jurisdiction=jurisdiction)
    return built


def listed(api, username: str, query: str = "") -> set[str]:
    response = api.get(f"/api/v1/tasks{query}", as_user=username)
    assert response.status_code == 200, response.get_data(as_text=True)
    return {t["id"] for t in response.get_json()}


def test_supervisors_see_their_county_and_the_city_both(api, svc, world):
    with svc.transaction() as session:
        here = add_task(session, world, agency="SCJG", lane="司法局").id
        there = add_task(session, world, agency="LXJG", lane="司法局").id
    assert listed(api, "sup") == {here}
    assert listed(api, "sup2") == {there}
    assert listed(api, "city") == {here, there}
    assert listed(api, "office2") == {there}
    assert listed(api, "sup2", "?agency=SCJG") == set()  # a filter cannot widen the scope
    error = assert_error(api.post(f"/api/v1/tasks/{here}/claim", as_user="sup2"), 403, "forbidden")
    assert error["details"]["reason"] == "outside_scope"
    assert api.post(f"/api/v1/tasks/{here}/claim", as_user="sup").status_code == 200
    assert api.post(f"/api/v1/tasks/{there}/claim", as_user="city").status_code == 200


def test_instances_outside_the_scope_are_403(api, svc, world):
    with svc.transaction() as session:
        instance_id = add_task(session, world, agency="LXJG", lane="执法人员").instance_id
    path = f"/api/v1/process-instances/{instance_id}"
    for username in ("sup2", "office2", "city", "zhou", "admin", "owner"):
        assert api.get(path, as_user=username).status_code == 200, username
    for username in ("sup", "office", "li", "head"):
        error = assert_error(api.get(path, as_user=username), 403, "forbidden")
        assert error["details"] == {"instance_id": instance_id}


def test_joint_inspection_members_see_and_claim_the_partners_step(api, svc, world):
    with svc.transaction() as session:
        mine, my_inspection = inspection_task(session, world, "SCJG", world.firm)
        partner, partner_inspection = inspection_task(session, world, "XFJY", world.firm)
        alone, _ = inspection_task(session, world, "XFJY", world.firm)
        join(session, my_inspection, partner_inspection)
        ids = mine.id, partner.id, alone.id, partner.instance_id
    assert listed(api, "li") == {ids[0], ids[1]}
    assert api.post(f"/api/v1/tasks/{ids[1]}/claim", as_user="li").status_code == 200
    assert_error(api.post(f"/api/v1/tasks/{ids[2]}/claim", as_user="li"), 403, "forbidden")
    assert api.get(f"/api/v1/process-instances/{ids[3]}", as_user="li").status_code == 200
    assert_error(api.get(f"/api/v1/process-instances/{ids[3]}", as_user="zhou"), 403, "forbidden")


def test_the_limit_applies_after_the_scope(api, svc, world):
    with svc.transaction() as session:
        for _ in range(30):
            add_task(session, world, agency="LXJG", lane="司法局", due_at=NOW + timedelta(minutes=5))
        mine = add_task(session, world, agency="SCJG", lane="司法局", due_at=NOW + timedelta(days=3)).id
    assert listed(api, "sup", "?limit=1") == {mine}
    assert len(listed(api, "city", "?limit=10")) == 10


def test_alerts_and_statistics_stay_within_the_callers_jurisdiction(api, svc, clock, world):
    with svc.transaction() as session:
        alerts.raise_alert(session, kind="multi_head", subject="here", message="示范县多头检查",
                           details={"agency_id": world.agencies["SCJG"].id}, now=clock.now())
        alerts.raise_alert(session, kind="multi_head", subject="there", message="邻县多头检查",
                           details={"agency_id": world.agencies["LXJG"].id}, now=clock.now())
    subjects = {username: {a["subject"] for a in api.get("/api/v1/alerts", as_user=username).get_json()}
                for username in ("sup", "sup2", "office", "city")}
    assert subjects == {"sup": {"here"}, "sup2": {"there"}, "office": {"here"}, "city": {"here", "there"}}

    own = api.get("/api/v1/statistics?year=2026", as_user="sup2")
    assert own.status_code == 200 and own.get_json()["jurisdiction"]["code"] == "331126"
    error = assert_error(api.get("/api/v1/statistics?year=2026&jurisdiction=331125", as_user="sup2"), 403,
                         "forbidden")
    assert error["details"]["reason"] == "outside_scope"
    assert api.get("/api/v1/statistics?year=2026&jurisdiction=331125", as_user="city").status_code == 200
    assert_error(api.get("/api/v1/alerts", as_user="li"), 403, "forbidden")


@pytest.mark.parametrize("process_key", ["inspection_lifecycle", "advance_notice"])
def test_another_countys_staff_cannot_start_on_an_inspection_of_this_county(api, svc, clock, world, process_key):
    """Issue 10 defect 1, as reproduced: 邻县's staff named 示范县's SCJG inspection in the start data. The engine
    decides the agency from the caller, refuses the foreign record, and starts nothing."""
    from tests.processes.helpers import deploy_all

    deploy_all(svc, clock)
    with svc.transaction() as session:
        _, inspection = inspection_task(session, world, "SCJG", world.firm)
        inspection_id = inspection.id
    case = {"inspection_id": inspection_id, "enterprise": world.firm.credit_code, "urgent": False,
            "inspection_date": "2026-10-20"}
    for agency, reason in ((None, "agency_not_yours"), ("LXJG", "record_not_yours"), ("SCJG", "agency_not_yours")):
        data = {**case, **({"agency": agency} if agency else {})}
        error = assert_error(api.post("/api/v1/process-instances", as_user="zhou",
                                      json={"process_key": process_key, "data": data}), 403, "forbidden")
        assert error["details"]["reason"] == reason
    with svc.sessions() as session:
        assert session.scalars(select(ProcessInstance).where(ProcessInstance.started_by == "zhou")).all() == []
        assert session.scalars(select(BehaviorCode)).all() == []


def test_staff_cannot_route_work_into_another_agencys_inbox(api, svc, clock, world):
    api.deploy("approval_chain.bpmn")
    error = assert_error(api.post("/api/v1/process-instances", as_user="li",
                                  json={"process_key": "approval_chain", "data": {"agency": "XFJY"}}), 403)
    assert error["details"] == {"reason": "agency_not_yours", "agency": "XFJY"}
    started = api.post("/api/v1/process-instances", as_user="li", json={"process_key": "approval_chain"})
    assert started.status_code == 201
    task_id = started.get_json()["open_tasks"][0]["id"]
    assert task_id in listed(api, "li") and task_id not in listed(api, "wang")


def test_a_start_by_the_county_office_is_placed_in_its_county(api, svc, clock, world):
    api.deploy("approval_chain.bpmn")
    assert_error(api.post("/api/v1/process-instances", as_user="office2",
                          json={"process_key": "approval_chain", "data": {"agency": "SCJG"}}), 403)
    started = api.post("/api/v1/process-instances", as_user="office2", json={"process_key": "approval_chain"})
    assert started.status_code == 201, started.get_data(as_text=True)
    instance_id = started.get_json()["id"]
    assert api.get(f"/api/v1/process-instances/{instance_id}", as_user="sup2").status_code == 200
    assert_error(api.get(f"/api/v1/process-instances/{instance_id}", as_user="sup"), 403)
