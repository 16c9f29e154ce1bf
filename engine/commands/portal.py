"""The enterprise's acts on the public portal (no login): file a complaint (投诉举报, R22, R23, R26) and rate an
inspection by its 行政行为码 (扫码评价, R24, which files a complaint when a breach is ticked).

Each is one unit of work: the actor must be the portal's (`Actor.enterprise`) or the system; the address's
writes are throttled (engine.identity.portal_throttle, counted in this same transaction); the complaint or
rating is recorded, the complaint-to-correction procedure started for any complaint, the write counted and the
act audited. A refusal — throttled, a field that does not fit (`PortalInputInvalid`), a code that covers no
visited inspection (`Refused`) — writes nothing. The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.commands.actor import ENTERPRISE_ROLE, Actor
from engine.commands.work import Work
from engine.domain import enterprise_side
from engine.domain.complaint_process import start_complaint_process
from engine.domain.policy import default_policy
from engine.identity.access import NotPermitted
from engine.identity.portal_throttle import check_portal_write, record_portal_write
from engine.models import Complaint, InspectionRating
from engine.platform import audit


@dataclass(frozen=True)
class Rated:
    rating: InspectionRating
    complaint: Complaint | None  # filed when the rating reported a breach


def file_complaint(work: Work, actor: Actor, *, address: str, kind: str, content: str, contact: str | None,
                   code_text: str | None, portal_jurisdiction: str | None = None) -> Complaint:
    """`portal_jurisdiction`: the county the portal serves (a code or name), where a complaint that names no
    inspection or enterprise is placed (engine.domain.complaint_process)."""
    _may_write(work, actor, address)
    complaint = enterprise_side.file_complaint(
        work.session, kind=kind, content=content, contact=contact, code_text=code_text, now=work.now(),
        calendar=work.runtime.refresh_calendar(work.session), policy=default_policy())
    _started(work, actor, complaint, portal_jurisdiction)
    _counted(work, actor, address, "complaint", {"complaint_id": complaint.id, "kind": complaint.kind,
                                                 "tracking_number": complaint.tracking_number})
    return complaint


def rate_inspection(work: Work, actor: Actor, *, address: str, code_text: str, score: int, comment: str | None,
                    breaches: list[str], portal_jurisdiction: str | None = None) -> Rated:
    _may_write(work, actor, address)
    rating, complaint = enterprise_side.rate_inspection(
        work.session, code_text=code_text, score=score, comment=comment, breaches=breaches, now=work.now(),
        calendar=work.runtime.refresh_calendar(work.session), policy=default_policy())
    if complaint is not None:
        _started(work, actor, complaint, portal_jurisdiction)
    _counted(work, actor, address, "rating", {"rating_id": rating.id, "inspection_id": rating.inspection_id,
                                              "score": rating.score,
                                              "complaint_id": complaint.id if complaint else None})
    return Rated(rating, complaint)


def _may_write(work: Work, actor: Actor, address: str) -> None:
    if actor.role != ENTERPRISE_ROLE and not actor.is_system:
        raise NotPermitted("role", "only the public portal files complaints and ratings", role=actor.role)
    check_portal_write(work.session, address, work.now())


def _started(work: Work, actor: Actor, complaint: Complaint, portal_jurisdiction: str | None) -> None:
    start_complaint_process(work.runtime, work.session, work.clock, complaint, actor=actor.username,
                            portal_jurisdiction=portal_jurisdiction)


def _counted(work: Work, actor: Actor, address: str, act: str, after: dict) -> None:
    record_portal_write(work.session, address, act, work.now())
    audit.record(work.session, at=work.now(), actor=actor.username, action=f"portal.{act}", after=after)
