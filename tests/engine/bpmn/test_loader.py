"""engine.bpmn.loader: diagrams become specs that run, or are refused with the element id and line."""

from __future__ import annotations

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from engine.bpmn import DiagramError, RestrictedScriptEngine, diagram_problems, load_diagram

from .diagrams import definitions, review_diagram, single_task_process


def working_days_after(day, n):
    return "2026-10-08T23:59:59.999999+08:00"


def is_working_day(day):
    return True


ENGINE = RestrictedScriptEngine(
    {"working_days_after": working_days_after, "is_working_day": is_working_day}, time_limit_s=0.5
)
SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))


def start(diagram, data, process_id="Process_review"):
    workflow = BpmnWorkflow(diagram.specs[process_id], diagram.subprocess_specs(process_id), script_engine=ENGINE)
    workflow.get_tasks(state=TaskState.READY)[0].data.update(data)
    workflow.do_engine_steps()
    return workflow


def ready_user_tasks(workflow):
    return [t for t in workflow.get_tasks(state=TaskState.READY) if t.task_spec.manual]


def restore(workflow):
    restored = SERIALIZER.deserialize_json(SERIALIZER.serialize_json(workflow))
    restored.script_engine = ENGINE  # the deserializer attaches SpiffWorkflow's unrestricted default
    return restored


def refusal(xml) -> DiagramError:
    with pytest.raises(DiagramError) as caught:
        load_diagram(xml)
    return caught.value


def line_of(xml: str, fragment: str) -> int:
    return next(number for number, line in enumerate(xml.splitlines(), 1) if fragment in line)


# --- a valid diagram ------------------------------------------------------------------------------------

def test_a_valid_diagram_loads_with_its_metadata():
    xml = review_diagram(timer=("timeDuration", "PT1H"), prescript="note = 'x'")
    diagram = load_diagram(xml.encode(), source_name="review.bpmn")
    assert diagram.xml == xml.encode()
    assert diagram.executable_process_ids == ["Process_review"]
    assert set(diagram.specs) == {"Process_review"}
    assert diagram.process_names == {"Process_review": "Review"}
    assert diagram.lanes == {"Process_review": {"Task_review": "reviewers"}}
    assert diagram.called_process_ids == set()
    assert diagram.specs["Process_review"].task_specs["Task_review"].lane == "reviewers"


@pytest.mark.parametrize("score, expected_end", [(5, "End_done"), (1, "End_rejected")])
def test_the_spec_runs_to_completion_and_the_gateway_picks_the_path(score, expected_end):
    workflow = start(load_diagram(review_diagram()), {"score": score})
    if score > 3:
        [review] = ready_user_tasks(workflow)
        assert review.task_spec.bpmn_id == "Task_review"
        workflow = restore(workflow)
        ready_user_tasks(workflow)[0].run()
        workflow.do_engine_steps()
    assert workflow.completed
    finished = {t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.COMPLETED)}
    assert expected_end in finished
    assert workflow.data["approved"] is (score > 3)


def test_helpers_prescripts_and_bare_iso_timers_run():
    xml = review_diagram(
        script="approved = is_working_day('2026-10-08')\ndue = working_days_after('2026-10-08', 1)",
        prescript="reviewer_note = 'due ' + due",
        timer=("timeDuration", "PT1H"),
    )
    workflow = start(load_diagram(xml), {})
    [review] = ready_user_tasks(workflow)
    assert review.data["reviewer_note"] == "due 2026-10-08T23:59:59.999999+08:00"
    workflow.refresh_timers()
    [timer] = [t for t in workflow.get_tasks() if t.task_spec.bpmn_id == "Timer_due"]
    assert timer.state == TaskState.WAITING
    assert "event_value" in timer.internal_data  # PT1H was evaluated to a moment one hour ahead


def test_a_time_date_timer_may_call_the_calendar_helper():
    xml = review_diagram(timer=("timeDate", "working_days_after(inspection_date, 1)"))
    workflow = start(load_diagram(xml), {"score": 5, "inspection_date": "2026-10-07"})
    workflow.refresh_timers()
    [timer] = [t for t in workflow.get_tasks() if t.task_spec.bpmn_id == "Timer_due"]
    assert timer.internal_data["event_value"] == "2026-10-08T23:59:59.999999+08:00"


