"""行政行为码 (administrative behaviour codes): issuing them through the approval path only, and verifying them.

R6: a code is issued only after the head of the unit approved the inspection. R7: an urgent inspection done
without prior approval must be approved and coded by the end of the first working day after it (the period
comes from the jurisdiction policy and the calendar); later than that the code is still issued — the visited
enterprise needs something to verify and rate — but flagged `issued_late` (无码入企) and a `violation` is written
to the policy decision log for the supervision body. Refusals raise `Refused` and write nothing.

A joint inspection (综合查一次, R18) is one visit with one code, held by its group (`joint_group_id`) rather than
by a member inspection: `code_for_approved` gives a merged member the group's code, issued by the first member
approval that needs it and shared by every later one; each member's approval stays on its own record, and the
code covers a member's inspectors and items only once its agency's head approved it. A member already coded
when it is merged has that code replaced by the group's (`replace_member_codes`).

`verify` is pure: it takes the code row and the records it covers, already loaded; `lookup` is the storage
side. Issuing and revoking only flush; the caller owns the transaction. Codes are unique by a database
constraint; a collision of two random codes (~2⁻¹⁰⁰) surfaces as an IntegrityError, never as a shared code.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar import WorkingCalendar
from engine.domain.errors import Refused
from engine.domain.policy import Policy, default_policy
from engine.models import (
    Agency,
    BehaviorCode,
    Enterprise,
    Inspection,
    InspectionItem,
    Inspector,
    JointInspectionGroup,
    PolicyDecision,
)
from engine.models.vocabulary import INSPECTOR_KINDS, QUALIFIED_INSPECTOR_KIND
from engine.platform.clock import SHANGHAI

# No 0/O, 1/I/L: the code is read aloud at the door and typed by enterprises.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RANDOM_LENGTH = 20  # 31^20 ≈ 2^99
PREFIX_LENGTH = 10


def new_code(agency_code: str) -> str:
    """`PREFIX-XXXXXXXXXXXXXXXXXXXX`: the agency code (letters and digits, up to 10) and 20 random characters."""
    prefix = re.sub(r"[^0-9A-Z]", "", agency_code.upper())[:PREFIX_LENGTH] or "CODE"
    return f"{prefix}-{''.join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))}"


def normalize_code(text: str) -> str:
    """What a person typed, as stored: upper case, no spaces."""
    return re.sub(r"\s+", "", text).upper()


# -- issuing --------------------------------------------------------------------------------------------


def record_approval(inspection: Inspection, *, approved_by: str, now: datetime) -> None:
    """The head of the unit approved the inspection plan (R6; for urgent inspections the late approval, R7)."""
    if not approved_by.strip():
        raise ValueError("approved_by: the approving head must be named")
    inspection.approved_by = approved_by
    inspection.approved_at = now


def retroactive_deadline(inspection: Inspection, calendar: WorkingCalendar, policy: Policy) -> datetime:
    """R7: the end of the n-th working day after the day the urgent inspection finished (Asia/Shanghai)."""
    done = inspection.actual_end or inspection.actual_start
    if done is None:
        raise Refused("R7", f"inspection {inspection.id} has no recorded start: a retroactive code covers an "
                            "inspection that took place")
    return calendar.period_end(done.astimezone(SHANGHAI).date(), policy.deadlines.retroactive_approval)


def issue_code(
    session: Session,
    *,
    inspection: Inspection,
    approved_by: str,
    now: datetime,
    calendar: WorkingCalendar,
    policy: Policy | None = None,
    retroactive: bool = False,
    valid_from: datetime | None = None,
    valid_to: datetime | None = None,
) -> BehaviorCode:
    """Issue the code of one inspection, resting on the approval recorded on it by `approved_by`.

    Normal path (R6): refused without a recorded approval, when another head is named, when the inspection
    began before it was approved, or when it already holds a live code. Valid from now (or `valid_from`) to
    the end of the planned window. Retroactive path (R7, `retroactive=True`, inspection recorded as urgent):
    valid over the visit; past the deadline it is flagged late and a violation is logged.
    """
    policy = policy or default_policy()
    approved_at = _require_approval(inspection, approved_by)
    if inspection.joint_group is not None and inspection.joint_group.status == "merged":
        raise ValueError(f"inspection {inspection.id} is merged into joint group {inspection.joint_group.id}: "
                         "the group gets one code (issue_joint_code, R18)")
    _require_no_live_code(session, inspection_id=inspection.id)
    figures: dict[str, Any] = {"inspection_id": inspection.id, "approved_at": _local(approved_at)}
    if retroactive != inspection.retroactive:
        raise Refused("R7", f"inspection {inspection.id} is {'' if inspection.retroactive else 'not '}recorded as an "
                            f"urgent inspection; use retroactive={inspection.retroactive}", figures)
    deadline = None
    late = False
    if retroactive:
        deadline = retroactive_deadline(inspection, calendar, policy)
        assert inspection.actual_start is not None  # retroactive_deadline refused otherwise
        valid_from = valid_from or inspection.actual_start
        valid_to = valid_to or inspection.actual_end or calendar.end_of_day(
            inspection.actual_start.astimezone(SHANGHAI).date())
        late = max(approved_at, now) > deadline
        figures.update(deadline=_local(deadline), issued_at=_local(now),
                       working_days=policy.deadlines.retroactive_approval,
                       provisional=calendar.span_is_estimated(inspection.actual_start.astimezone(SHANGHAI).date(),
                                                              deadline.date()))
    else:
        if inspection.actual_start is not None and inspection.actual_start < approved_at:
            raise Refused("R6", f"inspection {inspection.id} began at {_local(inspection.actual_start)}, before "
                                f"its approval at {_local(approved_at)}: an urgent inspection takes "
                                "the retroactive path (R7)", figures)
        valid_from = valid_from or now
        last_day = inspection.planned_end or inspection.planned_start
        if valid_to is None:
            if last_day is None:
                raise ValueError(f"inspection {inspection.id} has no planned window: give valid_to")
            valid_to = calendar.end_of_day(last_day)
    if valid_to <= valid_from:
        raise ValueError(f"the validity window is empty: {valid_from.isoformat()} to {valid_to.isoformat()}")
    code = BehaviorCode(code=new_code(inspection.agency.code), inspection_id=inspection.id,
                        approved_by=approved_by, issued_at=now, valid_from=valid_from, valid_to=valid_to,
                        retroactive=retroactive, issued_late=late, retroactive_deadline=deadline, status="issued")
    session.add(code)
    if late:
        session.add(PolicyDecision(
            at=now, rule="R7", outcome="violation", action="issue_code", actor=approved_by,
            message=f"无码入企: the urgent inspection {inspection.id} was approved and coded after the deadline "
                    f"{_local(deadline) if deadline else ''}",
            figures=figures, agency_id=inspection.agency_id, enterprise_id=inspection.enterprise_id,
            inspection_id=inspection.id))
    session.flush()
    return code


def issue_joint_code(
    session: Session,
    *,
    group: JointInspectionGroup,
    approved_by: str,
    now: datetime,
    calendar: WorkingCalendar,
    valid_from: datetime | None = None,
    valid_to: datetime | None = None,
) -> BehaviorCode:
    """One code for a merged joint inspection (综合查一次, R18), resting on the approval `approved_by` recorded on
    a member inspection (R6): the first member approval issues it, the others join it (`code_for_approved`).
    Valid from now (or `valid_from`) to the end of the joint visit's window."""
    if not group.inspections:
        raise ValueError(f"joint group {group.id} has no inspections")
    if not any(i.approved_at is not None and i.approved_by == approved_by for i in group.inspections):
        raise Refused("R6", f"joint group {group.id}: no member inspection has a recorded approval by "
                            f"{approved_by!r}: no code without approval",
                      {"joint_group_id": group.id, "approved_by": approved_by})
    _require_no_live_code(session, joint_group_id=group.id)
    valid_from = valid_from or now
    if valid_to is None:
        if group.planned_end is None and group.planned_start is None:
            raise ValueError(f"joint group {group.id} has no planned window: give valid_to")
        valid_to = calendar.end_of_day(group.planned_end or group.planned_start)  # type: ignore[arg-type]
    if valid_to <= valid_from:
        raise ValueError(f"the validity window is empty: {valid_from.isoformat()} to {valid_to.isoformat()}")
    lead = group.lead_agency or group.inspections[0].agency
    code = BehaviorCode(code=new_code(lead.code), joint_group_id=group.id, approved_by=approved_by, issued_at=now,
                        valid_from=valid_from, valid_to=valid_to, retroactive=False, issued_late=False,
                        status="issued")
    session.add(code)
    session.flush()
    return code


