"""Small builders for domain records in tests: each adds one record with sensible defaults, flushes, returns it.

Pass only what the test is about; everything else is filled in (missing parents are built too). Credit codes
and certificate numbers are unique per process, so several builders can run in one database.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from engine.calendar import WorkingCalendar
from engine.domain import behavior_code
from engine.domain.policy import Policy, to_json
from engine.domain.tracking_number import new_tracking_number
from engine.models import (
    Agency,
    BehaviorCode,
    Complaint,
    Enterprise,
    EnterpriseCreditClass,
    Inspection,
    InspectionItem,
    InspectionItemList,
    InspectionPlan,
    Inspector,
    JointInspectionGroup,
    Jurisdiction,
)
from engine.models.credit_code import check_character

NOW = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)  # 2026-09-30 10:00 Asia/Shanghai, the `clock` fixture's moment
_serial = itertools.count(1)


def serial() -> int:
    return next(_serial)


def credit_code_for(number: int, division: str = "331125") -> str:
    """A valid 统一社会信用代码: 9 (market regulator) 1 (enterprise), the division code, a numbered org code."""
    first17 = f"91{division}{number:09d}"
    return first17 + check_character(first17)


def make_jurisdiction(session: Session, *, code: str | None = None, name: str = "示范县", level: str = "county",
                      parent: Jurisdiction | None = None, policy: Policy | None = None) -> Jurisdiction:
    jurisdiction = Jurisdiction(code=code or f"J{serial():05d}", name=name, level=level, parent=parent,
                                policy=to_json(policy) if policy is not None else {})
    session.add(jurisdiction)
    session.flush()
    return jurisdiction


def make_agency(session: Session, *, jurisdiction: Jurisdiction | None = None, code: str | None = None,
                name: str = "示范县市场监督管理局", confirmed: bool = True, special_quota: int | None = 2) -> Agency:
    agency = Agency(code=code or f"SCJG{serial():04d}", name=name,
                    jurisdiction=jurisdiction or make_jurisdiction(session),
                    confirmed_enforcement_body=confirmed, confirmed_on=date(2025, 3, 1) if confirmed else None,
                    confirmation_basis="示范县人民政府公告〔2025〕1号" if confirmed else None,
                    special_inspection_quota=special_quota)
    session.add(agency)
    session.flush()
    return agency


def make_inspector(session: Session, *, agency: Agency | None = None, name: str | None = None,
                   kind: str = "enforcement_officer", certificate_number: str | None = None,
                   valid_from: date | None = date(2024, 1, 1), valid_to: date | None = date(2028, 12, 31),
                   status: str = "active") -> Inspector:
    number = serial()
    if certificate_number is None and kind == "enforcement_officer":
        certificate_number = f"33112500{number:06d}"
    inspector = Inspector(name=name or f"执法员{number}", agency=agency or make_agency(session), kind=kind,
                          certificate_number=certificate_number, valid_from=valid_from, valid_to=valid_to,
                          status=status)
    session.add(inspector)
    session.flush()
    return inspector


def make_enterprise(session: Session, *, jurisdiction: Jurisdiction | None = None, credit_code: str | None = None,
                    name: str | None = None, sector_tags: list[str] | None = None, credit_class: str | None = None,
                    year: int = 2026) -> Enterprise:
    number = serial()
    enterprise = Enterprise(credit_code=credit_code or credit_code_for(number),
                            name=name or f"示范企业{number}有限公司",
                            jurisdiction=jurisdiction or make_jurisdiction(session),
                            sector_tags=list(sector_tags or []), legal_representative="张三")
    session.add(enterprise)
    session.flush()
    if credit_class is not None:
        set_credit_class(session, enterprise, credit_class, year=year)
    return enterprise


def set_credit_class(session: Session, enterprise: Enterprise, credit_class: str, *, year: int = 2026
                     ) -> EnterpriseCreditClass:
    row = EnterpriseCreditClass(enterprise_id=enterprise.id, year=year, credit_class=credit_class,
                                source=f"{year - 1}年度精准画像", recorded_at=NOW)
    session.add(row)
    session.flush()
    return row


def make_item_list(session: Session, *, agency: Agency | None = None, version: int = 1,
                   published_on: date | None = date(2026, 1, 15),
                   items: list[tuple[str, str]] | None = None) -> InspectionItemList:
    item_list = InspectionItemList(agency=agency or make_agency(session), version=version,
                                   title="涉企行政检查事项清单", published_on=published_on)
    session.add(item_list)
    for code, name in items or [("JC-001", "食品经营许可情况检查"), ("JC-002", "产品质量抽查")]:
        item_list.items.append(InspectionItem(code=code, name=name, legal_basis=f"《示范条例》关于{name}的规定",
                                              standard=f"{name}检查标准"))
    session.flush()
    return item_list


def make_plan(session: Session, *, agency: Agency | None = None, year: int = 2026, kind: str = "annual",
              status: str = "published") -> InspectionPlan:
    plan = InspectionPlan(agency=agency or make_agency(session), year=year, kind=kind, title=f"{year}年度检查计划",
                          status=status, approved_by="局长" if status != "draft" else None,
                          approved_at=NOW if status != "draft" else None,
                          published_at=NOW if status in ("published", "filed") else None)
    session.add(plan)
    session.flush()
    return plan


def make_inspection(session: Session, *, agency: Agency | None = None, enterprise: Enterprise | None = None,
                    inspectors: list[Inspector] | None = None, items: list[InspectionItem] | None = None,
                    planned_start: date | None = date(2026, 10, 12), planned_end: date | None = date(2026, 10, 16),
                    trigger: str = "routine", trigger_reason: str | None = None, mode: str = "onsite",
                    approved_by: str | None = None, approved_at: datetime | None = None,
                    retroactive: bool = False, urgent_reason: str | None = None,
                    actual_start: datetime | None = None, actual_end: datetime | None = None,
                    plan: InspectionPlan | None = None, joint_group: JointInspectionGroup | None = None,
                    assistants: list[Inspector] | None = None) -> Inspection:
    """An inspection with one qualified inspector and the agency's first published items unless given, and the
    `assistants` named in advance (辅助人员) if any.

    `approved_by` records the head's approval (R6) at `approved_at` (default NOW).
    """
    agency = agency or make_agency(session)
    if items is None:
        items = list(make_item_list(session, agency=agency, version=serial()).items)
    inspection = Inspection(
        agency=agency, enterprise=enterprise or make_enterprise(session, jurisdiction=agency.jurisdiction),
        plan=plan, trigger=trigger, trigger_reason=trigger_reason, mode=mode, joint_group=joint_group,
        planned_start=planned_start, planned_end=planned_end, actual_start=actual_start, actual_end=actual_end,
        status="approved" if approved_by else "planned", retroactive=retroactive, urgent_reason=urgent_reason,
        created_by="staff", created_at=NOW,
        inspectors=inspectors if inspectors is not None else [make_inspector(session, agency=agency)],
        items=items, assistants=assistants or [],
    )
    if approved_by:
        inspection.approved_by, inspection.approved_at = approved_by, approved_at or NOW
    session.add(inspection)
    session.flush()
    return inspection


def make_joint_group(session: Session, *, inspections: list[Inspection], coordinator: str = "县综合执法办",
                     lead_agency: Agency | None = None) -> JointInspectionGroup:
    first = inspections[0]
    group = JointInspectionGroup(jurisdiction_id=first.agency.jurisdiction_id, enterprise_id=first.enterprise_id,
                                 lead_agency=lead_agency or first.agency, coordinator=coordinator, status="merged",
                                 planned_start=first.planned_start, planned_end=first.planned_end, merged_at=NOW)
    session.add(group)
    group.inspections.extend(inspections)
    session.flush()
    return group


def make_code(session: Session, *, inspection: Inspection | None = None, now: datetime = NOW,
              calendar: WorkingCalendar | None = None) -> BehaviorCode:
    """A code issued through the approval path for an approved inspection (built when not given)."""
    inspection = inspection or make_inspection(session, approved_by="局长")
    return behavior_code.issue_code(session, inspection=inspection, approved_by=inspection.approved_by or "",
                                    now=now, calendar=calendar or WorkingCalendar())


def make_complaint(session: Session, *, kind: str = "no_code_entry", enterprise: Enterprise | None = None,
                   code: BehaviorCode | None = None, content: str = "检查人员未出示行政行为码",
                   received_at: datetime = NOW) -> Complaint:
    complaint = Complaint(tracking_number=new_tracking_number(), kind=kind, enterprise=enterprise,
                          behavior_code=code, content=content, status="received", received_at=received_at)
    session.add(complaint)
    session.flush()
    return complaint
