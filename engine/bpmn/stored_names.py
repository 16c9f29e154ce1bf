"""The diagram's ids and names that the runtime stores in columns of their own: a process's id and name
(its versions), and each task's and timer's element id, name and lane (the task mirror and deadline rows).
One longer than its column would deploy and then fail every start, so the deploy refuses it naming the
element. Sequence-flow labels and documentation are not stored that way and are left alone.
"""

from __future__ import annotations

from lxml import etree

from engine.models import ProcessVersion, TaskRecord
from engine.models.base import column_length

from .checks import bpmn, describe, local_name, problem
from .errors import DiagramError
from .safe_xml import BPMN_MODEL_NS

ID_LIMIT = min(column_length(ProcessVersion, "process_key"), column_length(TaskRecord, "element_id"))
NAME_LIMIT = min(column_length(ProcessVersion, "name"), column_length(TaskRecord, "name"),
                 column_length(TaskRecord, "lane"))
_UNSTORED_NAMES = frozenset({"sequenceFlow", "textAnnotation", "association"})


def stored_name_problems(root: etree._Element) -> list[DiagramError]:
    problems = []
    for process in root.iterfind(bpmn("process")):
        for element in process.iter():
            if not isinstance(element.tag, str) or etree.QName(element).namespace != BPMN_MODEL_NS:
                continue
            element_id, name = element.get("id") or "", element.get("name") or ""
            if len(element_id) > ID_LIMIT:
                problems.append(problem(
                    f"the id of {local_name(element)} '{element_id[:40]}…' is {len(element_id)} characters long; "
                    f"at most {ID_LIMIT} are stored", element, code="id_too_long", length=len(element_id),
                    limit=ID_LIMIT))
            elif len(name) > NAME_LIMIT and local_name(element) not in _UNSTORED_NAMES:
                problems.append(problem(
                    f"the name of {describe(element)} is {len(name)} characters long; at most {NAME_LIMIT} are "
                    "stored", element, code="name_too_long", length=len(name), limit=NAME_LIMIT))
    return problems
