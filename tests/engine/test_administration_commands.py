"""engine.commands.administration called directly: policy, calendar and diagrams change only for the roles that
keep them (issue 10 item B), and nothing is written when the actor is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.commands import Actor, NotPermitted, administration
from engine.domain.policy import to_json, yunhe_style
from engine.models import CalendarOverride, ProcessVersion
from tests.conftest import fixture_bytes
from tests.engine.test_task_commands import run
from tests.factories import make_jurisdiction

SCHEDULE = "2027-01-01,holiday\n2027-02-07,workday\n"


@pytest.mark.parametrize("role", ["staff", "agency_head", "county_office", "supervisor", "process_owner"])
def test_only_administrators_edit_policy_and_import_calendars(svc, role):
    with svc.transaction() as session:
        code = make_jurisdiction(session).code
    outsider = Actor("x", role, "SCJG" if role in ("staff", "agency_head") else None)
    with pytest.raises(NotPermitted):
        run(svc, administration.update_policy, outsider, jurisdiction_code=code, document=to_json(yunhe_style()))
    with pytest.raises(NotPermitted):
        run(svc, administration.import_calendar, outsider, SCHEDULE, source="test")
    with svc.sessions() as session:
        assert session.scalars(select(CalendarOverride)).all() == []
    imported = run(svc, administration.import_calendar, Actor("root", "administrator"), SCHEDULE, source="test")
    assert imported.result.years == [2027]


@pytest.mark.parametrize("role", ["staff", "agency_head", "county_office", "supervisor"])
def test_only_process_owners_and_administrators_deploy(svc, role):
    with pytest.raises(NotPermitted):
        run(svc, administration.deploy_diagram, Actor("x", role), xml=fixture_bytes("inbox_task.bpmn"),
            source_name="inbox_task.bpmn")
    with svc.sessions() as session:
        assert session.scalars(select(ProcessVersion)).all() == []
    deployed = run(svc, administration.deploy_diagram, Actor("o", "process_owner"),
                   xml=fixture_bytes("inbox_task.bpmn"), source_name="inbox_task.bpmn")
    assert [d.process_key for d in deployed] == ["inbox_task"]
