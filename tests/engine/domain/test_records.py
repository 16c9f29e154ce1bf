"""Every domain record can be written and read back with its relations, on SQLite and PostgreSQL, and the
identifiers that must be unique are unique in the database itself."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engine.calendar import WorkingCalendar
from engine.domain import behavior_code
from engine.domain.policy import from_json, kaifeng_style
from engine.models import (
    BehaviorCode,
    Complaint,
    Enterprise,
    EnterpriseCreditClass,
    Inspection,
    InspectionItemList,
    InspectionPlan,
    InspectionRating,
    Inspector,
    JointInspectionGroup,
    Jurisdiction,
    Notice,
    Penalty,
    PolicyDecision,
    QuietPeriodOverride,
    Revisit,
)
from engine.models.credit_code import InvalidCreditCode, is_valid
from tests import factories as f

NOW = f.NOW


def test_organisation_records_read_back_with_relations(svc):
    with svc.transaction() as session:
        city = f.make_jurisdiction(session, code="331100", name="丽水市", level="city")
        county = f.make_jurisdiction(session, code="331125", name="云和县", parent=city, policy=kaifeng_style())
        agency = f.make_agency(session, jurisdiction=county, code="YH-SCJG", special_quota=3)
        f.make_inspector(session, agency=agency, name="李四", certificate_number="33112500000001")
        f.make_inspector(session, agency=agency, name="网格员王五", kind="grid_worker")
    with svc.sessions() as session:
        county = session.scalar(select(Jurisdiction).where(Jurisdiction.code == "331125"))
        assert county.parent.name == "丽水市" and county.level == "county"
        assert from_json(county.policy) == kaifeng_style()
        (agency,) = county.agencies
        assert agency.confirmed_enforcement_body and agency.special_inspection_quota == 3
        people = {inspector.name: inspector for inspector in agency.inspectors}
        assert people["李四"].certificate_number == "33112500000001" and people["李四"].valid_to == date(2028, 12, 31)
        assert people["网格员王五"].kind == "grid_worker" and people["网格员王五"].certificate_number is None


def test_enterprise_with_credit_classes_and_item_lists(svc):
    with svc.transaction() as session:
        enterprise = f.make_enterprise(session, sector_tags=["state_owned"], credit_class="B", year=2025)
        f.set_credit_class(session, enterprise, "A", year=2026)
        item_list = f.make_item_list(session, items=[("X-1", "消防检查"), ("X-2", "特种设备检查")])
        f.make_plan(session, agency=item_list.agency, kind="special", status="approved")
        ids = enterprise.id, item_list.id
    with svc.sessions() as session:
        enterprise = session.get(Enterprise, ids[0])
        assert is_valid(enterprise.credit_code) and enterprise.sector_tags == ["state_owned"]
        assert [(c.year, c.credit_class) for c in enterprise.credit_classes] == [(2025, "B"), (2026, "A")]
        item_list = session.get(InspectionItemList, ids[1])
        assert [item.code for item in item_list.items] == ["X-1", "X-2"]
        assert item_list.items[0].legal_basis and item_list.items[0].standard
        plan = session.scalar(select(InspectionPlan))
        assert (plan.kind, plan.status, plan.agency.id) == ("special", "approved", item_list.agency.id)


def test_inspection_with_items_inspectors_joint_group_notice_and_code(svc):
    with svc.transaction() as session:
        first = f.make_inspection(session, approved_by="局长", trigger="triggered", trigger_reason="complaint_report")
        other_agency = f.make_agency(session, jurisdiction=first.agency.jurisdiction, name="示范县应急管理局")
        second = f.make_inspection(session, agency=other_agency, enterprise=first.enterprise, approved_by="局长",
                                   mode="non_onsite")
        group = f.make_joint_group(session, inspections=[first, second])
        session.add(Notice(joint_group_id=group.id, given_on=date(2026, 9, 30), method="platform",
                           content={"items": ["JC-001"], "time": "2026-10-12", "inspectors": ["执法员"]},
                           recorded_by="staff", recorded_at=NOW))
        session.add(Notice(inspection_id=first.id, exemption_reason="unsuitable_for_prior_notice",
                           exemption_note="暗查暗访", recorded_by="staff", recorded_at=NOW))
        session.add(QuietPeriodOverride(inspection_id=first.id, exemption_reason="complaint_report",
                                        approved_by="局长", approved_at=NOW, filing_due_at=NOW + timedelta(days=5)))
        code = behavior_code.issue_joint_code(session, group=group, approved_by="局长", now=NOW,
                                              calendar=WorkingCalendar())
        group_id, code_text = group.id, code.code
    with svc.sessions() as session:
        group = session.get(JointInspectionGroup, group_id)
        first, second = group.inspections
        assert {first.agency.name, second.agency.name} == {"示范县市场监督管理局", "示范县应急管理局"}
        assert first.trigger_reason == "complaint_report" and second.mode == "non_onsite"
        assert [item.code for item in first.items] == ["JC-001", "JC-002"]
        assert len(first.inspectors) == 1 and first.inspectors[0].agency_id == first.agency_id
        assert first.approved_at == NOW and first.approved_at.tzinfo is not None
        notices = session.scalars(select(Notice).order_by(Notice.id)).all()
        assert notices[0].joint_group.id == group_id and notices[0].content["items"] == ["JC-001"]
        assert notices[1].inspection.id == first.id and notices[1].given_on is None
        override = session.scalar(select(QuietPeriodOverride))
        assert override.inspection.id == first.id and override.filed_at is None
        code = session.scalar(select(BehaviorCode).where(BehaviorCode.code == code_text))
        assert code.joint_group.id == group_id and code.inspection is None and code.status == "issued"


def test_penalty_revisits_complaint_rating_and_policy_decision(svc):
    with svc.transaction() as session:
        inspection = f.make_inspection(session, approved_by="局长")
        code = f.make_code(session, inspection=inspection)
        penalty = Penalty(inspection=inspection, decision_number="示市监罚〔2026〕12号", decided_on=date(2026, 10, 20),
                          summary="未按规定公示", fine_amount=Decimal("5000.00"))
        session.add(penalty)
        penalty.revisits.append(Revisit(round=1, findings="仍未公示", result="failed"))
        penalty.revisits.append(Revisit(round=2, findings="已整改", result="passed"))
        f.make_complaint(session, enterprise=inspection.enterprise, code=code, kind="misconduct")
        session.add(InspectionRating(inspection=inspection, enterprise=inspection.enterprise, behavior_code_id=code.id,
                                     score=5, reported_breaches=[], submitted_at=NOW))
        session.add(PolicyDecision(at=NOW, rule="R15", outcome="refused", action="plan_inspection",
                                   message="cap reached", figures={"cap": 2, "count": 2}, actor="staff",
                                   inspection_id=inspection.id, agency_id=inspection.agency_id))
        inspection_id = inspection.id
    with svc.sessions() as session:
        penalty = session.scalar(select(Penalty))
        assert penalty.fine_amount == Decimal("5000.00") and penalty.inspection.id == inspection_id
        assert [(r.round, r.result) for r in penalty.revisits] == [(1, "failed"), (2, "passed")]
        complaint = session.scalar(select(Complaint))
        assert complaint.tracking_number.startswith("TS-") and complaint.behavior_code.inspection_id == inspection_id
        assert complaint.outcomes == [] and complaint.status == "received"
        rating = session.scalar(select(InspectionRating))
        assert rating.score == 5 and rating.inspection.id == inspection_id
        decision = session.scalar(select(PolicyDecision))
        assert decision.figures == {"cap": 2, "count": 2} and decision.at == NOW


def _unique_violation(svc, build):
    with pytest.raises(IntegrityError):
        with svc.transaction() as session:
            build(session)


def test_credit_code_is_unique(svc):
    code = f.credit_code_for(424242)
    with svc.transaction() as session:
        f.make_enterprise(session, credit_code=code)
    _unique_violation(svc, lambda session: f.make_enterprise(session, credit_code=code))


def test_certificate_number_is_unique_but_auxiliaries_have_none(svc):
    with svc.transaction() as session:
        agency = f.make_agency(session)
        f.make_inspector(session, agency=agency, certificate_number="C-1")
        f.make_inspector(session, agency=agency, kind="auxiliary")
        f.make_inspector(session, agency=agency, kind="third_party")
    with svc.sessions() as session:
        assert len(session.scalars(select(Inspector).where(Inspector.certificate_number.is_(None))).all()) == 2
    _unique_violation(svc, lambda session: f.make_inspector(session, certificate_number="C-1"))


def test_behavior_code_is_unique(svc):
    with svc.transaction() as session:
        code_text = f.make_code(session).code

    def duplicate(session):
        inspection = f.make_inspection(session, approved_by="局长")
        session.add(BehaviorCode(code=code_text, inspection_id=inspection.id, approved_by="局长", issued_at=NOW,
                                 valid_from=NOW, valid_to=NOW + timedelta(days=1)))
        session.flush()

    _unique_violation(svc, duplicate)


def test_a_code_covers_exactly_one_inspection_or_joint_group(svc):
    def neither(session):
        session.add(BehaviorCode(code="X-1", approved_by="局长", issued_at=NOW, valid_from=NOW,
                                 valid_to=NOW + timedelta(days=1)))
        session.flush()

    _unique_violation(svc, neither)


def test_complaint_tracking_number_is_unique(svc):
    with svc.transaction() as session:
        number = f.make_complaint(session).tracking_number

    def duplicate(session):
        session.add(Complaint(tracking_number=number, kind="other", content="重复", status="received",
                              received_at=NOW))
        session.flush()

    _unique_violation(svc, duplicate)


def test_one_credit_class_per_enterprise_and_year(svc):
    with svc.transaction() as session:
        enterprise_id = f.make_enterprise(session, credit_class="C").id

    def again(session):
        f.set_credit_class(session, session.get(Enterprise, enterprise_id), "D")

    _unique_violation(svc, again)


def test_times_are_stored_as_utc_moments(svc):
    shanghai_evening = datetime(2026, 10, 8, 23, 59, 59, tzinfo=UTC) - timedelta(hours=8)
    with svc.transaction() as session:
        inspection_id = f.make_inspection(session, actual_start=shanghai_evening).id
    with svc.sessions() as session:
        assert session.get(Inspection, inspection_id).actual_start == shanghai_evening


def test_records_refuse_values_outside_their_lists():
    with pytest.raises(InvalidCreditCode) as info:
        Enterprise(credit_code="91330100799655058C", name="x")
    assert info.value.position == 18
    assert Enterprise(credit_code=" 9144030071526726xg").credit_code == "9144030071526726XG"
    with pytest.raises(ValueError, match="R17"):
        EnterpriseCreditClass(credit_class="E")
    with pytest.raises(ValueError, match="inspector kind: 'volunteer'"):
        Inspector(kind="volunteer")
    with pytest.raises(ValueError, match="inspector status"):
        Inspector(status="expired")
    with pytest.raises(ValueError, match="inspection trigger_reason: 'rumour'"):
        Inspection(trigger="triggered", trigger_reason="rumour")
    with pytest.raises(ValueError, match="inspection mode"):
        Inspection(mode="on-site")
