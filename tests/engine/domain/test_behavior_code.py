"""行政行为码: issued only through the approval path (R6) or the 1-working-day retroactive one (R7), and what the
public verification shows (R22, R1 certificate status)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from engine.calendar import WorkingCalendar
from engine.domain import behavior_code as bc
from engine.domain.errors import Refused
from engine.models import BehaviorCode, PolicyDecision
from engine.platform.clock import SHANGHAI, parse_moment
from tests import factories as f

CALENDAR = WorkingCalendar()


def at(text: str) -> datetime:
    return parse_moment(text)


def test_codes_are_prefixed_random_and_free_of_look_alikes():
    codes = {bc.new_code("yh-scjg") for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert re.fullmatch(r"YHSCJG-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{20}", code)
    assert bc.normalize_code(" yhscjg-abcd 2345 ") == "YHSCJG-ABCD2345"


def test_no_code_without_approval(svc, clock):
    with svc.transaction() as session:
        inspection = f.make_inspection(session)
        with pytest.raises(Refused) as info:
            bc.issue_code(session, inspection=inspection, approved_by="局长", now=clock.now(), calendar=CALENDAR)
        assert info.value.rule == "R6" and "no recorded approval" in str(info.value)
        assert session.scalar(select(func.count()).select_from(BehaviorCode)) == 0


def test_the_code_rests_on_the_recorded_approver(svc, clock):
    with svc.transaction() as session:
        inspection = f.make_inspection(session, approved_by="局长")
        with pytest.raises(Refused, match="R6: .*approved by '局长', not '副局长'"):
            bc.issue_code(session, inspection=inspection, approved_by="副局长", now=clock.now(), calendar=CALENDAR)


def test_approved_inspection_gets_a_code_valid_until_the_end_of_its_window(svc, clock):
    with svc.transaction() as session:
        inspection = f.make_inspection(session, planned_start=date(2026, 10, 12), planned_end=date(2026, 10, 16))
        bc.record_approval(inspection, approved_by="局长", now=clock.now())
        code = bc.issue_code(session, inspection=inspection, approved_by="局长", now=clock.now(), calendar=CALENDAR)
        assert code.code.startswith(inspection.agency.code.replace("-", "")[:10] + "-")
        assert code.valid_from == clock.now()
        assert code.valid_to == datetime(2026, 10, 16, 23, 59, 59, 999999, tzinfo=SHANGHAI)
        assert not code.retroactive and not code.issued_late and code.status == "issued"
        with pytest.raises(ValueError, match="already covered by code"):
            bc.issue_code(session, inspection=inspection, approved_by="局长", now=clock.now(), calendar=CALENDAR)
        bc.revoke_code(code, by="局长", reason="检查取消", now=clock.now())
        again = bc.issue_code(session, inspection=inspection, approved_by="局长", now=clock.now(), calendar=CALENDAR)
        assert again.code != code.code


def test_an_inspection_that_began_before_approval_takes_the_retroactive_path(svc, clock):
    with svc.transaction() as session:
        inspection = f.make_inspection(session, approved_by="局长", approved_at=at("2026-09-30T12:00"),
                                       actual_start=at("2026-09-30T09:00"))
        with pytest.raises(Refused) as info:
            bc.issue_code(session, inspection=inspection, approved_by="局长", now=at("2026-09-30T12:00"),
                          calendar=CALENDAR)
        assert info.value.rule == "R6" and "retroactive path (R7)" in info.value.message


def urgent_inspection(session, *, approved_at: datetime | None):
    # Urgent inspection on the last working day before the 2026 National Day week (Oct 1–7 off).
    return f.make_inspection(session, retroactive=True, urgent_reason="unannounced", trigger="triggered",
                             trigger_reason="complaint_report",
                             actual_start=at("2026-09-30T15:00"), actual_end=at("2026-09-30T17:30"),
                             approved_by="局长" if approved_at else None, approved_at=approved_at)


def test_retroactive_code_within_one_working_day_across_the_national_day_holiday(svc):
    approved = at("2026-10-08T20:00")
    with svc.transaction() as session:
        inspection = urgent_inspection(session, approved_at=approved)
        code = bc.issue_code(session, inspection=inspection, approved_by="局长", now=approved, calendar=CALENDAR,
                             retroactive=True)
        assert code.retroactive and not code.issued_late
        assert code.retroactive_deadline == at("2026-10-08T23:59:59.999999")
        assert (code.valid_from, code.valid_to) == (inspection.actual_start, inspection.actual_end)
        assert session.scalar(select(func.count()).select_from(PolicyDecision)) == 0


def test_retroactive_code_after_the_deadline_is_flagged_as_no_code_entry(svc):
    approved = at("2026-10-09T09:00")
    with svc.transaction() as session:
        inspection = urgent_inspection(session, approved_at=approved)
        code = bc.issue_code(session, inspection=inspection, approved_by="局长", now=approved, calendar=CALENDAR,
                             retroactive=True)
        assert code.issued_late
        decision = session.scalar(select(PolicyDecision))
        assert (decision.rule, decision.outcome, decision.inspection_id) == ("R7", "violation", inspection.id)
        assert decision.figures["deadline"] == "2026-10-08T23:59:59.999999+08:00"
        assert "无码入企" in decision.message


def test_approval_on_time_but_code_issued_late_is_late(svc):
    with svc.transaction() as session:
        inspection = urgent_inspection(session, approved_at=at("2026-10-08T10:00"))
        code = bc.issue_code(session, inspection=inspection, approved_by="局长", now=at("2026-10-09T00:00:01"),
                             calendar=CALENDAR, retroactive=True)
        assert code.issued_late


def test_retroactive_path_needs_an_urgent_inspection_that_took_place_and_its_approval(svc):
    with svc.transaction() as session:
        unapproved = urgent_inspection(session, approved_at=None)
        with pytest.raises(Refused, match="R6"):
            bc.issue_code(session, inspection=unapproved, approved_by="局长", now=at("2026-10-08T09:00"),
                          calendar=CALENDAR, retroactive=True)
        planned = f.make_inspection(session, approved_by="局长")
        with pytest.raises(Refused, match="R7: .*not recorded as an urgent inspection"):
            bc.issue_code(session, inspection=planned, approved_by="局长", now=at("2026-10-08T09:00"),
                          calendar=CALENDAR, retroactive=True)
        not_yet = f.make_inspection(session, approved_by="局长", retroactive=True)
        with pytest.raises(Refused, match="R7: .*no recorded start"):
            bc.issue_code(session, inspection=not_yet, approved_by="局长", now=at("2026-10-08T09:00"),
                          calendar=CALENDAR, retroactive=True)
        urgent = urgent_inspection(session, approved_at=at("2026-10-08T09:00"))
        with pytest.raises(Refused, match="use retroactive=True"):
            bc.issue_code(session, inspection=urgent, approved_by="局长", now=at("2026-10-08T09:00"),
                          calendar=CALENDAR)


# -- verification ------------------------------------------------------------------------------------------


def issued(session, clock, **inspector):
    agency = f.make_agency(session, code="YH-SCJG", name="云和县市场监督管理局")
    person = f.make_inspector(session, agency=agency, name="李四", certificate_number="33112500000009", **inspector)
    inspection = f.make_inspection(session, agency=agency, inspectors=[person], approved_by="局长")
    return bc.issue_code(session, inspection=inspection, approved_by="局长", now=clock.now(), calendar=CALENDAR)


def test_verify_a_valid_code(svc, clock):
    with svc.transaction() as session:
        code_text = issued(session, clock).code
    with svc.sessions() as session:
        result = bc.lookup(session, code_text.lower(), clock.now() + timedelta(days=12))
    assert result is not None and result.valid and result.status == "issued" and result.reasons == []
    shown = result.to_dict()
    assert shown["agencies"] == [{"code": "YH-SCJG", "name": "云和县市场监督管理局"}]
    assert shown["inspectors"] == [{"name": "李四", "certificate_number": "33112500000009",
                                    "certificate_status": "valid", "certificate_valid_to": "2028-12-31"}]
    assert [item["code"] for item in shown["items"]] == ["JC-001", "JC-002"]
    assert shown["valid_to"] == "2026-10-16T23:59:59.999999+08:00"
    assert shown["retroactive"] is False and shown["issued_late"] is False and shown["enterprise"]


def test_verify_lists_the_assistants_apart_and_stays_valid(svc, clock):
    """辅助人员 named in advance accompany the inspectors: listed by name and kind, never a reason to refuse."""
    with svc.transaction() as session:
        code = issued(session, clock)
        agency = code.inspection.agency
        code.inspection.assistants = [f.make_inspector(session, agency=agency, name="钱辅助", kind="auxiliary"),
                                      f.make_inspector(session, agency=agency, name="孙网格", kind="grid_worker")]
        code_text = code.code
    with svc.sessions() as session:
        result = bc.lookup(session, code_text, clock.now() + timedelta(days=12))
    assert result is not None and result.valid and result.reasons == []
    assert [person["name"] for person in result.inspectors] == ["李四"]
    assert result.to_dict()["assistants"] == [{"name": "钱辅助", "kind": "auxiliary", "kind_label": "辅助人员"},
                                              {"name": "孙网格", "kind": "grid_worker", "kind_label": "网格员"}]


def test_verify_shows_an_expired_certificate(svc, clock):
    with svc.transaction() as session:
        code_text = issued(session, clock, valid_to=date(2026, 10, 1)).code
    with svc.sessions() as session:
        result = bc.lookup(session, code_text, at("2026-10-12T09:00"))
    assert result is not None and not result.valid and result.status == "issued"
    assert result.inspectors[0]["certificate_status"] == "expired"
    assert any(reason.startswith("R1: inspector 李四") for reason in result.reasons)


def test_verify_a_revoked_code(svc, clock):
    with svc.transaction() as session:
        code = issued(session, clock)
        bc.revoke_code(code, by="局长", reason="检查取消", now=clock.now())
        code_text = code.code
    with svc.sessions() as session:
        result = bc.lookup(session, code_text, clock.now())
    assert result is not None and not result.valid and result.status == "revoked"
    assert result.reasons == ["R6: the code was revoked (检查取消)"]


def test_verify_after_the_window_and_for_unknown_codes(svc, clock):
    with svc.transaction() as session:
        code_text = issued(session, clock).code
    with svc.sessions() as session:
        result = bc.lookup(session, code_text, at("2026-10-17T00:00"))
        assert result is not None and result.status == "expired" and not result.valid
        assert bc.lookup(session, "YHSCJG-NOSUCHCODE", clock.now()) is None


def test_certificate_statuses():
    inspector = f.Inspector(name="x", kind="enforcement_officer", certificate_number="1", status="active",
                            valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))
    assert bc.certificate_status(inspector, date(2026, 6, 1)) == "valid"
    assert bc.certificate_status(inspector, date(2027, 1, 1)) == "expired"
    assert bc.certificate_status(inspector, date(2025, 12, 31)) == "not_yet_valid"
    inspector.status = "revoked"
    assert bc.certificate_status(inspector, date(2026, 6, 1)) == "revoked"
    auxiliary = f.Inspector(name="y", kind="auxiliary", status="active")
    assert bc.certificate_status(auxiliary, date(2026, 6, 1)) == "not_qualified"


def test_one_code_for_a_joint_inspection(svc, clock):
    with svc.transaction() as session:
        first = f.make_inspection(session, approved_by="局长")
        other = f.make_agency(session, jurisdiction=first.agency.jurisdiction, code="YH-YJGL", name="云和县应急管理局")
        second = f.make_inspection(session, agency=other, enterprise=first.enterprise)
        group = f.make_joint_group(session, inspections=[first, second])
        with pytest.raises(ValueError, match="merged into joint group"):
            bc.issue_code(session, inspection=first, approved_by="局长", now=clock.now(), calendar=CALENDAR)
        # The code rests on a member's recorded approval (R6), never on the coordinator's merge.
        with pytest.raises(Refused, match=rf"R6: joint group {group.id}: no member inspection has a recorded"):
            bc.issue_joint_code(session, group=group, approved_by="县综合执法办", now=clock.now(), calendar=CALENDAR)
        bc.record_approval(second, approved_by="大队长", now=clock.now())
        code_text = bc.code_for_approved(session, inspection=first, now=clock.now(), calendar=CALENDAR).code
        assert bc.code_for_approved(session, inspection=second, now=clock.now(), calendar=CALENDAR).code == code_text
    with svc.sessions() as session:
        result = bc.lookup(session, code_text, clock.now())
    assert result is not None and result.valid and result.joint
    assert [agency["code"] for agency in result.agencies] == [first.agency.code, "YH-YJGL"]
    assert len(result.inspectors) == 2
