"""Check points a diagram declares on a task: `<inspectflow:checks stage="plan"/>` in its extensionElements.

Just before such a task completes (a user task when it is submitted, a script or other engine task when
the engine runs it), the runtime runs the checks registered for that stage (engine.runtime.core.Runtime
`stages`) and writes their findings into the task data as `policy_refusals` (a list, empty when all
passed) and `policy_ok`, so the diagram's gateways route on them and the escalation stays drawn. The
rules themselves live in engine code, never in the diagram.
"""

from __future__ import annotations

from lxml import etree

from .errors import DiagramError
from .forms import INSPECTFLOW_NS

CHECKS_TAG = f"{{{INSPECTFLOW_NS}}}checks"
RESULT_KEYS = ("policy_refusals", "policy_ok")


def _stage_elements(root: etree._Element):
    for element in root.iter(CHECKS_TAG):
        extension = element.getparent()
        task = extension.getparent() if extension is not None else None
        yield element, task


def hook_problems(root: etree._Element, known_stages: set[str] | None = None) -> list[DiagramError]:
    """Malformed declarations; with `known_stages`, also stages nobody registered."""
    problems = []
    for element, task in _stage_elements(root):
        owner_id = task.get("id") if task is not None else None
        stage = (element.get("stage") or "").strip()
        if task is None or not owner_id:
            problems.append(DiagramError("inspectflow:checks belongs in a task's extensionElements",
                                         line=element.sourceline))
        elif not stage.isidentifier():
            problems.append(DiagramError(f"checks on '{owner_id}' need stage=\"name\"", element_id=owner_id,
                                         line=element.sourceline))
        elif known_stages is not None and stage not in known_stages:
            problems.append(DiagramError(
                f"checks on '{owner_id}' name the unknown stage '{stage}' (known: {', '.join(sorted(known_stages))})",
                element_id=owner_id, line=element.sourceline,
            ))
    return problems


def parse_hooks(root: etree._Element) -> dict[str, tuple[str, ...]]:
    """{task element id: the stages checked before it completes}."""
    hooks: dict[str, tuple[str, ...]] = {}
    for element, task in _stage_elements(root):
        if task is not None and task.get("id"):
            hooks[task.get("id")] = (*hooks.get(task.get("id"), ()), element.get("stage").strip())
    return hooks
