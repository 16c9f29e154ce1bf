"""Engine steps a diagram declares on a task, in its extensionElements:

- `<inspectflow:checks stage="plan"/>`: rules checked before the task completes; their findings go into
  the task data (`policy_refusals`, a list empty when all passed, and `policy_ok`) for the gateways;
- `<inspectflow:action stage="issue_code"/>`: domain records the step writes (an approval, a code, a
  notice), with any refusal in the same place;
- either with `blocking="true"`: a refusal stops the task from completing at all (nothing is saved and the
  user is told which rule), e.g. no site visit is recorded without a live code.

They run just before the task completes (a user task when it is submitted, a script or other engine task
when the engine runs it) through the stages registered on the runtime (engine.runtime.core.Runtime
`stages`). The rules live in engine code, never in the diagram.
"""

from __future__ import annotations

from typing import NamedTuple

from lxml import etree

from .errors import DiagramError
from .forms import INSPECTFLOW_NS

HOOK_TAGS = (f"{{{INSPECTFLOW_NS}}}checks", f"{{{INSPECTFLOW_NS}}}action")
RESULT_KEYS = ("policy_refusals", "policy_ok")


class StageHook(NamedTuple):
    stage: str
    blocking: bool = False
    kind: str = "checks"  # checks (rules judged: a pass or a return) | action (records written)


def _stage_elements(root: etree._Element):
    for element in root.iter(*HOOK_TAGS):
        extension = element.getparent()
        task = extension.getparent() if extension is not None else None
        yield element, task


def hook_problems(root: etree._Element, known_stages: set[str] | None = None) -> list[DiagramError]:
    """Malformed declarations; with `known_stages`, also stages nobody registered."""
    problems = []
    for element, task in _stage_elements(root):
        kind = etree.QName(element).localname
        owner_id = task.get("id") if task is not None else None
        stage = (element.get("stage") or "").strip()
        if task is None or not owner_id:
            problems.append(DiagramError(f"inspectflow:{kind} belongs in a task's extensionElements",
                                         line=element.sourceline, code="check_point_misplaced"))
        elif not stage.isidentifier():
            problems.append(DiagramError(f"{kind} on '{owner_id}' need stage=\"name\"", element_id=owner_id,
                                         line=element.sourceline, code="check_point_without_stage"))
        elif (element.get("blocking") or "false").strip().lower() not in ("true", "false"):
            problems.append(DiagramError(f"{kind} on '{owner_id}': blocking must be true or false",
                                         element_id=owner_id, line=element.sourceline, code="check_point_blocking"))
        elif known_stages is not None and stage not in known_stages:
            problems.append(DiagramError(
                f"{kind} on '{owner_id}' name the unknown stage '{stage}' (known: {', '.join(sorted(known_stages))})",
                element_id=owner_id, line=element.sourceline, code="check_point_unknown_stage",
                params={"stage": stage},
            ))
    return problems


def parse_hooks(root: etree._Element) -> dict[str, tuple[StageHook, ...]]:
    """{task element id: the stages run before it completes, in document order}."""
    hooks: dict[str, tuple[StageHook, ...]] = {}
    for element, task in _stage_elements(root):
        if task is not None and task.get("id"):
            hook = StageHook(element.get("stage").strip(), (element.get("blocking") or "").strip().lower() == "true",
                             etree.QName(element).localname)
            hooks[task.get("id")] = (*hooks.get(task.get("id"), ()), hook)
    return hooks
