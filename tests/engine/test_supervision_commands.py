"""engine.commands.supervision called directly: merging and alert handling refuse actors outside their scope
(issue 10 item B), whatever page or API would have stopped them first."""

from __future__ import annotations

from datetime import date

import pytest

from engine.commands import NotPermitted, supervision
from engine.models import Alert, Inspection
from engine.platform import alerts
from tests.engine.access_fixtures import build_world
from tests.engine.test_task_commands import actor, run
from tests.factories import NOW, make_inspection

DAY = date(2026, 10, 20)


@pytest.fixture
def world(svc, clock):
    return build_world(svc, clock)


def two_inspections(svc, world) -> list[int]:
    with svc.transaction() as session:
        return [make_inspection(session, agency=session.merge(world.agencies[code]),
                                enterprise=session.merge(world.firm)).id for code in ("SCJG", "XFJY")]


@pytest.mark.parametrize("outsider, reason", [("office2", "outside_scope"), ("sup", "role"), ("li", "role")])
def test_only_the_county_office_of_the_inspections_merges_them(svc, world, outsider, reason):
    ids = two_inspections(svc, world)
    with pytest.raises(NotPermitted) as refused:
        run(svc, supervision.merge_joint, actor(outsider), inspection_ids=ids, planned_start=DAY, planned_end=DAY)
    assert refused.value.reason == reason
    group = run(svc, supervision.merge_joint, actor("office"), inspection_ids=ids, planned_start=DAY,
                planned_end=DAY)
    with svc.sessions() as session:
        assert {session.get(Inspection, i).joint_group_id for i in ids} == {group.id}


def test_an_alert_of_another_county_is_neither_acknowledged_nor_resolved(svc, world):
    with svc.transaction() as session:
        alert_id = alerts.raise_alert(session, kind="multi_head", subject="x", message="m", now=NOW,
                                      details={"enterprise_id": world.firm.id}).id
    for outsider, reason in (("sup2", "outside_scope"), ("office2", "outside_scope"), ("li", "role")):
        with pytest.raises(NotPermitted) as refused:
            run(svc, supervision.set_alert_status, actor(outsider), alert_id, "resolved")
        assert refused.value.reason == reason
    run(svc, supervision.set_alert_status, actor("sup"), alert_id, "acknowledged")
    with svc.sessions() as session:
        assert session.get(Alert, alert_id).status == "acknowledged"