def code_for_approved(session: Session, *, inspection: Inspection, now: datetime, calendar: WorkingCalendar,
                      policy: Policy | None = None) -> BehaviorCode:
    """The code an approved inspection enters with (R6): its own, issued now; or, for a member of a merged joint
    inspection (R18), the group's one code — issued by the first member approval that needs it, and for every
    later member the same code (its approval is already on its own record: no second code)."""
    group = inspection.joint_group
    if group is None or group.status != "merged":
        return issue_code(session, inspection=inspection, approved_by=inspection.approved_by or "", now=now,
                          calendar=calendar, policy=policy)
    _require_approval(inspection, inspection.approved_by or "")
    return live_code_of(session, inspection) or issue_joint_code(
        session, group=group, approved_by=inspection.approved_by or "", now=now, calendar=calendar)


def live_code_of(session: Session, inspection: Inspection) -> BehaviorCode | None:
    """The code that covers the inspection now: its group's while it is merged into a joint inspection, else its
    own (None when it has none that is not revoked)."""
    group = inspection.joint_group
    query = select(BehaviorCode).where(BehaviorCode.status == "issued")
    if group is not None and group.status == "merged":
        query = query.where(BehaviorCode.joint_group_id == group.id)
    else:
        query = query.where(BehaviorCode.inspection_id == inspection.id)
    return session.scalar(query.order_by(BehaviorCode.id.desc()).limit(1))


