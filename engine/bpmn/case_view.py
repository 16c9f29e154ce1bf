"""What a user task shows of its case, declared in the diagram so a process owner decides what each step sees
(issue 12: a person never decides blind):

    <inspectflow:shows sections="plan,rule_checks" opinions="Task_check,Task_head_approval"/>

`sections` are read-only case sections shown above the form, in the order given (one of `CASE_SECTIONS`);
`opinions` the earlier steps (user task ids of the same file) whose opinions are shown. A task that declares
nothing shows every section that applies to its case and every earlier opinion. `shows_problems` refuses an
unknown section or step at deploy, naming the element; `parse_shows` reads the declarations.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from lxml import etree

from .errors import DiagramError
from .forms import INSPECTFLOW_NS

SHOWS_TAG = f"{{{INSPECTFLOW_NS}}}shows"
# The sections engine.views.case_sections reads; the page draws each with web/templates/case/<name>.html.
CASE_SECTIONS = ("enterprise", "plan", "urgent", "quiet_request", "notice", "handover", "visit", "rule_checks",
                 "complaint", "penalty", "opinions")


class CaseShows(NamedTuple):
    sections: tuple[str, ...]
    opinions: tuple[str, ...]  # earlier steps' element ids; empty with "opinions" among sections: all of them


def names(text: str | None) -> tuple[str, ...]:
    """The names of a comma-separated attribute, trimmed, empty ones dropped."""
    return tuple(name.strip() for name in (text or "").split(",") if name.strip())


def declarations(root: etree._Element, tag: str):
    """(element, the task whose extensionElements hold it, or None) for each `tag` element of the diagram."""
    for element in root.iter(tag):
        extension = element.getparent()
        task = extension.getparent() if extension is not None else None
        yield element, task


def user_task_ids(root: etree._Element) -> set[str]:
    return {t.get("id") for t in root.iter() if isinstance(t.tag, str)
            and etree.QName(t).localname in ("userTask", "manualTask") and t.get("id")}


def user_task_declarations(root: etree._Element, tag: str, problems: list[DiagramError],
                           ) -> Iterator[tuple[etree._Element, str]]:
    """Each `tag` declaration with the id of the user task that holds it; one placed anywhere else is added to
    `problems` (code `<name>_misplaced`) instead."""
    user_tasks = user_task_ids(root)
    name = etree.QName(tag).localname
    for element, task in declarations(root, tag):
        owner_id = task.get("id") if task is not None else None
        if owner_id in user_tasks:
            yield element, owner_id
        else:
            problems.append(DiagramError(f"inspectflow:{name} belongs in a user task's extensionElements",
                                         element_id=owner_id, line=element.sourceline, code=f"{name}_misplaced"))


def shows_problems(root: etree._Element) -> list[DiagramError]:
    user_tasks = user_task_ids(root)
    problems: list[DiagramError] = []
    for element, owner_id in user_task_declarations(root, SHOWS_TAG, problems):
        unknown = [name for name in names(element.get("sections")) if name not in CASE_SECTIONS]
        if unknown:
            problems.append(DiagramError(
                f"shows of '{owner_id}' names the unknown section '{unknown[0]}' (known: {', '.join(CASE_SECTIONS)})",
                element_id=owner_id, line=element.sourceline, code="shows_unknown_section",
                params={"section": unknown[0], "task": str(owner_id)}))
        strangers = [name for name in names(element.get("opinions")) if name not in user_tasks]
        if strangers:
            problems.append(DiagramError(
                f"shows of '{owner_id}' asks for the opinions of '{strangers[0]}', which is no user task of this "
                "diagram", element_id=owner_id, line=element.sourceline, code="shows_unknown_step",
                params={"step": strangers[0], "task": str(owner_id)}))
    return problems


def parse_shows(root: etree._Element) -> dict[str, CaseShows]:
    """{user task element id: what it shows} for the tasks that declare it (declarations already checked).
    Opinions named without the "opinions" section put it last."""
    shows = {}
    for element, task in declarations(root, SHOWS_TAG):
        if task is not None and task.get("id"):
            sections, opinions = names(element.get("sections")), names(element.get("opinions"))
            if opinions and "opinions" not in sections:
                sections = (*sections, "opinions")
            shows[task.get("id")] = CaseShows(sections, opinions)
    return shows
