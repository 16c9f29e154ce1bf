"""The case a task decides on, section by section (issue 12: each step sees what its decision needs): one small
read-model per section of engine.bpmn.case_view.CASE_SECTIONS, read from the records the instance's data names
(inspection_id, complaint_id, penalty_id, the enterprise's credit code) and from the audit trail. A section
that does not apply to the case (no plan, no penalty yet…) is left out. Which sections a task shows is the
diagram's `inspectflow:shows`; a task that declares nothing shows every section that applies. Read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.bpmn.case_view import CASE_SECTIONS, CaseShows
from engine.domain.enterprise_view import enterprise_year
from engine.models import AuditEntry, Inspection, Notice, Penalty, PolicyDecision, ProcessInstance, TaskRecord
from engine.models.vocabulary import NOTICE_EXEMPTIONS
from engine.runtime import Runtime, instances
from engine.views.complaint_summary import complaint_summary
from engine.views.enterprise_portal import handover
from engine.views.plan_summary import planned_inspection

# Form fields that carry a step's judgement (its opinion, outcome or approval), shown to the steps after it.
OPINION_ENDINGS = ("opinion", "_comment", "_outcome", "_approved", "refusal_reason")


@dataclass(frozen=True)
class Case:
    session: Session
    runtime: Runtime
    task: TaskRecord
    data: dict[str, Any]
    today: date
    opinions_of: tuple[str, ...] = ()  # earlier steps whose opinions are asked for; empty: all of them


@dataclass(frozen=True)
class NoticeGiven:
    given_on: date | None
    method: str | None
    exemption: str | None  # why none was given (R8)
    exemption_note: str | None
    content: dict


@dataclass(frozen=True)
class Visit:
    """The visit as its step recorded it: on site (R22: code shown, conduct confirmed, audio/video) or not."""

    onsite: bool
    started_at: str | None  # on site: 入企时间, ISO with offset
    code_shown: bool | None
    conduct_confirmed: bool | None
    audio_video: bool | None
    offsite_method: str | None = None
    done_date: str | None = None


@dataclass(frozen=True)
class PenaltyDecision:
    decision_number: str
    decided_on: date
    summary: str
    fine_amount: Decimal | None
    revisit_due_at: datetime | None
    rounds: list[tuple[int, str]]  # (round, result) of the revisits so far


@dataclass(frozen=True)
class RuleChecks:
    step: str | None  # the last step that judged rules, with what it found
    at: datetime | None
    refusals: list[tuple[str, str]]  # (R-number, reason); empty with a step: every rule passed
    logged: list[tuple[str, str, str, str | None]]  # the decision log: (R-number, outcome, reason, override reason)


@dataclass(frozen=True)
class Opinion:
    step: str
    actor: str
    at: datetime
    said: list[tuple[str, Any]]  # (form label, value)


def _inspection(case: Case) -> Inspection | None:
    found = case.data.get("inspection_id")
    return case.session.get(Inspection, found) if isinstance(found, int) else None


def _enterprise(case: Case):
    credit_code = case.data.get("enterprise")
    return enterprise_year(case.session, credit_code=credit_code, agency_code=case.task.agency,
                           year=case.today.year) if isinstance(credit_code, str) else None


def _urgent(case: Case) -> dict | None:
    data = case.data
    # The lifecycle says `urgent`; code_retroactive started on its own (the demo's, the API's) carries only the
    # urgent visit's facts — either way the step shows them.
    urgent = data.get("urgent") is True or (data.get("urgent") is None and bool(data.get("urgent_type")))
    return {"day": data.get("inspection_date"), "kind": data.get("urgent_type"),
            "reason": data.get("urgent_reason")} if urgent else None


def _quiet_request(case: Case) -> dict | None:
    data = case.data
    return {"day": data.get("inspection_date"), "reason": data.get("reason_detail"),
            "opinion": data.get("override_opinion")} if data.get("reason_detail") else None


def _notice(case: Case) -> NoticeGiven | None:
    """The latest advance notice (预告, R8) covering the inspection or its joint group."""
    inspection = _inspection(case)
    if inspection is None:
        return None
    covers = Notice.inspection_id == inspection.id
    if inspection.joint_group_id is not None:
        covers = or_(covers, Notice.joint_group_id == inspection.joint_group_id)
    notice = case.session.scalar(select(Notice).where(covers).order_by(Notice.id.desc()).limit(1))
    if notice is None:
        return None
    exemption = NOTICE_EXEMPTIONS.get(notice.exemption_reason or "", notice.exemption_reason)
    return NoticeGiven(notice.given_on, notice.method, exemption, notice.exemption_note, notice.content or {})


def _handover(case: Case) -> list[dict] | None:
    return handover(case.session, case.task.instance_id) or None


def _visit(case: Case) -> Visit | None:
    """What 实施现场检查 (or 实施非现场检查) recorded, for the record step and after: read from the task data the
    step left, so the record is written against what the visit said."""
    data = case.data

    def flag(name: str) -> bool | None:
        return data[name] if isinstance(data.get(name), bool) else None

    if data.get("started_at"):
        return Visit(True, str(data["started_at"]), flag("code_shown"), flag("conduct_confirmed"), flag("audio_video"))
    if data.get("offsite_method"):
        return Visit(False, None, None, None, None, str(data["offsite_method"]), data.get("done_date"))
    return None


def _completions(case: Case) -> list[AuditEntry]:
    """The instance's completed steps before this task opened, oldest first."""
    return list(case.session.scalars(select(AuditEntry).where(
        AuditEntry.instance_id == case.task.instance_id, AuditEntry.action == "task.completed",
        AuditEntry.task_id != case.task.id, AuditEntry.at <= case.task.created_at).order_by(AuditEntry.id)))


