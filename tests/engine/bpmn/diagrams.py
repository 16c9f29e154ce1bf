"""Small BPMN diagrams built inline for the loader and engine tests.

`review_diagram` is one process: start → script task → exclusive gateway; the conditional flow goes to a
user task in the "reviewers" lane (with an optional non-interrupting timer on it), the default flow to
an end event. Keyword arguments swap in the condition, script, pre-script or timer under test.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

NAMESPACES = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"'
)


def definitions(*processes: str, extra: str = "") -> str:
    body = "\n".join(processes)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<bpmn:definitions {NAMESPACES} id="Definitions_1">\n{body}\n{extra}</bpmn:definitions>\n'
    )


def review_diagram(
    *,
    script: str = "approved = score > 3",
    condition: str = "approved",
    prescript: str | None = None,
    timer: tuple[str, str] | None = None,
    process_id: str = "Process_review",
    executable: str | None = "true",
    extra_nodes: str = "",
) -> str:
    executable_attr = f' isExecutable="{executable}"' if executable is not None else ""
    extensions = ""
    if prescript is not None:
        extensions = (
            "<bpmn:extensionElements>"
            f"<spiffworkflow:preScript>{escape(prescript)}</spiffworkflow:preScript>"
            "</bpmn:extensionElements>"
        )
    boundary = ""
    if timer is not None:
        kind, text = timer
        boundary = f"""
    <bpmn:boundaryEvent id="Timer_due" attachedToRef="Task_review" cancelActivity="false">
      <bpmn:timerEventDefinition id="TimerDef_due"><bpmn:{kind}>{escape(text)}</bpmn:{kind}></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="End_late"/>
    <bpmn:sequenceFlow id="Flow_late" sourceRef="Timer_due" targetRef="End_late"/>"""
    return definitions(f"""  <bpmn:process id="{process_id}" name="Review"{executable_attr}>
    <bpmn:laneSet id="LaneSet_1">
      <bpmn:lane id="Lane_reviewers" name="reviewers"><bpmn:flowNodeRef>Task_review</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="Lane_system" name="system"><bpmn:flowNodeRef>Task_score</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="Start_1"/>
    <bpmn:scriptTask id="Task_score" name="Score" scriptFormat="python">
      <bpmn:script>{escape(script)}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:exclusiveGateway id="Gateway_approved" default="Flow_no"/>
    <bpmn:userTask id="Task_review" name="Review">{extensions}</bpmn:userTask>{boundary}
    <bpmn:endEvent id="End_done"/>
    <bpmn:endEvent id="End_rejected"/>
    <bpmn:sequenceFlow id="Flow_start" sourceRef="Start_1" targetRef="Task_score"/>
    <bpmn:sequenceFlow id="Flow_scored" sourceRef="Task_score" targetRef="Gateway_approved"/>
    <bpmn:sequenceFlow id="Flow_yes" sourceRef="Gateway_approved" targetRef="Task_review">
      <bpmn:conditionExpression>{escape(condition)}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_no" sourceRef="Gateway_approved" targetRef="End_rejected"/>
    <bpmn:sequenceFlow id="Flow_reviewed" sourceRef="Task_review" targetRef="End_done"/>{extra_nodes}
  </bpmn:process>""")


def single_task_process(process_id: str, body: str, *, executable: str = "true", name: str = "") -> str:
    """A process whose flow nodes and flows are given verbatim."""
    name_attr = f' name="{name}"' if name else ""
    return f'  <bpmn:process id="{process_id}"{name_attr} isExecutable="{executable}">\n{body}\n  </bpmn:process>'
