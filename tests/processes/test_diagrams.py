"""The shipped diagrams as files: each deploys, every user task carries a valid inspectflow form, every flow
node, lane and sequence flow is drawn, lanes come from the documented set, gateways have named, conditioned
flows and a default, and every timer is a calendar-helper timeDate."""

from __future__ import annotations

import keyword

import pytest
from lxml import etree

from engine.bpmn.forms import CHOICE_SOURCES
from engine.runtime import deploy as deploy_module
from tests.processes.helpers import BPMN_DIR, PROCESS_IDS, deploy_all

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "inspectflow": "http://inspectflow.org/schema/bpmn/1.0",
}
FIELD_TYPES = {"string", "text", "integer", "number", "boolean", "date", "datetime", "choice", "multichoice",
               "file"}
LANES = {"执法人员", "单位负责人", "县综合执法办", "司法局", "企业"}
FLOW_NODES = ("startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
              "task", "userTask", "manualTask", "scriptTask", "sendTask", "receiveTask", "subProcess",
              "callActivity", "exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway")
FILES = sorted(BPMN_DIR.glob("*.bpmn"))


def parse(path):
    return etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()


def flow_nodes(root):
    return [node for tag in FLOW_NODES for node in root.iterfind(f".//bpmn:{tag}", NS)]


def test_one_file_per_procedure():
    assert sorted(path.stem for path in FILES) == PROCESS_IDS
    for path in FILES:
        (process,) = parse(path).findall("bpmn:process", NS)
        assert process.get("id") == path.stem and process.get("isExecutable") == "true"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_each_diagram_deploys(svc, clock, path):
    with svc.transaction() as session:
        (version,) = deploy_module.deploy(svc.runtime, session, clock, xml=path.read_bytes(), source_name=path.name,
                                          actor="owner")
    assert version.process_key == path.stem and version.version == 1 and not version.unchanged


def test_all_six_deploy_together_and_again_unchanged(svc, clock):
    assert sorted(v.process_key for v in deploy_all(svc, clock)) == PROCESS_IDS
    assert all(v.unchanged for v in deploy_all(svc, clock))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_user_task_has_a_valid_form(path):
    root = parse(path)
    assert root.nsmap.get("inspectflow") == NS["inspectflow"]
    for task in root.iterfind(".//bpmn:userTask", NS):
        form = task.find("bpmn:extensionElements/inspectflow:form", NS)
        assert form is not None, f"{task.get('id')} has no inspectflow:form"
        fields = form.findall("inspectflow:field", NS)
        assert fields, f"{task.get('id')} has an empty form"
        names = [field.get("name") for field in fields]
        assert len(set(names)) == len(names), task.get("id")
        assert any(field.get("required") == "true" for field in fields), task.get("id")
        for field in fields:
            where = f"{task.get('id')}.{field.get('name')}"
            name = field.get("name")
            assert name.isidentifier() and not keyword.iskeyword(name) and not name.startswith("_"), where
            assert field.get("type") in FIELD_TYPES, where
            assert field.get("label"), where
            assert field.get("required", "false") in ("true", "false"), where
            choices = field.get("choices")
            if field.get("type") in ("choice", "multichoice") and field.get("choices_from"):
                assert field.get("choices_from") in CHOICE_SOURCES and not choices, where  # the case's choices
            elif field.get("type") in ("choice", "multichoice"):
                assert choices and all(choice.strip() for choice in choices.split("|")), where
            else:
                assert choices is None, where


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_element_is_drawn(path):
    root = parse(path)
    (participant,) = root.findall("bpmn:collaboration/bpmn:participant", NS)
    shapes = {shape.get("bpmnElement"): shape for shape in root.iterfind(".//bpmndi:BPMNShape", NS)}
    edges = {edge.get("bpmnElement"): edge for edge in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    lanes = root.findall(".//bpmn:lane", NS)
    for element in [participant, *lanes, *flow_nodes(root)]:
        shape = shapes.get(element.get("id"))
        assert shape is not None, f"{element.get('id')} has no DI shape"
        bounds = shape.find("dc:Bounds", NS)
        assert float(bounds.get("width")) > 0 and float(bounds.get("height")) > 0
    for flow in root.iterfind(".//bpmn:sequenceFlow", NS):
        edge = edges.get(flow.get("id"))
        assert edge is not None, f"{flow.get('id')} has no DI edge"
        assert len(edge.findall("di:waypoint", NS)) >= 2


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_lanes_hold_every_node_and_come_from_the_documented_set(path):
    root = parse(path)
    lanes = root.findall(".//bpmn:lane", NS)
    assert {lane.get("name") for lane in lanes} <= LANES
    in_lane = {ref.text for lane in lanes for ref in lane.findall("bpmn:flowNodeRef", NS)}
    for node in flow_nodes(root):
        if node.tag != f"{{{NS['bpmn']}}}subProcess":  # an embedded sub-process spans lanes; its nodes are placed
            assert node.get("id") in in_lane, f"{node.get('id')} is in no lane"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_gateways_name_and_condition_their_flows(path):
    root = parse(path)
    flows = {flow.get("id"): flow for flow in root.iterfind(".//bpmn:sequenceFlow", NS)}
    for gateway in [*root.iterfind(".//bpmn:exclusiveGateway", NS), *root.iterfind(".//bpmn:inclusiveGateway", NS)]:
        outgoing = [flow for flow in flows.values() if flow.get("sourceRef") == gateway.get("id")]
        if len(outgoing) < 2:
            continue  # a merge
        assert gateway.get("default") in {flow.get("id") for flow in outgoing}, f"{gateway.get('id')} has no default"
        for flow in outgoing:
            assert flow.get("name"), f"{flow.get('id')} is not named"
            if flow.get("id") != gateway.get("default"):
                assert flow.find("bpmn:conditionExpression", NS) is not None, flow.get("id")


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_deadlines_use_the_calendar_helpers_and_escalate(path):
    root = parse(path)
    flows = list(root.iterfind(".//bpmn:sequenceFlow", NS))
    by_id = {node.get("id"): node for node in flow_nodes(root)}
    for timer in root.iterfind(".//bpmn:timerEventDefinition", NS):
        event = timer.getparent()
        assert timer.find("bpmn:timeDuration", NS) is None and timer.find("bpmn:timeCycle", NS) is None
        expression = timer.find("bpmn:timeDate", NS).text
        if event.tag == f"{{{NS['bpmn']}}}boundaryEvent":
            assert expression.startswith("working_days_after("), event.get("id")
            (flow,) = [f for f in flows if f.get("sourceRef") == event.get("id")]
            script = by_id[flow.get("targetRef")]
            assert script.tag == f"{{{NS['bpmn']}}}scriptTask", event.get("id")
            body = script.find("bpmn:script", NS).text
            if "rating" in body:
                continue  # a missing rating is recorded, not escalated: rating is the enterprise's choice
            assert "overdue = True" in body and "escalated_to = " in body, script.get("id")
            (onward,) = [f for f in flows if f.get("sourceRef") == script.get("id")]
            assert by_id[onward.get("targetRef")].tag == f"{{{NS['bpmn']}}}userTask", script.get("id")