def test_a_tampered_spec_restored_from_storage_still_cannot_escape():
    workflow = start(load_diagram(review_diagram()), {"score": 1})
    state = SERIALIZER.serialize_json(workflow).replace("approved = score > 3", "x = ().__class__.__base__")
    restored = SERIALIZER.deserialize_json(state)
    restored.script_engine = ENGINE
    restored.reset_from_task_id(restored.get_tasks(spec_name="Task_score")[0].id)
    with pytest.raises(WorkflowTaskException, match="__class__"):
        restored.do_engine_steps()


def test_runaway_script_fails_the_task_instead_of_hanging():
    engine = RestrictedScriptEngine(time_limit_s=0.2)
    diagram = load_diagram(review_diagram(script="while True:\n    pass"))
    workflow = BpmnWorkflow(diagram.specs["Process_review"], script_engine=engine)
    with pytest.raises(WorkflowTaskException, match="ScriptTimeout"):
        workflow.do_engine_steps()


# --- escape attempts are refused at load, naming the element ----------------------------------------------

ESCAPES = [
    "__import__('os')",
    "().__class__.__base__.__subclasses__()",
    "getattr(x, '__class__')",
    "open('/etc/passwd')",
    "eval('1')",
    "exec('x = 1')",
    "globals()",
    "vars()",
    "type(x)",
    "(lambda: 0).__globals__",
    "(f := getattr)(x, 'y')",
    "[*vars()]",
    "'{0.__class__}'.format(1)",
    "(x for x in []).gi_frame",
    "(x for x in []).gi_frame.f_back",
    "x.mro()",
]


@pytest.mark.parametrize("expression", ESCAPES)
def test_escape_in_a_condition_is_refused_with_the_flow_id(expression):
    xml = review_diagram(condition=expression)
    error = refusal(xml)
    assert error.element_id == "Flow_yes"
    assert error.line == line_of(xml, "<bpmn:conditionExpression>")
    assert str(error).startswith("diagram refused: condition on sequence flow 'Flow_yes': ")
    assert "(element Flow_yes, line" in str(error)


@pytest.mark.parametrize("script", ESCAPES + ["import os", "from subprocess import run", "print(x)"])
def test_escape_in_a_script_task_is_refused_with_the_task_id(script):
    error = refusal(review_diagram(script="x = 1\ny = " + script if "import" not in script else script))
    assert error.element_id == "Task_score"
    assert error.reason.startswith("script on script task 'Task_score': ")


def test_script_refusal_points_at_the_line_inside_the_script():
    xml = review_diagram(script="a = 1\nb = 2\nc = a.__dict__")
    error = refusal(xml)
    assert error.line == line_of(xml, "c = a.__dict__")


@pytest.mark.parametrize("script", ["import os", "y = open('/etc/passwd').read()"])
def test_escape_in_a_spiff_prescript_is_refused(script):
    error = refusal(review_diagram(prescript=script))
    assert error.element_id == "Task_review"
    assert error.reason.startswith("pre-script on user task 'Task_review'")


@pytest.mark.parametrize("kind", ["timeDate", "timeDuration", "timeCycle"])
def test_escape_in_a_timer_is_refused_with_the_event_id(kind):
    error = refusal(review_diagram(timer=(kind, "__import__('os').system('id')")))
    assert error.element_id == "Timer_due"
    assert error.reason.startswith(f"{kind} on boundary event 'Timer_due'")


def test_bare_iso_timer_literals_are_accepted_and_garbage_is_refused():
    for kind, literal in [("timeDuration", "PT1H"), ("timeDuration", "P5D"), ("timeCycle", "R3/PT10M"),
                          ("timeDate", "2026-10-08T09:00:00+08:00")]:
        load_diagram(review_diagram(timer=(kind, literal)))
    error = refusal(review_diagram(timer=("timeDuration", "P1X")))
    assert error.element_id == "Timer_due"
    assert "'P1X' is not a valid ISO 8601 duration" in error.reason
    assert "needs a date" in refusal(review_diagram(timer=("timeDate", "PT1H"))).reason


