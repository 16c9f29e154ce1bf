"""Check points declared in a diagram (`inspectflow:checks`) run the registered engine checks before the
task completes; their refusals land in the task data for the diagram to route on."""

from __future__ import annotations

import pytest

from engine.bpmn import DiagramError, load_diagram
from engine.runtime import DeployRefused, instances
from engine.runtime.deploy import deploy as deploy_xml
from engine.runtime.stages import StageContext, StageFindings
from tests.conftest import fixture_bytes
from tests.engine.helpers import complete, deploy, only_task, start


def frequency_cap(context: StageContext) -> StageFindings:
    # A stand-in for the real R15 check, with the shape real checks return.
    visits = context.data.get("visits", 0)
    if visits >= 2:
        return StageFindings([{"rule": "R15", "message": f"已现场检查 {visits} 次，达到每年 2 次上限",
                               "visits": visits, "cap": 2}])
    return StageFindings(data={"visits_left": 2 - visits})


@pytest.fixture
def with_plan_stage(svc):
    seen: list[StageContext] = []

    def check(context: StageContext) -> StageFindings:
        seen.append(context)
        return frequency_cap(context)

    svc.runtime.stages["plan"] = check
    return seen


def test_refusal_routes_the_plan_back_and_names_the_rule(svc, clock, with_plan_stage):
    deploy(svc, clock, "stage_checks.bpmn")
    started = start(svc, clock, "stage_checks", {"agency": "市场监管局"}, business_key="insp-1")
    complete(svc, clock, only_task(svc, started.id, "Plan").id, {"visits": 2}, actor="li")
    replanned = only_task(svc, started.id, "Plan")
    with svc.sessions() as session:
        data = instances.task_data(svc.runtime, session, replanned.id)
    assert data["policy_ok"] is False
    assert data["policy_refusals"] == [{"rule": "R15", "message": "已现场检查 2 次，达到每年 2 次上限",
                                        "visits": 2, "cap": 2}]
    (context,) = with_plan_stage
    assert (context.stage, context.element_id, context.step.actor) == ("plan", "Plan", "li")
    assert (context.step.instance_id, context.step.business_key) == (started.id, "insp-1")


def test_passing_checks_run_again_before_the_site_visit(svc, clock, with_plan_stage):
    deploy(svc, clock, "stage_checks.bpmn")
    started = start(svc, clock, "stage_checks")
    complete(svc, clock, only_task(svc, started.id, "Plan").id, {"visits": 1})
    inspect = only_task(svc, started.id, "Inspect")
    assert [c.element_id for c in with_plan_stage] == ["Plan", "BeforeSite"]
    with svc.sessions() as session:
        data = instances.task_data(svc.runtime, session, inspect.id)
    assert data["policy_ok"] is True and data["policy_refusals"] == [] and data["rechecked"] is True
    assert data["visits_left"] == 1


def test_a_diagram_naming_an_unregistered_stage_is_refused_at_deploy(svc, clock):
    xml = fixture_bytes("stage_checks.bpmn").replace(b'stage="plan"', b'stage="horoscope"')
    with svc.transaction() as session, pytest.raises(DeployRefused, match="unknown stage 'horoscope'") as caught:
        deploy_xml(svc.runtime, session, clock, xml=xml, source_name="stage_checks.bpmn", actor="owner")
    assert caught.value.details["element_id"] == "Plan"


def test_a_check_point_without_a_stage_is_refused():
    xml = fixture_bytes("stage_checks.bpmn").replace(b'<inspectflow:checks stage="plan"/>', b"<inspectflow:checks/>", 1)
    with pytest.raises(DiagramError, match="need stage") as caught:
        load_diagram(xml)
    assert caught.value.element_id == "Plan"
