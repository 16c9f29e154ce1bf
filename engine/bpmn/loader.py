"""Turns uploaded BPMN XML into SpiffWorkflow specs, or refuses it with the reason and the element.

`load_diagram` is the only way a diagram becomes runnable: hardened XML parsing (`safe_xml`), our own
structure and expression checks (`checks`, against the restricted script engine), then
SpiffWorkflow's spiff-extension parser, whose `ValidationException`s (and any other parser failure)
become `DiagramError`s with the element id and line. `diagram_problems` runs the same checks and returns
every problem, for an editor that pins each error to its element; `load_diagram` raises the first.

Pure functions of their input: no database, no clock, safe to call from any thread.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask as SubWorkflowTaskMixin
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from .case_view import CaseShows, parse_shows, shows_problems
from .checks import bpmn, expression_problems, runnable_processes, structure_problems
from .copies import copy_problems, parse_copies
from .errors import DiagramError
from .forms import FormSpec, form_problems, parse_forms
from .hooks import StageHook, hook_problems, parse_hooks
from .safe_xml import diagram_bytes, parse_diagram_xml
from .scripting import CALENDAR_HELPER_NAMES, RestrictedScriptEngine
from .stored_names import stored_name_problems


@dataclass
class LoadedDiagram:
    """A diagram that passed every check, with the specs SpiffWorkflow needs to run it.

    `specs` holds a spec for every process SpiffWorkflow can run from this file, keyed by id: the
    top-level processes (all but isExecutable="false") and each embedded sub-process, transaction and
    event sub-process (keyed by its element id), since BpmnWorkflow wants those as subprocess specs.
    `lanes` maps a top-level process id to {element id of each user or manual task -> lane name},
    including tasks inside its embedded sub-processes; tasks outside any named lane are absent.
    """

    xml: bytes
    executable_process_ids: list[str]
    specs: dict[str, BpmnProcessSpec]
    called_process_ids: set[str]
    process_names: dict[str, str]
    lanes: dict[str, dict[str, str]]
    source_name: str = "diagram.bpmn"
    embedded_spec_ids: set[str] = field(default_factory=set)
    forms: dict[str, FormSpec] = field(default_factory=dict)  # user task element id -> its form
    hooks: dict[str, tuple[StageHook, ...]] = field(default_factory=dict)  # task element id -> its stages
    shows: dict[str, CaseShows] = field(default_factory=dict)  # user task element id -> the case it shows
    copies: dict[str, tuple[str, ...]] = field(default_factory=dict)  # user task element id -> groups copied (抄送)

    def subprocess_specs(self, process_id: str) -> dict[str, BpmnProcessSpec]:
        """The specs from this file that `process_id` reaches through sub-processes and call activities.

        Pass them (plus specs of `called_process_ids` from other diagrams) as `subprocess_specs` to
        `BpmnWorkflow(self.specs[process_id], subprocess_specs, script_engine=engine)`.
        """
        found: dict[str, BpmnProcessSpec] = {}
        pending = [process_id]
        while pending:
            for task_spec in self.specs[pending.pop()].task_specs.values():
                if isinstance(task_spec, SubWorkflowTaskMixin):
                    target = task_spec.spec
                    if target in self.specs and target not in found and target != process_id:
                        found[target] = self.specs[target]
                        pending.append(target)
        return found


def _placeholder(name: str):  # noqa: ANN202 - a stub that only has to exist while checking
    def helper(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"{name} is only a placeholder; run workflows with the runtime's engine")
    helper.__name__ = name
    return helper


_CHECKING_ENGINE = RestrictedScriptEngine({name: _placeholder(name) for name in CALENDAR_HELPER_NAMES})


def diagram_problems(
    data: bytes | str, source_name: str = "diagram.bpmn", *, engine: RestrictedScriptEngine | None = None,
    stages: set[str] | None = None,
) -> list[DiagramError]:
    """Every reason to refuse the diagram (empty if it loads). XML that cannot be parsed safely is one
    problem; otherwise structure, expression and SpiffWorkflow parser problems are all collected, in
    document order."""
    try:
        root = parse_diagram_xml(data)
    except DiagramError as error:
        return [error]
    problems, _ = _check_and_parse(root, source_name, engine or _CHECKING_ENGINE, stages)
    return problems


def load_diagram(
    data: bytes | str, source_name: str = "diagram.bpmn", *, engine: RestrictedScriptEngine | None = None,
    stages: set[str] | None = None,
) -> LoadedDiagram:
    """Parse, check and compile a diagram; raise the first `DiagramError` if anything is refused.

    Scripts are checked against `engine`'s helpers; without one, against the calendar helper names the
    design promises (`working_days_after`, `is_working_day`). With `stages`, check points must name one of
    them (the runtime passes the stages it has checks for).
    """
    raw = diagram_bytes(data)
    root = parse_diagram_xml(raw)
    problems, parser = _check_and_parse(root, source_name, engine or _CHECKING_ENGINE, stages)
    if problems:
        raise problems[0]
    assert parser is not None
    return _loaded(raw, root, parser, source_name)


def _check_and_parse(
    root: etree._Element, source_name: str, engine: RestrictedScriptEngine, stages: set[str] | None
) -> tuple[list[DiagramError], SpiffBpmnParser | None]:
    problems = structure_problems(root)
    problems.extend(expression_problems(root, engine))
    problems.extend(form_problems(root))
    problems.extend(hook_problems(root, stages))
    problems.extend(shows_problems(root))
    problems.extend(copy_problems(root))
    problems.extend(stored_name_problems(root))
    parser = None
    try:
        parser = _parse_specs(root, source_name)
    except DiagramError as error:
        reported = {p.element_id for p in problems if p.element_id}
        if error.element_id not in reported:
            problems.append(error)
    problems.sort(key=lambda p: p.line or 0)  # document order; problems without a line concern the whole file
    return problems, parser


def _parse_specs(root: etree._Element, source_name: str) -> SpiffBpmnParser:
    parser = SpiffBpmnParser()
    try:
        parser.add_bpmn_xml(root, filename=source_name)
        for process in runnable_processes(root):
            parser.get_spec(process.get("id"))
        parser.find_all_specs()
    except ValidationException as exc:
        raise _from_validation(exc, root) from None
    except RecursionError:
        raise DiagramError("the diagram's flow is too deeply nested or too long to parse", code="too_deep") from None
    except Exception as exc:  # the library's parser raises bare errors on some malformed input
        raise DiagramError(f"the diagram could not be parsed: {type(exc).__name__}: {exc}", code="bpmn_invalid",
                           params={"detail": f"{type(exc).__name__}: {exc}"}) from None
    return parser


def _from_validation(exc: ValidationException, root: etree._Element) -> DiagramError:
    message = str(exc.args[0]) if exc.args else "invalid diagram"
    element_id = getattr(exc, "id", "") or None
    line = getattr(exc, "line_number", "") or None
    if element_id and not line:
        element = _by_id(root, element_id)
        line = element.sourceline if element is not None else None
    return DiagramError(message.rstrip(". "), element_id=element_id, line=line if isinstance(line, int) else None,
                        code="bpmn_invalid", params={"detail": message.rstrip(". ")})


def _by_id(root: etree._Element, element_id: str) -> etree._Element | None:
    for element in root.iter():
        if isinstance(element.tag, str) and element.get("id") == element_id:
            return element
    return None


def _loaded(raw: bytes, root: etree._Element, parser: SpiffBpmnParser, source_name: str) -> LoadedDiagram:
    processes = root.findall(bpmn("process"))
    defined = {p.get("id") for p in processes}
    specs = {spec_id: spec for spec_id, spec in parser.find_all_specs().items()}
    embedded = set(specs) - defined
    called = {
        (element.get("calledElement") or "").strip()
        for element in root.iter(bpmn("callActivity"))
    }
    runnable = [p.get("id") for p in runnable_processes(root)]
    forms = parse_forms(root)
    hooks = parse_hooks(root)
    shows = parse_shows(root)
    copies = parse_copies(root)
    _attach(specs, "inspectflow_form", forms)
    _attach(specs, "inspectflow_checks", hooks)
    _attach(specs, "inspectflow_shows", shows)
    _attach(specs, "inspectflow_copy", copies)
    return LoadedDiagram(
        xml=raw,
        executable_process_ids=[p.get("id") for p in processes if p.get("isExecutable") == "true"],
        specs=specs,
        called_process_ids={c for c in called if c and c not in defined},
        process_names={p.get("id"): (p.get("name") or p.get("id")) for p in processes},
        lanes={pid: _lanes(pid, specs, embedded) for pid in runnable},
        source_name=source_name,
        embedded_spec_ids=embedded,
        forms=forms,
        hooks=hooks,
        shows=shows,
        copies=copies,
    )


def _attach(specs: dict[str, BpmnProcessSpec], attribute: str, by_element: Mapping[str, object]) -> None:
    """Hang what the diagram declares for a task (its form, its check stages, what it shows, its copies) on the
    task's spec, where the runtime finds it whatever (sub)process the task runs in."""
    for spec in specs.values():
        for task_spec in spec.task_specs.values():
            value = by_element.get(getattr(task_spec, "bpmn_id", None) or "")
            if value is not None:
                setattr(task_spec, attribute, value)


def _lanes(process_id: str, specs: dict[str, BpmnProcessSpec], embedded: set[str]) -> dict[str, str]:
    lanes: dict[str, str] = {}
    for spec in _with_embedded(specs[process_id], specs, embedded):
        for task_spec in spec.task_specs.values():
            bpmn_id = getattr(task_spec, "bpmn_id", None)
            if bpmn_id and getattr(task_spec, "manual", False) and task_spec.lane:
                lanes[bpmn_id] = task_spec.lane
    return lanes


def _with_embedded(
    spec: BpmnProcessSpec, specs: dict[str, BpmnProcessSpec], embedded: set[str]
) -> Iterable[BpmnProcessSpec]:
    seen = {spec.name}
    pending = [spec]
    while pending:
        current = pending.pop()
        yield current
        for task_spec in current.task_specs.values():
            target = task_spec.spec if isinstance(task_spec, SubWorkflowTaskMixin) else None
            if target in embedded and target not in seen:
                seen.add(target)
                pending.append(specs[target])