def _step_name(session: Session, entry: AuditEntry) -> str:
    step = session.get(TaskRecord, entry.task_id) if entry.task_id else None
    return step.name if step is not None else str((entry.after or {}).get("element_id"))


def _rule_checks(case: Case) -> RuleChecks | None:
    """What the rules found (R1–R17): the last step that checked them, with each refusal's reason, and the
    decision log's refusals and overrides of the inspection."""
    checked = [e for e in _completions(case) if ((e.after or {}).get("findings") or {}).get("checks")]
    inspection = _inspection(case)
    logged = list(case.session.scalars(select(PolicyDecision).where(PolicyDecision.inspection_id == inspection.id)
                                       .order_by(PolicyDecision.id))) if inspection is not None else []
    if not checked and not logged:
        return None
    last = checked[-1] if checked else None
    findings = (last.after or {}).get("findings") or {} if last is not None else {}
    refusals = [(str(r.get("rule")), str(r.get("message"))) for r in findings.get("policy_refusals") or ()
                if isinstance(r, dict)]
    return RuleChecks(_step_name(case.session, last) if last else None, last.at if last else None, refusals,
                      [(d.rule, d.outcome, d.message, d.override_reason) for d in logged])


def _complaint(case: Case):
    return complaint_summary(case.session, case.data)


def _penalty(case: Case) -> PenaltyDecision | None:
    found = case.data.get("penalty_id")
    penalty = case.session.get(Penalty, found) if isinstance(found, int) else None
    if penalty is None:
        return None
    return PenaltyDecision(penalty.decision_number, penalty.decided_on, penalty.summary, penalty.fine_amount,
                           penalty.revisit_due_at, [(r.round, r.result) for r in penalty.revisits])


def _opinions(case: Case) -> list[Opinion] | None:
    """The judgement of each earlier step (asked for, or all), with its form's words for each field."""
    instance = case.session.get(ProcessInstance, case.task.instance_id)
    labels = instances.form_labels(case.runtime, case.session, instance.process_version_id) if instance else {}
    found = []
    for entry in _completions(case):
        after = entry.after or {}
        element_id = after.get("element_id")
        if case.opinions_of and element_id not in case.opinions_of:
            continue
        words = labels.get(element_id or "", {})
        said = [(words.get(name, name), value) for name, value in (after.get("data") or {}).items()
                if name.endswith(OPINION_ENDINGS) and value not in (None, "")]
        if said:
            found.append(Opinion(_step_name(case.session, entry), entry.actor, entry.at, said))
    return found or None


SECTIONS: dict[str, Callable[[Case], Any]] = {
    "enterprise": _enterprise, "plan": lambda case: planned_inspection(case.session, case.data),
    "urgent": _urgent, "quiet_request": _quiet_request, "notice": _notice, "handover": _handover, "visit": _visit,
    "rule_checks": _rule_checks, "complaint": _complaint, "penalty": _penalty, "opinions": _opinions,
}
assert tuple(SECTIONS) == CASE_SECTIONS, "every declarable section has its read-model"


def case_sections(session: Session, runtime: Runtime, task: TaskRecord, data: dict[str, Any], today: date,
                  shows: CaseShows | None) -> list[tuple[str, Any]]:
    """(section name, its read-model) for each section the task shows that applies to its case, in the order
    declared (`shows`; None: every section, all earlier opinions)."""
    case = Case(session, runtime, task, data, today, shows.opinions if shows else ())
    found = ((name, SECTIONS[name](case)) for name in (shows.sections if shows else CASE_SECTIONS))
    return [(name, model) for name, model in found if model is not None]
