"""The supervisor's read models called directly (engine.views.instances, engine.views.overdue.filter_agencies): an
instance outside the viewer's scope is refused, the workable steps are those in the viewer's own lanes, and the agency
filter offers only the agencies the viewer oversees."""

from __future__ import annotations

import pytest

from engine.identity import access
from engine.views.instances import instance_in_scope, instance_steps
from engine.views.overdue import filter_agencies
from tests.engine.access_fixtures import add_task, build_world
from tests.engine.test_access import person


@pytest.fixture
def world(svc, clock):
    return build_world(svc, clock)


def test_an_instance_outside_the_scope_is_refused_and_only_own_lane_steps_are_workable(svc, world):
    with svc.transaction() as session:
        supervision = add_task(session, world, agency="SCJG", lane="司法局")
        supervision_id, instance_id = supervision.id, supervision.instance_id
        inspectors = add_task(session, world, agency="SCJG", lane="执法人员")
        inspectors.instance_id = instance_id  # a second step of the same instance
        inspectors_id = inspectors.id
    with svc.sessions() as session:
        def scope(username: str) -> access.Scope:
            return access.scope_of(session, person(username))

        assert instance_in_scope(session, scope("sup"), instance_id).id == instance_id
        assert instance_in_scope(session, scope("sup"), instance_id + 1000) is None
        with pytest.raises(access.NotPermitted):
            instance_in_scope(session, scope("sup2"), instance_id)
        steps = instance_steps(session, scope("sup"), instance_id)
        assert {t.id for t in steps.tasks} == {supervision_id, inspectors_id} and steps.workable == {supervision_id}
        assert instance_steps(session, scope("li"), instance_id).workable == {inspectors_id}
        assert instance_steps(session, scope("admin"), instance_id).workable == set()


def test_the_agency_filter_offers_the_agencies_the_viewer_oversees(svc, world):
    with svc.sessions() as session:
        def codes(username: str) -> list[str]:
            return [a.code for a in filter_agencies(session, access.scope_of(session, person(username)))]

        assert codes("sup") == ["SCJG", "XFJY"] and codes("sup2") == ["LXJG"]
        assert codes("city") == codes("admin") == ["LXJG", "SCJG", "XFJY"]
        assert codes("li") == []
