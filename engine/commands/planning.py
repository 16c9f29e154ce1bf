"""Planning an inspection (新建检查计划) for the actor's own agency: the submitted form is checked against the
agency's records (engine.domain.planning: listed items R2, certificate holders R1 and its own assistants,
enterprises of its jurisdiction), the inspection recorded and its lifecycle started, in one unit of work."""

from __future__ import annotations

from datetime import date

from engine.commands.actor import Actor
from engine.commands.work import Work
from engine.domain import planning
from engine.domain.inspection_process import plan_inspection
from engine.identity.access import AGENCY_ROLES, NotPermitted
from engine.models import Inspection
from engine.platform.clock import SHANGHAI


def plan(work: Work, actor: Actor, form: dict, *, visit_day: date) -> tuple[Inspection, int]:
    """The inspection and its lifecycle instance; PlanInvalid names every wrong field and writes nothing."""
    if actor.role not in AGENCY_ROLES:
        raise NotPermitted("role", "only an agency's staff and heads plan inspections", role=actor.role)
    if not actor.agency:
        raise NotPermitted("no_agency", "your account belongs to no agency, so it plans no inspection")
    choices = planning.plan_choices(work.session, actor.agency, visit_day)
    checked = planning.check_plan(work.session, choices, form, today=work.now().astimezone(SHANGHAI).date())
    return plan_inspection(work.runtime, work.session, work.clock, agency_code=actor.agency, actor=actor.username,
                           credit_code=checked.credit_code, item_codes=checked.item_codes,
                           inspector_ids=checked.inspector_ids, planned_start=checked.planned_start,
                           planned_end=checked.planned_end, trigger=checked.trigger,
                           trigger_reason=checked.trigger_reason, mode=checked.mode, urgent=checked.urgent,
                           assistant_ids=checked.assistant_ids)
