"""Who a user task copies its case to when it completes (抄送), declared in the diagram so the process owner decides
who must know without acting (issue 12 item 4):

    <inspectflow:copy to="司法局,县综合执法办"/>

`to` names candidate groups: the lanes people work (`COPY_GROUPS`, the lane names of engine.identity.access
LANES_BY_ROLE). An agency's groups receive the copy for the instance's agency only, the jurisdiction-wide ones for
the instance's jurisdiction (engine.runtime.copies writes the rows; engine.identity.access reads them).
`copy_problems` refuses an unknown group, an empty list or a misplaced declaration at deploy, naming the step;
`parse_copies` reads the declarations.
"""

from __future__ import annotations

from lxml import etree

from .case_view import declarations, names, user_task_declarations
from .errors import DiagramError
from .forms import INSPECTFLOW_NS

COPY_TAG = f"{{{INSPECTFLOW_NS}}}copy"
# The groups a case can be copied to: an agency's (执法人员, 单位负责人) and a jurisdiction's (县综合执法办, 司法局).
COPY_GROUPS = ("执法人员", "单位负责人", "县综合执法办", "司法局")


def copy_problems(root: etree._Element) -> list[DiagramError]:
    problems: list[DiagramError] = []
    for element, owner_id in user_task_declarations(root, COPY_TAG, problems):
        groups = names(element.get("to"))
        unknown = [group for group in groups if group not in COPY_GROUPS]
        if unknown or not groups:
            group = unknown[0] if unknown else ""
            problems.append(DiagramError(
                f"copy of '{owner_id}' names the unknown group '{group}' (known: {', '.join(COPY_GROUPS)})",
                element_id=owner_id, line=element.sourceline, code="copy_unknown_group",
                params={"group": group, "task": str(owner_id), "known": "、".join(COPY_GROUPS)}))
    return problems


def parse_copies(root: etree._Element) -> dict[str, tuple[str, ...]]:
    """{user task element id: the groups it copies to, in the order given, once each} (declarations already
    checked; several declarations on one task add up)."""
    copies: dict[str, tuple[str, ...]] = {}
    for element, task in declarations(root, COPY_TAG):
        if task is not None and task.get("id"):
            earlier = copies.get(task.get("id"), ())
            copies[task.get("id")] = tuple(dict.fromkeys((*earlier, *names(element.get("to")))))
    return copies