def replace_member_codes(session: Session, group: JointInspectionGroup, *, by: str, now: datetime,
                         calendar: WorkingCalendar) -> BehaviorCode | None:
    """Members merged after their own code was issued (approved before the merge): those codes are revoked and
    the group's one code is issued in their place, resting on the first such member's approval (R6, R18).
    None when no member held a code: the group's code then waits for the first member approval."""
    replaced = []
    for member in group.inspections:
        own = session.scalar(select(BehaviorCode).where(BehaviorCode.inspection_id == member.id,
                                                        BehaviorCode.status == "issued"))
        if own is not None:
            revoke_code(own, by=by, reason=f"并入综合查一次（联合检查组 {group.id}），改用联合检查的行政行为码",
                        now=now)
            replaced.append(member)
    if not replaced:
        return None
    session.flush()
    return issue_joint_code(session, group=group, approved_by=replaced[0].approved_by or "", now=now,
                            calendar=calendar)


def follow_planned_window(session: Session, inspection: Inspection, calendar: WorkingCalendar) -> None:
    """The visit was moved after the code was issued (调整检查日期, R8): the inspection's own live code stays valid
    to the end of the new window, so the inspectors can show it on the day they now come. A joint group's code
    keeps the group's window (the county office sets it at the merge); a retroactive one covers a past visit."""
    code = live_code_of(session, inspection)
    last_day = inspection.planned_end or inspection.planned_start
    if code is None or code.retroactive or code.joint_group_id is not None or last_day is None:
        return
    code.valid_to = max(code.valid_from, calendar.end_of_day(last_day))


def revoke_code(code: BehaviorCode, *, by: str, reason: str, now: datetime) -> None:
    if code.status == "revoked":
        raise ValueError(f"code {code.code} is already revoked")
    code.status, code.revoked_by, code.revoke_reason, code.revoked_at = "revoked", by, reason, now


def _require_approval(inspection: Inspection, approved_by: str) -> datetime:
    if inspection.approved_at is None or inspection.approved_by is None:
        raise Refused("R6", f"inspection {inspection.id} has no recorded approval by the head of the unit: "
                            "no code without approval", {"inspection_id": inspection.id})
    if approved_by != inspection.approved_by:
        raise Refused("R6", f"inspection {inspection.id} was approved by {inspection.approved_by!r}, not "
                            f"{approved_by!r}", {"inspection_id": inspection.id})
    return inspection.approved_at


def _require_no_live_code(session: Session, *, inspection_id: int | None = None,
                          joint_group_id: int | None = None) -> None:
    query = select(BehaviorCode.code).where(BehaviorCode.status == "issued")
    if inspection_id is not None:
        query = query.where(BehaviorCode.inspection_id == inspection_id)
    else:
        query = query.where(BehaviorCode.joint_group_id == joint_group_id)
    existing = session.scalar(query)
    if existing is not None:
        raise ValueError(f"already covered by code {existing}: revoke it before issuing another")


# -- verifying ------------------------------------------------------------------------------------------


def certificate_status(inspector: Inspector, on: date) -> str:
    """valid | expired | not_yet_valid | suspended | revoked | not_qualified (no 执法证: R1)."""
    if inspector.kind != QUALIFIED_INSPECTOR_KIND or not inspector.certificate_number:
        return "not_qualified"
    if inspector.status in ("revoked", "suspended"):
        return inspector.status
    if inspector.valid_to is not None and on > inspector.valid_to:
        return "expired"
    if inspector.valid_from is not None and on < inspector.valid_from:
        return "not_yet_valid"
    return "valid"


