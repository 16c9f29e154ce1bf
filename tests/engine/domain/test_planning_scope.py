"""Planning stays inside the agency (issue 10 defect 9): an enterprise of another county, another agency's items
or inspectors are refused, by the plan form's check and by plan_inspection itself."""

from __future__ import annotations

from datetime import date

import pytest

from engine.commands import Actor, NotPermitted, Work
from engine.commands import planning as commands_planning
from engine.domain import planning
from engine.domain.inspection_process import plan_inspection
from tests.factories import make_agency, make_enterprise, make_inspector, make_item_list, make_jurisdiction
from tests.processes.helpers import deploy_all

DAY = date(2026, 10, 20)


@pytest.fixture
def two_counties(svc):
    with svc.transaction() as session:
        county, neighbour = make_jurisdiction(session, code="331125"), make_jurisdiction(session, code="331126")
        ours, theirs = make_agency(session, jurisdiction=county, code="SCJG"), \
            make_agency(session, jurisdiction=neighbour, code="LXJG")
        make_item_list(session, agency=ours, items=[("SCJG-001", "食品经营许可情况检查")])
        make_item_list(session, agency=theirs, items=[("LXJG-001", "危险化学品检查")])
        return {"home": make_enterprise(session, jurisdiction=county).credit_code,
                "away": make_enterprise(session, jurisdiction=neighbour).credit_code,
                "ours": make_inspector(session, agency=ours).id, "theirs": make_inspector(session, agency=theirs).id}


def plan(svc, clock, world, *, enterprise="home", items=("SCJG-001",), inspector="ours"):
    with svc.transaction() as session:
        return plan_inspection(svc.runtime, session, clock, agency_code="SCJG", credit_code=world[enterprise],
                               item_codes=list(items), inspector_ids=[world[inspector]], planned_start=DAY,
                               planned_end=DAY, actor="li")


def test_the_form_check_names_an_enterprise_of_another_county(svc, two_counties):
    with svc.sessions() as session:
        choices = planning.plan_choices(session, "SCJG", DAY)
        form = {"enterprise": two_counties["away"], "planned_start": DAY.isoformat(), "items": ["SCJG-001"],
                "inspectors": [str(two_counties["ours"])]}
        with pytest.raises(planning.PlanInvalid) as invalid:
            planning.check_plan(session, choices, form)
    assert set(invalid.value.fields) == {"enterprise"} and "不在本单位所属辖区内" in invalid.value.fields["enterprise"]


@pytest.mark.parametrize("change", [{"enterprise": "away"}, {"items": ("LXJG-001",)}, {"inspector": "theirs"}])
def test_plan_inspection_refuses_what_is_not_the_agencys(svc, clock, two_counties, change):
    with pytest.raises(ValueError):
        plan(svc, clock, two_counties, **change)


def test_a_plan_of_its_own_goes_ahead(svc, clock, two_counties):
    deploy_all(svc, clock)
    inspection, instance_id = plan(svc, clock, two_counties)
    assert inspection.agency.code == "SCJG" and instance_id


@pytest.mark.parametrize("who", [Actor("o", "county_office", jurisdiction="331125"), Actor("l", "staff", "LXJG"),
                                 Actor("n", "staff", None)])
def test_the_plan_command_plans_for_the_actors_own_agency_only(svc, clock, two_counties, who):
    deploy_all(svc, clock)
    form = {"enterprise": two_counties["home"], "planned_start": DAY.isoformat(), "items": ["SCJG-001"],
            "inspectors": [str(two_counties["ours"])]}
    with pytest.raises((NotPermitted, planning.PlanInvalid)), svc.transaction() as session:
        commands_planning.plan(Work(session, clock, svc.runtime), who, form, visit_day=DAY)
    with svc.transaction() as session:
        inspection, _ = commands_planning.plan(Work(session, clock, svc.runtime), Actor("li", "staff", "SCJG"), form,
                                               visit_day=DAY)
        assert inspection.agency.code == "SCJG"
