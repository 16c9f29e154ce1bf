"""Checks a parsed diagram's XML before SpiffWorkflow sees it.

Two jobs, both working on the lxml tree so each problem carries the element id and the source line:

* `structure_problems`: what SpiffWorkflow's parser would silently ignore or misread — elements it has
  no parser for (it skips any that no sequence flow reaches, and ignores unknown event definitions, so a
  link event would quietly become a plain event), processes without a start event, call activities
  without `calledElement`, duplicate ids, script languages other than Python, and element kinds this
  engine does not run (service tasks, DMN business rule tasks).
* `expression_problems`: every expression and script the library would evaluate, compiled in the
  restricted environment of the engine given: sequence-flow conditions, script task scripts, spiff
  pre/post scripts, timers, conditional events, loop and multi-instance expressions, ad hoc completion
  conditions, message/signal/error/escalation payload expressions and correlation expressions. The XML
  is walked rather than the specs because the specs omit unreachable elements and lose line numbers.

Both return every problem found, in document order; nothing here raises on a bad diagram.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from lxml import etree

from .errors import DiagramError, ScriptRefused
from .safe_xml import BPMN_MODEL_NS
from .scripting import RestrictedScriptEngine

SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"


def bpmn(tag: str) -> str:
    return f"{{{BPMN_MODEL_NS}}}{tag}"


def spiff(tag: str) -> str:
    return f"{{{SPIFF_NS}}}{tag}"


SUPPORTED_FLOW_NODES = frozenset(bpmn(t) for t in (
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "task", "userTask", "manualTask", "scriptTask", "sendTask", "receiveTask",
    "subProcess", "transaction", "adHocSubProcess", "callActivity",
    "exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway",
))
REFUSED_FLOW_NODES = {
    bpmn("serviceTask"): "service tasks are not supported (no service connector is configured); "
                         "use a script task or a user task",
    bpmn("businessRuleTask"): "business rule (DMN) tasks are not supported by this loader",
    bpmn("complexGateway"): "complex gateways are not supported; use an exclusive or inclusive gateway",
}
# Children of a process or sub-process that are not flow nodes but are legitimate BPMN content.
PROCESS_CONTENT = frozenset(bpmn(t) for t in (
    "sequenceFlow", "laneSet", "dataObject", "dataObjectReference", "dataStoreReference",
    "textAnnotation", "association", "group", "documentation", "extensionElements", "ioSpecification",
    "ioBinding", "property", "auditing", "monitoring", "correlationSubscription", "resourceRole",
    "performer", "humanPerformer", "potentialOwner", "incoming", "outgoing",
    "standardLoopCharacteristics", "multiInstanceLoopCharacteristics", "dataInputAssociation",
    "dataOutputAssociation", "completionCondition", "supports", "categoryValueRef",
))
CONTAINERS = frozenset(bpmn(t) for t in ("process", "subProcess", "transaction", "adHocSubProcess"))
SUPPORTED_EVENT_DEFINITIONS = frozenset(bpmn(f"{kind}EventDefinition") for kind in (
    "message", "signal", "timer", "cancel", "error", "escalation", "terminate", "conditional",
))
PYTHON_SCRIPT_FORMATS = frozenset({"python", "python3", "text/python", "text/x-python", "py"})


def local_name(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def describe(element: etree._Element) -> str:
    """'sequence flow 'Flow_3'', 'script task 'Task_1'': an element as a modeler knows it."""
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", local_name(element)).lower()
    element_id = element.get("id")
    return f"{words} '{element_id}'" if element_id else words


def owner(element: etree._Element) -> etree._Element:
    """The element a nested expression belongs to: its flow node, sequence flow, message, …"""
    node: etree._Element | None = element
    while node is not None:
        name = local_name(node)
        if (
            node.get("id")
            and etree.QName(node).namespace == BPMN_MODEL_NS
            and not name.endswith(("EventDefinition", "LoopCharacteristics", "Expression"))
        ):
            return node
        node = node.getparent()
    return element


def problem(reason: str, element: etree._Element, line: int | None = None, *, code: str,
            **params: str | int) -> DiagramError:
    return DiagramError(reason, element_id=element.get("id"), line=line or element.sourceline, code=code,
                        params=params)


def runnable_processes(root: etree._Element) -> list[etree._Element]:
    """Processes SpiffWorkflow will parse: all but those marked isExecutable="false"."""
    return [p for p in root.iterfind(bpmn("process")) if p.get("isExecutable", "true") != "false"]


def structure_problems(root: etree._Element) -> list[DiagramError]:
    problems: list[DiagramError] = []
    processes = root.findall(bpmn("process"))
    if not processes:
        return [DiagramError("the diagram defines no process", line=root.sourceline, code="no_process")]
    if not any(p.get("isExecutable") == "true" for p in processes):
        problems.append(DiagramError(
            'no process is executable: mark the process to run with isExecutable="true"',
            element_id=processes[0].get("id"), line=processes[0].sourceline, code="no_executable_process",
        ))

    seen: dict[str, etree._Element] = {}
    for element in root.iter():
        element_id = element.get("id") if isinstance(element.tag, str) else None
        if element_id is None:
            continue
        if element_id in seen:
            problems.append(problem(
                f"the id '{element_id}' is used twice (first on line {seen[element_id].sourceline})", element,
                code="duplicate_id", id=element_id, first_line=seen[element_id].sourceline or 0,
            ))
        else:
            seen[element_id] = element

    non_executable = {p.get("id") for p in processes if p.get("isExecutable", "true") == "false"}
    for process in runnable_processes(root):
        if process.find(bpmn("startEvent")) is None:
            problems.append(problem(f"{describe(process)} has no start event", process, code="no_start_event"))
        for container in _containers(process):
            problems.extend(_container_problems(container, non_executable))
    return problems


def _containers(process: etree._Element) -> Iterator[etree._Element]:
    yield process
    for element in process.iter(*CONTAINERS):
        if element is not process:
            yield element


def reserved_id_reason(element_id: str | None) -> str | None:
    """SpiffWorkflow names its own bookkeeping tasks 'Start', 'End', '<process>.EndJoin', '<id>.BoundaryEventSplit';
    a flow node with such an id is silently merged into them (a start event 'Start' leaves the process empty)."""
    if element_id in RESERVED_IDS or (element_id and "." in element_id):
        return f"the id '{element_id}' is reserved by the engine ('Start', 'End' and ids with a dot); rename it"
    return None


RESERVED_IDS = frozenset({"Start", "End", "Root"})


def _container_problems(container: etree._Element, non_executable: set[str | None]) -> list[DiagramError]:
    problems: list[DiagramError] = []
    for child in container:
        if not isinstance(child.tag, str) or etree.QName(child).namespace != BPMN_MODEL_NS:
            continue
        if child.tag in SUPPORTED_FLOW_NODES and (reason := reserved_id_reason(child.get("id"))):
            problems.append(problem(reason, child, code="reserved_id", id=child.get("id")))
        if child.tag in REFUSED_FLOW_NODES:
            problems.append(problem(f"{describe(child)}: {REFUSED_FLOW_NODES[child.tag]}", child,
                                    code="unsupported_element", kind=local_name(child)))
        elif child.tag not in SUPPORTED_FLOW_NODES and child.tag not in PROCESS_CONTENT:
            problems.append(problem(
                f"{describe(child)}: bpmn:{local_name(child)} elements are not supported by this engine", child,
                code="unsupported_element", kind=local_name(child),
            ))
        elif child.tag == bpmn("callActivity"):
            called = (child.get("calledElement") or "").strip()
            if not called:
                problems.append(problem(
                    f"{describe(child)} has no calledElement (the id of the process it calls)", child,
                    code="call_without_process",
                ))
            elif called in non_executable:
                problems.append(problem(
                    f"{describe(child)} calls process '{called}', which is marked isExecutable=\"false\"", child,
                    code="call_to_non_executable", called=called,
                ))
        elif child.tag == bpmn("scriptTask"):
            script_format = (child.get("scriptFormat") or "").strip().lower()
            if script_format and script_format not in PYTHON_SCRIPT_FORMATS:
                problems.append(problem(
                    f"{describe(child)} is written in '{script_format}'; only Python scripts are supported", child,
                    code="script_not_python", format=script_format,
                ))
        if child.tag in SUPPORTED_FLOW_NODES and local_name(child).endswith(("Event", "Task")):
            problems.extend(_event_definition_problems(child))
    return problems


def _event_definition_problems(node: etree._Element) -> list[DiagramError]:
    problems = []
    for definition in node:
        if not isinstance(definition.tag, str) or etree.QName(definition).namespace != BPMN_MODEL_NS:
            continue
        name = local_name(definition)
        if name == "eventDefinitionRef" or (
            name.endswith("EventDefinition") and definition.tag not in SUPPORTED_EVENT_DEFINITIONS
        ):
            kind = name.removesuffix("EventDefinition")
            problems.append(problem(
                f"{describe(node)}: {kind} event definitions are not supported", node, line=definition.sourceline,
                code="unsupported_event", kind=kind,
            ))
    return problems


# --- expressions and scripts ---------------------------------------------------------------------

Check = Callable[[RestrictedScriptEngine, str | None], None]


def _expression(engine: RestrictedScriptEngine, text: str | None) -> None:
    engine.check_expression(text or "")


def _script(engine: RestrictedScriptEngine, text: str | None) -> None:
    engine.check_script(text)


def _timer(kind: str) -> Check:
    return lambda engine, text: engine.check_timer(text, kind)


# tag -> (label, check, parent tag required or None)
EXPRESSION_SITES: dict[str, tuple[str, Check, str | None]] = {
    bpmn("conditionExpression"): ("condition", _expression, None),
    bpmn("script"): ("script", _script, bpmn("scriptTask")),
    spiff("preScript"): ("pre-script", _script, None),
    spiff("postScript"): ("post-script", _script, None),
    bpmn("timeDate"): ("timeDate", _timer("timeDate"), None),
    bpmn("timeDuration"): ("timeDuration", _timer("timeDuration"), None),
    bpmn("timeCycle"): ("timeCycle", _timer("timeCycle"), None),
    bpmn("condition"): ("condition", _expression, bpmn("conditionalEventDefinition")),
    bpmn("loopCondition"): ("loop condition", _expression, None),
    bpmn("loopCardinality"): ("loop cardinality", _expression, None),
    bpmn("completionCondition"): ("completion condition", _expression, None),
    spiff("messagePayload"): ("message payload", _expression, None),
    spiff("payloadExpression"): ("payload expression", _expression, None),
    bpmn("formalExpression"): ("correlation expression", _expression,
                               bpmn("correlationPropertyRetrievalExpression")),
    bpmn("messagePath"): ("correlation expression", _expression,
                          bpmn("correlationPropertyRetrievalExpression")),
    spiff("expression"): ("correlation expression", _expression, spiff("processVariableCorrelation")),
}


def expression_problems(root: etree._Element, engine: RestrictedScriptEngine) -> list[DiagramError]:
    problems: list[DiagramError] = []
    for element in root.iter(*EXPRESSION_SITES):
        label, check, parent_tag = EXPRESSION_SITES[element.tag]
        parent = element.getparent()
        if parent_tag is not None and (parent is None or parent.tag != parent_tag):
            continue
        text = element.text
        try:
            check(engine, text)
            continue
        except ScriptRefused as refused:
            refusal = refused
        except Exception as exc:  # noqa: BLE001 - a check must never crash the loader
            refusal = ScriptRefused(f"could not be checked: {type(exc).__name__}: {exc}")
        where = owner(element)
        line = element.sourceline
        if refusal.line and line and text:
            leading = text[: len(text) - len(text.lstrip())].count("\n")
            line += leading + refusal.line - 1
        problems.append(DiagramError(f"{label} on {describe(where)}: {refusal.reason}",
                                     element_id=where.get("id"), line=line, code="bad_expression",
                                     params={"what": label, "detail": refusal.reason}))
    return problems
