"""The enterprise side: rating an inspection (R24) with breaches (R23), no-code reports (R22), and
following a complaint by its tracking number (R26)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from engine.calendar import WorkingCalendar
from engine.domain.complaint_process import start_complaint_process
from engine.domain.enterprise_side import complaint_progress, file_complaint, rate_inspection
from engine.domain.errors import Refused
from engine.domain.policy import default_policy
from engine.platform import alerts
from engine.platform.clock import SHANGHAI
from engine.runtime.deploy import deploy
from tests.engine.helpers import open_tasks
from tests.factories import make_code, make_inspection

CALENDAR = WorkingCalendar()
AFTER_VISIT = datetime(2026, 10, 16, 15, tzinfo=SHANGHAI)


def visited_code(session):
    inspection = make_inspection(session, approved_by="局长")
    code = make_code(session, inspection=inspection)
    inspection.actual_start, inspection.status = AFTER_VISIT, "completed"
    return code


def rate(session, code, **kwargs):
    kwargs.setdefault("score", 5)
    kwargs.setdefault("comment", None)
    kwargs.setdefault("breaches", [])
    rating, filed = rate_inspection(session, code=code, now=AFTER_VISIT, calendar=CALENDAR, policy=default_policy(),
                                    **kwargs)
    return rating, filed.complaint if filed else None


def test_an_enterprise_rates_the_inspection_its_code_covers_once(session):
    code = visited_code(session)
    rating, complaint = rate(session, code, score=4, comment="检查规范")
    assert (rating.inspection_id, rating.score, complaint) == (code.inspection_id, 4, None)
    with pytest.raises(Refused, match="已经评价过"):
        rate(session, code)


def test_ticked_breaches_file_a_misconduct_complaint(session):
    code = visited_code(session)
    rating, complaint = rate(session, code, score=1, breaches=["legal_representative_summoned", "gifts"])
    assert rating.reported_breaches == ["legal_representative_summoned", "gifts"]
    assert complaint.kind == "misconduct" and complaint.inspection_id == code.inspection_id
    assert "不得刻意要求法定代表人到场" in complaint.content


def test_rating_refuses_visits_that_did_not_happen_unless_the_procedure_waits_for_the_rating(session):
    not_yet = make_code(session, inspection=make_inspection(session, approved_by="局长"))
    with pytest.raises(Refused, match="尚未进行"):
        rate(session, not_yet)
    with pytest.raises(ValueError, match="breaches"):
        rate(session, visited_code(session), breaches=["bad_coffee"])
    # The lifecycle waiting at 企业评价 has recorded the visit, whatever the record's status says.
    rating, _ = rate(session, not_yet, rating_open=True)
    assert rating.inspection_id == not_yet.inspection_id


def test_a_report_with_an_unknown_code_is_a_no_code_entry_with_an_alert(session):
    complaint = file_complaint(session, kind="other", content="来人称检查，出示的码查不到", contact="13800000000",
                               code_text="FAKE-0000", now=AFTER_VISIT, calendar=CALENDAR,
                               policy=default_policy()).complaint
    assert complaint.kind == "no_code_entry" and complaint.behavior_code_id is None
    # Received on a Friday: acceptance is due by the end of the next working day, Monday 2026-10-19.
    assert complaint.accept_due_at == datetime(2026, 10, 19, 23, 59, 59, 999999, tzinfo=SHANGHAI)
    (alert,) = alerts.open_alerts(session, "no_code")
    assert alert.details == {"complaint_id": complaint.id, "code_text": "FAKE-0000", "code_found": False}


def test_the_tracking_number_shows_the_case_and_nothing_else(session):
    complaint = file_complaint(session, kind="misconduct", content="要求企业支付餐费", contact=None, code_text=None,
                               now=AFTER_VISIT, calendar=CALENDAR, policy=default_policy()).complaint
    complaint.outcomes, complaint.reply, complaint.status = ["order_correction"], "已责令改正", "replied"
    progress = complaint_progress(session, complaint.tracking_number)
    assert (progress["status"], progress["outcomes"], progress["reply"]) == ("replied", ["责令改正"], "已责令改正")
    assert "content" not in progress and "contact" not in progress
    assert complaint_progress(session, "unknown-number") is None


def test_a_complaint_starts_the_correction_procedure_for_the_county_office(svc, clock):
    diagram = Path(__file__).resolve().parents[3] / "processes" / "bpmn" / "complaint_correction.bpmn"
    with svc.transaction() as session:
        deploy(svc.runtime, session, clock, xml=diagram.read_bytes(), source_name=diagram.name, actor="owner")
    with svc.transaction() as session:
        code = visited_code(session)
        complaint = file_complaint(session, kind="misconduct", content="要求企业支付餐费", contact="张经理",
                                   code_text=code.code, now=clock.now(), calendar=CALENDAR,
                                   policy=default_policy()).complaint
        instance_id = start_complaint_process(svc.runtime, session, clock, complaint)
        tracking = complaint.tracking_number
    (task,) = open_tasks(svc, instance_id)
    assert task.candidate_group == "县综合执法办" and task.business_key == f"complaint:{tracking}"
    assert task.agency == code.inspection.agency.code
