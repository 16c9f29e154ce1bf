"""The complaint record follows its procedure (R26, issue 11 defect 6), on the shipped diagram: acceptance or
declining (不予受理), investigation, correction and its measures, the reply, the complainant's rating, reopening
and closing each write the record the portal's tracking page reads
(engine.domain.enterprise_side.complaint_progress), in the step's own transaction."""

from __future__ import annotations

from datetime import datetime

import pytest

from engine.domain.complaint_process import start_complaint_process
from engine.domain.enterprise_side import complaint_progress
from engine.models import Complaint
from engine.platform.clock import SHANGHAI
from engine.runtime import PolicyRefused
from tests.factories import make_inspection
from tests.processes.helpers import complete, deploy_all, finished, only_task

ACCEPT = {"acceptance_date": "2026-09-30", "category": "无码入企", "handler": "王五"}
REPLY = {"reply_date": "2026-10-20", "reply_text": "经查属实，已责令改正并约谈责任人"}


def filed(svc, clock) -> tuple[int, str, int]:
    """A complaint about a coded inspection, as the portal files it, and its procedure."""
    deploy_all(svc, clock)
    with svc.transaction() as session:
        inspection = make_inspection(session)
        complaint = Complaint(tracking_number="TS-RECORDS-1", kind="no_code_entry", content="未亮码即入企",
                              contact="某食品有限公司", inspection=inspection, enterprise=inspection.enterprise,
                              status="received", received_at=clock.now())
        session.add(complaint)
        session.flush()
        instance_id = start_complaint_process(svc.runtime, session, clock, complaint)
        return complaint.id, complaint.tracking_number, instance_id


def record(svc, complaint_id: int) -> Complaint:
    with svc.sessions() as session:
        found = session.get(Complaint, complaint_id)
        session.expunge(found)
        return found


def progress(svc, number: str) -> dict:
    with svc.sessions() as session:
        found = complaint_progress(session, number)
        assert found is not None
        return found


def test_each_step_of_a_substantiated_complaint_writes_its_record(svc, clock):
    complaint_id, number, instance_id = filed(svc, clock)
    assert progress(svc, number)["status"] == "received"

    clock.set("2026-09-30T15:00:00+08:00")
    complete(svc, clock, only_task(svc, instance_id, "Task_accept").id, ACCEPT, actor="office")
    accepted = record(svc, complaint_id)
    # Accepted, and the handling (investigation) opened in the same step: the portal no longer says 已收到.
    assert accepted.accepted_at == datetime(2026, 9, 30, 15, 0, tzinfo=SHANGHAI)
    assert accepted.status == "investigating" and progress(svc, number)["accepted_at"] is not None

    complete(svc, clock, only_task(svc, instance_id, "Task_investigate").id,
             {"investigation_findings": "调取执法记录仪，确认未亮码", "substantiated": True})
    assert record(svc, complaint_id).substantiated is True
    complete(svc, clock, only_task(svc, instance_id, "Task_order_correction").id,
             {"correction_order": "责令改正", "interview": True, "public_notice": False,
              "transfer_discipline": True})
    ordered = record(svc, complaint_id)
    assert ordered.status == "correcting"
    assert ordered.outcomes == ["order_correction", "public_interview", "transfer_to_discipline"]
    assert progress(svc, number)["outcomes"] == ["责令改正", "公开约谈", "移送纪检监察"]

    complete(svc, clock, only_task(svc, instance_id, "Task_correct").id,
             {"corrected_date": "2026-10-12", "correction_report": "已补办并说明"})
    complete(svc, clock, only_task(svc, instance_id, "Task_verify").id,
             {"verify_date": "2026-10-13", "verified": True, "verify_note": ""})
    complete(svc, clock, only_task(svc, instance_id, "Task_interview").id,
             {"interview_date": "2026-10-14", "interview_record": "已约谈"})
    complete(svc, clock, only_task(svc, instance_id, "Task_transfer").id,
             {"transfer_date": "2026-10-15", "transfer_letter_no": "移〔2026〕1号"})
    clock.set("2026-10-20T10:00:00+08:00")
    complete(svc, clock, only_task(svc, instance_id, "Task_reply").id, REPLY)
    replied = progress(svc, number)
    assert (replied["status"], replied["reply"]) == ("replied", REPLY["reply_text"])
    assert replied["replied_at"] == "2026-10-20T10:00:00+08:00"

    complete(svc, clock, only_task(svc, instance_id, "Task_complainant_rating").id,
             {"rating": "满意", "rating_date": "2026-10-21", "rating_comment": "处理及时"}, actor="portal")
    closed = record(svc, complaint_id)
    assert (closed.complainant_rating, closed.complainant_comment, closed.status) == (5, "处理及时", "closed")
    assert finished(svc, instance_id)


def test_a_rejected_reply_reopens_the_complaint_and_its_second_reply_closes_it(svc, clock):
    complaint_id, number, instance_id = filed(svc, clock)
    complete(svc, clock, only_task(svc, instance_id, "Task_accept").id, ACCEPT, actor="office")
    complete(svc, clock, only_task(svc, instance_id, "Task_investigate").id,
             {"investigation_findings": "已亮码", "substantiated": False})
    unfounded = record(svc, complaint_id)
    assert (unfounded.substantiated, unfounded.outcomes, unfounded.status) == (False, [], "investigating")
    complete(svc, clock, only_task(svc, instance_id, "Task_reply").id, {**REPLY, "reply_text": "经查不属实"})
    complete(svc, clock, only_task(svc, instance_id, "Task_complainant_rating").id,
             {"rating": "不满意", "rating_date": "2026-10-21", "rating_comment": "未调取录像"}, actor="portal")
    reopened = record(svc, complaint_id)
    assert (reopened.status, reopened.complainant_rating) == ("reopened", 1)
    assert progress(svc, number)["status"] == "reopened"

    complete(svc, clock, only_task(svc, instance_id, "Task_investigate").id,
             {"investigation_findings": "调取录像，仍不属实", "substantiated": False})
    complete(svc, clock, only_task(svc, instance_id, "Task_reply").id,
             {"reply_date": "2026-10-28", "reply_text": "复查不属实"})
    assert record(svc, complaint_id).reply == "复查不属实"
    complete(svc, clock, only_task(svc, instance_id, "Task_complainant_rating").id,
             {"rating": "基本满意", "rating_date": "2026-10-29"}, actor="portal")
    assert (record(svc, complaint_id).status, record(svc, complaint_id).complainant_rating) == ("closed", 3)


def test_a_declined_complaint_tells_the_complainant_why_and_ends(svc, clock, app):
    complaint_id, number, instance_id = filed(svc, clock)
    accept = only_task(svc, instance_id, "Task_accept")
    with pytest.raises(PolicyRefused, match="R26"):  # declining needs the reason the complainant is told
        complete(svc, clock, accept.id, {**ACCEPT, "not_accepted": True}, actor="office")
    assert record(svc, complaint_id).status == "received"
    complete(svc, clock, accept.id, {**ACCEPT, "not_accepted": True,
                                     "not_accepted_reason": "不属于涉企行政检查事项，请向12345反映"}, actor="office")
    declined = progress(svc, number)
    assert (declined["status"], declined["accepted_at"]) == ("not_accepted", None)
    assert declined["reply"] == "不属于涉企行政检查事项，请向12345反映" and declined["replied_at"] is not None
    assert finished(svc, instance_id)
    page = app.test_client().get(f"/complaints/track?number={number}").get_data(as_text=True)
    assert "状态：不予受理" in page and "请向12345反映" in page
