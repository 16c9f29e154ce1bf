"""The inspection check points diagrams declare (`<inspectflow:checks stage="plan"/>`, "before_site"):
run engine.domain.inspection_checks for the instance's inspection, log every refusal for the supervisors'
view (in the step's own transaction), and hand the diagram its findings.

The instance's data names its inspection (`inspection_id`); an exemption the user claims in the step is
`exemption_reason` (a code from the policy's lists).
"""

from __future__ import annotations

from engine.domain.decisions import log_refusal
from engine.domain.errors import Refused
from engine.domain.inspection_alerts import raise_inspection_alerts
from engine.domain.inspection_checks import STAGES, check_inspection
from engine.models import Inspection
from engine.runtime.stages import StageCheck, StageContext, StageFindings


def refusal_document(refusal: Refused) -> dict:
    return {"rule": refusal.rule, "message": refusal.message, "figures": refusal.figures}


def inspection_stage(stage: str) -> StageCheck:
    def run(context: StageContext) -> StageFindings:
        step = context.step
        inspection_id = context.data.get("inspection_id")
        inspection = step.session.get(Inspection, inspection_id) if isinstance(inspection_id, int) else None
        if inspection is None:
            missing = Refused("R5", "流程没有关联有效的检查记录（inspection_id），无法核验检查条件",
                              {"inspection_id": inspection_id})
            return StageFindings([refusal_document(missing)])
        outcome = check_inspection(step.session, inspection, stage=stage, calendar=step.calendar, now=step.now,
                                   exemption=context.data.get("exemption_reason"))
        for refusal in outcome.refusals:
            log_refusal(step.session, refusal, action=f"inspection.{stage}", actor=step.actor, now=step.now,
                        inspection=inspection)
        if stage == "plan":
            raise_inspection_alerts(step.session, inspection, step.now)
        return StageFindings(
            refusals=[refusal_document(r) for r in outcome.refusals],
            data={"needs_quiet_override": outcome.quiet_period_override, "credit_class": outcome.credit_class},
        )

    return run


INSPECTION_STAGES: dict[str, StageCheck] = {stage: inspection_stage(stage) for stage in STAGES}
