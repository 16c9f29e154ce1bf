"""Joint inspections (R18): proposals, merging into one visit with one code, and the R19/R20 shares."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from engine.calendar import WorkingCalendar
from engine.domain import behavior_code
from engine.domain.errors import Refused
from engine.domain.joint import merge, propose_joint_inspections, shares
from engine.models import AuditEntry
from tests.factories import NOW, make_agency, make_enterprise, make_inspection, make_jurisdiction


def two_agencies_one_enterprise(session):
    county = make_jurisdiction(session)
    market = make_agency(session, jurisdiction=county, name="市场监管局")
    fire = make_agency(session, jurisdiction=county, name="消防救援大队")
    enterprise = make_enterprise(session, jurisdiction=county)
    first = make_inspection(session, agency=market, enterprise=enterprise, planned_start=date(2026, 11, 3),
                            planned_end=date(2026, 11, 3), approved_by="局长")
    second = make_inspection(session, agency=fire, enterprise=enterprise, planned_start=date(2026, 11, 12),
                             planned_end=date(2026, 11, 12), approved_by="大队长")
    return county, market, fire, enterprise, first, second


def test_two_agencies_at_one_enterprise_in_one_month_are_proposed(session):
    county, market, _fire, enterprise, first, second = two_agencies_one_enterprise(session)
    make_inspection(session, agency=market, enterprise=enterprise, planned_start=date(2026, 12, 1))  # other month
    (proposal,) = propose_joint_inspections(session, jurisdiction_id=county.id)
    assert proposal.to_dict() == {"enterprise_id": enterprise.id, "month": "2026-11",
                                  "inspection_ids": [first.id, second.id],
                                  "agency_ids": sorted([first.agency_id, second.agency_id])}


def test_merging_gives_one_visit_one_code_and_keeps_each_agencys_items(session):
    _county, market, _fire, _enterprise, first, second = two_agencies_one_enterprise(session)
    items_before = {first.id: [i.code for i in first.items], second.id: [i.code for i in second.items]}
    group = merge(session, inspection_ids=[first.id, second.id], coordinator="县综合执法办", now=NOW,
                  planned_start=date(2026, 11, 10), planned_end=date(2026, 11, 10), lead_agency_id=market.id)
    assert {i.id for i in group.inspections} == {first.id, second.id}
    assert (first.planned_start, second.planned_start) == (date(2026, 11, 10), date(2026, 11, 10))
    assert {first.id: [i.code for i in first.items], second.id: [i.code for i in second.items]} == items_before
    code = behavior_code.issue_joint_code(session, group=group, approved_by="局长", now=NOW,
                                          calendar=WorkingCalendar())
    assert code.joint_group_id == group.id
    assert propose_joint_inspections(session) == []
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "joint.merged")) == 1


def test_merging_refuses_what_cannot_be_one_visit(session):
    _county, market, _fire, _enterprise, first, second = two_agencies_one_enterprise(session)
    same_agency = make_inspection(session, agency=market, enterprise=first.enterprise)
    with pytest.raises(Refused, match="两个以上执法单位"):
        merge(session, inspection_ids=[first.id, same_agency.id], coordinator="x", now=NOW,
              planned_start=date(2026, 11, 10), planned_end=date(2026, 11, 10))
    elsewhere = make_inspection(session)
    with pytest.raises(Refused, match="同一企业") as caught:
        merge(session, inspection_ids=[first.id, elsewhere.id], coordinator="x", now=NOW,
              planned_start=date(2026, 11, 10), planned_end=date(2026, 11, 10))
    assert caught.value.rule == "R18"
    merge(session, inspection_ids=[first.id, second.id], coordinator="x", now=NOW,
          planned_start=date(2026, 11, 10), planned_end=date(2026, 11, 10))
    with pytest.raises(Refused, match="已合并"):
        merge(session, inspection_ids=[first.id, second.id], coordinator="x", now=NOW,
              planned_start=date(2026, 11, 10), planned_end=date(2026, 11, 10))


def test_joint_rate_and_non_onsite_share_against_the_target(session):
    county, market, _fire, _enterprise, first, second = two_agencies_one_enterprise(session)
    merge(session, inspection_ids=[first.id, second.id], coordinator="x", now=NOW,
          planned_start=date(2026, 11, 10), planned_end=date(2026, 11, 10))
    make_inspection(session, agency=market, planned_start=date(2026, 5, 6), mode="non_onsite")
    make_inspection(session, agency=market, planned_start=date(2026, 6, 9))
    cancelled = make_inspection(session, agency=market, planned_start=date(2026, 7, 7))
    cancelled.status = "cancelled"
    make_inspection(session, agency=market, planned_start=date(2025, 6, 9))  # another year
    session.flush()

    county_shares = shares(session, year=2026, jurisdiction_id=county.id)
    assert county_shares.to_dict() == {"year": 2026, "inspections": 4, "joint": 2, "non_onsite": 1,
                                       "joint_rate": 0.5, "non_onsite_share": 0.25, "joint_rate_target": 0.7}
    market_shares = shares(session, year=2026, agency_id=market.id)
    assert (market_shares.inspections, market_shares.joint, market_shares.joint_rate) == (3, 1, 0.3333)
    assert shares(session, year=2024, agency_id=market.id).joint_rate is None