@dataclass(frozen=True)
class CodeVerification:
    """What the public verification page shows for a code (R22)."""

    code: str
    valid: bool  # the code is live now AND every inspector holds a valid certificate
    status: str  # issued | revoked | expired | not_yet_valid (as of now)
    reasons: list[str]
    agencies: list[dict[str, str]]
    enterprise: str | None
    inspectors: list[dict[str, str | None]]
    items: list[dict[str, str]]
    valid_from: str
    valid_to: str
    issued_at: str
    retroactive: bool
    issued_late: bool
    joint: bool = False
    checked_at: str = ""
    # The assistants named in advance (辅助人员): {name, kind (an INSPECTOR_KINDS code), kind_label}; they accompany,
    # never inspect, so they do not touch `valid` — the inspectors' certificates alone decide it (R1).
    assistants: list[dict[str, str]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def verify(
    code: BehaviorCode,
    *,
    agencies: Sequence[Agency],
    inspectors: Sequence[Inspector],
    items: Sequence[InspectionItem],
    now: datetime,
    enterprise: Enterprise | None = None,
    unapproved: Sequence[Agency] = (),
    assistants: Sequence[Inspector] = (),
) -> CodeVerification:
    """The verification of `code` at `now`, from records already loaded (no storage access). `unapproved`: member
    agencies of a joint inspection whose heads have not approved yet (shown, their people not covered)."""
    today = now.astimezone(SHANGHAI).date()
    reasons = []
    status = code.status
    if status == "issued" and now > code.valid_to:
        status = "expired"
    elif status == "issued" and now < code.valid_from:
        status = "not_yet_valid"
    if status == "revoked":
        reasons.append(f"R6: the code was revoked ({code.revoke_reason or 'no reason given'})")
    elif status == "expired":
        reasons.append(f"R6: the code's validity ended at {_local(code.valid_to)}")
    elif status == "not_yet_valid":
        reasons.append(f"R6: the code is valid only from {_local(code.valid_from)}")
    shown = []
    for inspector in inspectors:
        cert = certificate_status(inspector, today)
        shown.append({"name": inspector.name, "certificate_number": inspector.certificate_number,
                      "certificate_status": cert,
                      "certificate_valid_to": inspector.valid_to.isoformat() if inspector.valid_to else None})
        if cert != "valid":
            reasons.append(f"R1: inspector {inspector.name} ({inspector.certificate_number or 'no certificate'}): "
                           f"certificate {cert}")
    if not inspectors:
        reasons.append("R1: no inspector is named on the code")
    if code.issued_late:
        reasons.append("R7: retroactive approval came after the deadline (无码入企)")
    reasons.extend(f"R6: {agency.name} has not approved its part of the joint inspection yet: its inspectors and "
                   "items are not covered" for agency in unapproved)
    return CodeVerification(
        code=code.code,
        valid=status == "issued" and bool(inspectors) and all(i["certificate_status"] == "valid" for i in shown),
        status=status,
        reasons=reasons,
        agencies=[{"code": agency.code, "name": agency.name} for agency in agencies],
        enterprise=enterprise.name if enterprise is not None else None,
        inspectors=shown,
        items=[{"code": item.code, "name": item.name, "legal_basis": item.legal_basis} for item in items],
        valid_from=_local(code.valid_from),
        valid_to=_local(code.valid_to),
        issued_at=_local(code.issued_at),
        retroactive=code.retroactive,
        issued_late=code.issued_late,
        joint=code.joint_group_id is not None,
        checked_at=_local(now),
        assistants=[{"name": person.name, "kind": person.kind,
                     "kind_label": INSPECTOR_KINDS.get(person.kind, person.kind)} for person in assistants],
    )


def lookup(session: Session, text: str, now: datetime) -> CodeVerification | None:
    """Find a code as typed or scanned and verify it; None when no such code exists."""
    code = session.scalar(select(BehaviorCode).where(BehaviorCode.code == normalize_code(text)))
    if code is None:
        return None
    pending: list[Inspection] = []
    if code.inspection is not None:
        inspections = [code.inspection]
        enterprise = code.inspection.enterprise
    else:
        assert code.joint_group is not None
        members = list(code.joint_group.inspections)
        enterprise = code.joint_group.enterprise
        # One visit, every member agency shown; a member's inspectors and items enter under the code only once
        # its own head approved it (R6).
        inspections = [i for i in members if i.approved_at is not None]
        pending = [i for i in members if i.approved_at is None]
    agencies = _unique(i.agency for i in [*inspections, *pending])
    inspectors = _unique(person for i in inspections for person in i.inspectors)
    items = _unique(item for i in inspections for item in i.items)
    assistants = _unique(person for i in inspections for person in i.assistants)
    return verify(code, agencies=agencies, inspectors=inspectors, items=items, now=now, enterprise=enterprise,
                  unapproved=_unique(i.agency for i in pending), assistants=assistants)


def _unique(records: Iterable[Any]) -> list[Any]:  # keeps order; records are ORM rows with an id
    seen: dict[int, Any] = {}
    for record in records:
        seen.setdefault(record.id, record)
    return list(seen.values())


def _local(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).isoformat()