def test_unknown_function_calls_are_refused_against_the_engine_given():
    xml = review_diagram(condition="approve_automatically(score)")
    assert "'approve_automatically' is not a function available" in refusal(xml).reason
    engine = RestrictedScriptEngine({"approve_automatically": lambda s: True})
    load_diagram(xml, engine=engine)


# --- structure -------------------------------------------------------------------------------------------

def test_a_process_without_a_start_event_is_refused():
    xml = definitions(single_task_process("Process_a", '<bpmn:userTask id="Task_a"/>'))
    error = refusal(xml)
    assert error.element_id == "Process_a"
    assert "has no start event" in error.reason


@pytest.mark.parametrize("reserved", ["Start", "End", "Task.BoundaryEventSplit"])
def test_ids_the_engine_reserves_are_refused(reserved):
    # SpiffWorkflow would silently merge such a node into its own bookkeeping task (a start event called
    # 'Start' leaves the process empty).
    xml = definitions(single_task_process("Process_a", f'<bpmn:startEvent id="{reserved}"/>'))
    error = refusal(xml)
    assert error.element_id == reserved and "reserved" in error.reason


def test_unsupported_flow_nodes_are_refused_even_when_unreachable():
    gateway = review_diagram(extra_nodes='\n    <bpmn:complexGateway id="Gateway_complex"/>')
    error = refusal(gateway)
    assert error.element_id == "Gateway_complex" and "complex gateways are not supported" in error.reason
    made_up = review_diagram(extra_nodes='\n    <bpmn:teleportTask id="Task_teleport"/>')
    error = refusal(made_up)
    assert error.element_id == "Task_teleport"
    assert "bpmn:teleportTask elements are not supported" in error.reason
    assert error.line == line_of(made_up, "teleportTask")


def test_service_tasks_and_link_events_are_refused():
    service = review_diagram(extra_nodes='\n    <bpmn:serviceTask id="Task_call_api"/>')
    assert refusal(service).element_id == "Task_call_api"
    link = review_diagram(extra_nodes=(
        '\n    <bpmn:intermediateThrowEvent id="Event_link">'
        '<bpmn:linkEventDefinition id="Link_1" name="x"/></bpmn:intermediateThrowEvent>'
    ))
    error = refusal(link)
    assert error.element_id == "Event_link" and "link event definitions are not supported" in error.reason


def test_a_diagram_without_an_executable_process_is_refused():
    for executable in ("false", None):
        error = refusal(review_diagram(executable=executable))
        assert "no process is executable" in error.reason


def test_a_script_in_another_language_is_refused():
    xml = review_diagram().replace('scriptFormat="python"', 'scriptFormat="groovy"')
    error = refusal(xml)
    assert error.element_id == "Task_score" and "groovy" in error.reason


def test_call_activities():
    caller = single_task_process("Process_main", """
    <bpmn:startEvent id="Start_main"/>
    <bpmn:callActivity id="Call_notice" calledElement="Process_notice"/>
    <bpmn:callActivity id="Call_local" calledElement="Process_local"/>
    <bpmn:endEvent id="End_main"/>
    <bpmn:sequenceFlow id="F1" sourceRef="Start_main" targetRef="Call_notice"/>
    <bpmn:sequenceFlow id="F2" sourceRef="Call_notice" targetRef="Call_local"/>
    <bpmn:sequenceFlow id="F3" sourceRef="Call_local" targetRef="End_main"/>""")
    local = single_task_process("Process_local", """
    <bpmn:startEvent id="Start_local"/><bpmn:endEvent id="End_local"/>
    <bpmn:sequenceFlow id="F4" sourceRef="Start_local" targetRef="End_local"/>""", executable="true")
    diagram = load_diagram(definitions(caller, local))
    assert diagram.called_process_ids == {"Process_notice"}
    assert set(diagram.subprocess_specs("Process_main")) == {"Process_local"}

    missing = definitions(caller.replace(' calledElement="Process_notice"', ""), local)
    error = refusal(missing)
    assert error.element_id == "Call_notice" and "has no calledElement" in error.reason

    documentation_only = definitions(caller, local.replace('isExecutable="true"', 'isExecutable="false"'))
    assert "isExecutable=\"false\"" in refusal(documentation_only).reason


