"""Policy check points: the runtime side of `<inspectflow:checks stage="..."/>` (see engine.bpmn.hooks).

A stage is a function registered on the Runtime under a name. It gets a `StageContext` (the session of
the step's transaction, the moment, the actor, the task's data) and returns `StageFindings`: its
refusals, JSON objects that name the rule (R-number in DOMAIN.md) and the figures, and any facts the
diagram routes on (e.g. that a quiet-period override is needed). The runtime stores them in the task data
before the task completes, so the diagram routes on `policy_ok` and shows `policy_refusals`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy.orm import Session

from engine.calendar import WorkingCalendar
from engine.runtime.errors import PolicyRefused, RuntimeFailure


@dataclass(frozen=True)
class StepContext:
    """What a step of one instance runs with (the session is the step's own transaction)."""

    session: Session
    now: datetime
    actor: str
    instance_id: int | None  # None while the instance is being started
    business_key: str | None
    calendar: WorkingCalendar


@dataclass(frozen=True)
class StageContext:
    step: StepContext
    stage: str
    element_id: str
    data: Mapping[str, Any]


@dataclass(frozen=True)
class StageFindings:
    refusals: list[dict] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # extra task data (JSON values)
    # How the step reads in the audit trail where that differs from what was submitted (e.g. the office's 通过
    # that the rules turned into a return); the task data keeps the submission.
    recorded: dict[str, Any] = field(default_factory=dict)


StageCheck = Callable[[StageContext], StageFindings]
# A form's choices for one case, from its task data (engine.bpmn.forms `choices_from`); None: the case has none
# (e.g. no plan record), and the field is typed as text.
ChoiceSource = Callable[[Session, Mapping[str, Any]], "tuple[str, ...] | None"]


def apply_stage_checks(stages: Mapping[str, StageCheck], task, step: StepContext) -> dict[str, Any] | None:
    """Run the stages the task declares and record their findings in its data (before it completes); returns
    what they added to the data plus `checks`, the stages that judged rules (not actions), and `recorded`, the
    trail's reading of submitted values, for the step's audit entry (None when the task declares none)."""
    declared = getattr(task.task_spec, "inspectflow_checks", ())
    if not declared:
        return None
    refusals: list[dict] = []
    facts: dict[str, Any] = {}
    recorded: dict[str, Any] = {}
    for stage, blocking, _kind in declared:
        check = stages.get(stage)
        if check is None:  # deploy refuses unknown stages; a stage unregistered since then is an operator error
            raise RuntimeFailure(f"no checks are registered for stage '{stage}' (task '{task.task_spec.bpmn_id}')",
                                 stage=stage)
        found = check(StageContext(step=step, stage=stage, element_id=task.task_spec.bpmn_id,
                                   data=dict(task.data)))
        try:
            orjson.dumps([found.refusals, found.data, found.recorded])
        except TypeError as exc:
            raise RuntimeFailure(f"checks of stage '{stage}' returned something that is not JSON: {exc}") from exc
        if blocking and found.refusals:
            rules = ", ".join(sorted({str(r.get("rule")) for r in found.refusals}))
            raise PolicyRefused(
                f"'{task.task_spec.bpmn_name or task.task_spec.bpmn_id}' cannot be completed ({rules}): "
                + "; ".join(str(r.get("message")) for r in found.refusals),
                stage=stage, refusals=found.refusals, name=task.task_spec.bpmn_name or task.task_spec.bpmn_id)
        refusals.extend(found.refusals)
        facts.update(found.data)
        recorded.update(found.recorded)
    findings = {**facts, "policy_refusals": refusals, "policy_ok": not refusals}
    task.data.update(findings)
    return {**findings, "checks": [hook.stage for hook in declared if hook.kind == "checks"], "recorded": recorded}
