"""The enterprise's acts on the public portal (no login): file a complaint (投诉举报, R22, R23, R26), open its
case with the case's 校验码, rate the inspection (扫码评价, R24, which files a complaint when a breach is ticked),
and work the case's steps in the 企业 lane — 企业整改 after a penalty (R25), 投诉人评价 of a complaint's reply
(R26) — which no staff role may work (issue 11 defect 2).

Each is one unit of work: the actor must be the portal's (`Actor.enterprise`) or the system; the address's
writes are throttled (engine.identity.portal_throttle, counted in this same transaction) and so are wrong check
codes, so a case's code cannot be guessed; the act is audited. A refusal — throttled, a field that does not
fit (`PortalInputInvalid`), a code that covers no visited inspection (`Refused`) — writes nothing. The caller
commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.commands.actor import ENTERPRISE_ROLE, Actor
from engine.commands.work import Work
from engine.domain import enterprise_case, enterprise_side
from engine.domain.complaint_process import start_complaint_process
from engine.domain.enterprise_case import EnterpriseCase
from engine.domain.enterprise_side import Filed
from engine.domain.policy import default_policy
from engine.identity.access import NotPermitted
from engine.identity.portal_throttle import check_portal_write, record_portal_write
from engine.models import Complaint, InspectionRating
from engine.platform import audit
from engine.runtime import TaskNotFound, instances
from engine.runtime.instances import StartedInstance

# The lifecycle's 企业评价 (processes/bpmn/inspection_lifecycle.bpmn): the portal's R24 rating completes it, its
# 1–5 score said in the step's three words.
RATING_STEP = "Task_rating"
RATING_WORDS = {5: "满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "不满意"}


@dataclass(frozen=True)
class Rated:
    rating: InspectionRating
    filed: Filed | None  # the complaint filed when the rating reported a breach, with its check code

    @property
    def complaint(self) -> Complaint | None:
        return self.filed.complaint if self.filed else None


@dataclass(frozen=True)
class CaseKey:
    """What the visitor typed to open a case: a 行政行为码 or a complaint's tracking number, and the 校验码."""

    check: str
    code: str | None = None
    tracking_number: str | None = None


def file_complaint(work: Work, actor: Actor, *, address: str, kind: str, content: str, contact: str | None,
                   code_text: str | None, portal_jurisdiction: str | None = None) -> Filed:
    """`portal_jurisdiction`: the county the portal serves (a code or name), where a complaint that names no
    inspection or enterprise is placed (engine.domain.complaint_process)."""
    _may_write(work, actor, address)
    filed = enterprise_side.file_complaint(
        work.session, kind=kind, content=content, contact=contact, code_text=code_text, now=work.now(),
        calendar=work.runtime.refresh_calendar(work.session), policy=default_policy())
    _started(work, actor, filed.complaint, portal_jurisdiction)
    _counted(work, actor, address, "complaint", {"complaint_id": filed.complaint.id, "kind": filed.complaint.kind,
                                                 "tracking_number": filed.complaint.tracking_number})
    return filed


def open_case(work: Work, actor: Actor, *, address: str, key: CaseKey) -> EnterpriseCase | None:
    """The case the key opens; None when the code or number is unknown or the check code does not match — the
    failed guess then counts against the address (the caller commits it)."""
    _may_write(work, actor, address)
    session = work.session
    case = enterprise_case.inspection_case(session, key.code, key.check) if key.code else \
        enterprise_case.complaint_case(session, key.tracking_number or "", key.check)
    if case is None:
        record_portal_write(session, address, "check_failed", work.now())
    return case


def rate_inspection(work: Work, actor: Actor, case: EnterpriseCase, *, address: str, score: int, comment: str | None,
                    breaches: list[str], portal_jurisdiction: str | None = None) -> Rated:
    """R24 for the inspection the opened case's code covers; when its lifecycle waits at 企业评价, that step is
    completed with the rating in the same transaction."""
    _may_write(work, actor, address)
    if case.code is None:
        raise NotPermitted("not_an_inspection", "a complaint's case rates the reply, not an inspection")
    step = enterprise_case.open_step(work.session, case, RATING_STEP)
    rating, filed = enterprise_side.rate_inspection(
        work.session, code=case.code, score=score, comment=comment, breaches=breaches, now=work.now(),
        calendar=work.runtime.refresh_calendar(work.session), policy=default_policy(), rating_open=step is not None)
    if step is not None:
        instances.complete_task(work.runtime, work.session, work.clock, task_id=step.id, actor=case.actor_name,
                                data={"rating": RATING_WORDS[score], "rating_comment": comment})
    if filed is not None:
        _started(work, actor, filed.complaint, portal_jurisdiction)
    _counted(work, actor, address, "rating", {"rating_id": rating.id, "inspection_id": rating.inspection_id,
                                              "score": rating.score, "task_id": step.id if step else None,
                                              "complaint_id": filed.complaint.id if filed else None})
    return Rated(rating, filed)


def complete_step(work: Work, actor: Actor, case: EnterpriseCase, *, address: str, task_id: str,
                  data: dict) -> StartedInstance:
    """Work one of the case's open steps in the 企业 lane (企业整改, 投诉人评价 …) as the enterprise. A task that
    is not one of them is unknown to the visitor (nothing says whether it exists)."""
    _may_write(work, actor, address)
    if task_id not in {t.id for t in enterprise_case.open_steps(work.session, case)}:
        raise TaskNotFound(f"task {task_id} is not an open step of this case", task_id=task_id)
    started = instances.complete_task(work.runtime, work.session, work.clock, task_id=task_id, data=data,
                                      actor=case.actor_name)
    _counted(work, actor, address, "step", {"task_id": task_id, "case": case.reference})
    return started


def _may_write(work: Work, actor: Actor, address: str) -> None:
    if actor.role != ENTERPRISE_ROLE and not actor.is_system:
        raise NotPermitted("role", "only the public portal acts for enterprises and complainants", role=actor.role)
    check_portal_write(work.session, address, work.now())


def _started(work: Work, actor: Actor, complaint: Complaint, portal_jurisdiction: str | None) -> None:
    start_complaint_process(work.runtime, work.session, work.clock, complaint, actor=actor.username,
                            portal_jurisdiction=portal_jurisdiction)


def _counted(work: Work, actor: Actor, address: str, act: str, after: dict) -> None:
    record_portal_write(work.session, address, act, work.now())
    audit.record(work.session, at=work.now(), actor=actor.username, action=f"portal.{act}", after=after)