def test_embedded_subprocess_specs_and_lanes():
    body = """
    <bpmn:laneSet><bpmn:lane id="Lane_heads" name="heads"><bpmn:flowNodeRef>Sub_approve</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="Start_1"/>
    <bpmn:subProcess id="Sub_approve">
      <bpmn:startEvent id="Sub_start"/>
      <bpmn:userTask id="Task_head_approves"/>
      <bpmn:endEvent id="Sub_end"/>
      <bpmn:sequenceFlow id="S1" sourceRef="Sub_start" targetRef="Task_head_approves"/>
      <bpmn:sequenceFlow id="S2" sourceRef="Task_head_approves" targetRef="Sub_end"/>
    </bpmn:subProcess>
    <bpmn:endEvent id="End_1"/>
    <bpmn:sequenceFlow id="F1" sourceRef="Start_1" targetRef="Sub_approve"/>
    <bpmn:sequenceFlow id="F2" sourceRef="Sub_approve" targetRef="End_1"/>"""
    diagram = load_diagram(definitions(single_task_process("Process_plan", body, name="Plan")))
    assert set(diagram.specs) == {"Process_plan", "Sub_approve"}
    assert diagram.lanes == {"Process_plan": {"Task_head_approves": "heads"}}
    workflow = BpmnWorkflow(diagram.specs["Process_plan"], diagram.subprocess_specs("Process_plan"),
                            script_engine=ENGINE)
    workflow.do_engine_steps()
    [task] = ready_user_tasks(workflow)
    assert task.task_spec.lane == "heads"


def test_multi_instance_and_loop_expressions_are_checked():
    body = """
    <bpmn:startEvent id="Start_1"/>
    <bpmn:userTask id="Task_each">
      <bpmn:multiInstanceLoopCharacteristics id="MI_1">
        <bpmn:loopCardinality>().__class__</bpmn:loopCardinality>
        <bpmn:completionCondition>open('x')</bpmn:completionCondition>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:endEvent id="End_1"/>
    <bpmn:sequenceFlow id="F1" sourceRef="Start_1" targetRef="Task_each"/>
    <bpmn:sequenceFlow id="F2" sourceRef="Task_each" targetRef="End_1"/>"""
    problems = diagram_problems(definitions(single_task_process("Process_mi", body)))
    assert [(p.element_id, p.reason.split(":")[0]) for p in problems] == [
        ("Task_each", "loop cardinality on user task 'Task_each'"),
        ("Task_each", "completion condition on user task 'Task_each'"),
    ]


def test_spiffworkflow_validation_errors_become_diagram_errors_with_the_element():
    xml = review_diagram().replace('default="Flow_no"', "")
    error = refusal(xml)
    assert error.element_id == "Flow_no"
    assert "without condition" in error.reason
    assert error.line == line_of(xml, 'id="Flow_no"')


def test_duplicate_ids_are_refused():
    xml = review_diagram(extra_nodes='\n    <bpmn:endEvent id="End_done"/>')
    assert "used twice" in refusal(xml).reason


# --- collecting every problem --------------------------------------------------------------------------------

def test_diagram_problems_collects_every_refusal_in_document_order():
    xml = review_diagram(
        script="import os",
        condition="().__class__",
        prescript="open('/etc/passwd')",
        timer=("timeDuration", "P1X"),
        extra_nodes='\n    <bpmn:complexGateway id="Gateway_complex"/>',
    )
    problems = diagram_problems(xml)
    assert [p.element_id for p in problems] == [
        "Task_score", "Task_review", "Timer_due", "Flow_yes", "Gateway_complex",
    ]
    assert [p.line for p in problems] == sorted(p.line for p in problems)
    with pytest.raises(DiagramError) as caught:
        load_diagram(xml)
    assert caught.value.to_dict() == problems[0].to_dict()
    assert diagram_problems(review_diagram()) == []


def test_load_diagram_refuses_entities_before_anything_else():
    xxe = review_diagram().replace(
        "<bpmn:definitions", '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<bpmn:definitions', 1
    ).replace('name="Review"', 'name="&e;"')
    error = refusal(xxe)
    assert "DOCTYPE declarations are not allowed" in error.reason and error.line == 2


def test_diagram_problems_reports_unparseable_xml_as_one_problem():
    [problem] = diagram_problems("<bpmn:definitions")
    assert "malformed" in problem.reason and problem.line == 1
