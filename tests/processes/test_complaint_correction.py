"""complaint_correction (R26): accept within 1 working day, reply within 15 working days of acceptance (both
counted across the National Day week), correction verified in a loop, additional measures, the
complainant's rating, reopening on a rejected rating, and closing when no rating comes. Every step inside the
handling sub-process is due with the reply, each supervision (督办) 5 working days after the deadline it
supervises, and the correction is worked by the concerned agency (`correcting_agency`)."""

from __future__ import annotations

from tests.processes.helpers import (
    complete,
    copies,
    deadline_due,
    deploy_all,
    end_of,
    finished,
    only_task,
    open_ids,
    start,
    sweep_at,
    task_data,
)

CASE = {"agency": "县市场监管局", "enterprise": "91331125MA2E000005", "complainant": "某食品有限公司",
        "complaint_text": "执法人员未出示行政行为码即入企检查", "received_date": "2026-09-30"}
ACCEPT = {"acceptance_date": "2026-09-30", "category": "无码入企", "handler": "王五"}
SUPERVISED = {"supervision_action": "约谈", "supervision_opinion": "督促按时办理"}
REPLY = {"reply_date": "2026-10-20", "reply_text": "经查属实，已责令改正并约谈责任人"}


def investigate(substantiated: bool) -> dict:
    return {"investigation_findings": "调取执法记录仪，确认未亮码" if substantiated else "已亮码，投诉不属实",
            "substantiated": substantiated}


def accepted(svc, clock):
    deploy_all(svc, clock)
    started = start(svc, clock, "complaint_correction", CASE)
    accept = only_task(svc, started.id, "Task_accept")
    assert accept.candidate_group == "县综合执法办" and accept.due_at == end_of("2026-10-08")
    complete(svc, clock, accept.id, ACCEPT)
    return started


def test_substantiated_complaint_is_corrected_verified_in_a_loop_and_replied(svc, clock):
    started = accepted(svc, clock)
    investigate_task = only_task(svc, started.id, "Task_investigate")
    # The reply period covers the whole handling sub-process; its timer is attached to the sub-process, and every
    # step inside it is due with it.
    assert deadline_due(svc, started.id, "Timer_reply_deadline") == end_of("2026-10-27")
    assert investigate_task.due_at == end_of("2026-10-27")
    complete(svc, clock, investigate_task.id, investigate(True))
    complete(svc, clock, only_task(svc, started.id, "Task_order_correction").id,
             {"correction_order": "责令改正，重新履行亮码程序", "interview": True, "public_notice": True,
              "transfer_discipline": False})
    for verified in (False, True):
        correct = only_task(svc, started.id, "Task_correct")
        assert correct.candidate_group == "单位负责人" and correct.agency == "县市场监管局"
        assert correct.due_at == end_of("2026-10-27")
        complete(svc, clock, correct.id, {"corrected_date": "2026-10-12", "correction_report": "已补办并向企业说明"})
        complete(svc, clock, only_task(svc, started.id, "Task_verify").id,
                 {"verify_date": "2026-10-13", "verified": verified, "verify_note": ""})
    assert open_ids(svc, started.id) == {"Task_interview", "Task_public_notice"}
    public_notice = only_task(svc, started.id, "Task_public_notice")
    assert public_notice.candidate_group == "司法局" and public_notice.due_at == end_of("2026-10-27")
    complete(svc, clock, only_task(svc, started.id, "Task_interview").id,
             {"interview_date": "2026-10-14", "interview_record": "约谈执法大队负责人"})
    complete(svc, clock, only_task(svc, started.id, "Task_public_notice").id,
             {"notice_date": "2026-10-15", "notice_text": "通报无码入企一例"})
    assert copies(svc, started.id) == []
    complete(svc, clock, only_task(svc, started.id, "Task_reply").id, REPLY)
    assert copies(svc, started.id) == [("答复投诉人", "司法局")]  # 司法局 tracks complaints (R26): 抄送
    rating = only_task(svc, started.id, "Task_complainant_rating")
    assert rating.candidate_group == "企业" and rating.due_at == end_of("2026-10-27")
    complete(svc, clock, rating.id, {"rating": "满意", "rating_date": "2026-10-21", "rating_comment": ""})
    assert finished(svc, started.id)
    assert sweep_at(svc, "2026-12-01T00:00:00") == []


def test_late_acceptance_is_supervised_beside_the_open_acceptance(svc, clock):
    deploy_all(svc, clock)
    started = start(svc, clock, "complaint_correction", CASE)
    assert sweep_at(svc, "2026-10-08T23:59:59") == []
    assert sweep_at(svc, "2026-10-09T00:00:01") == ["Timer_accept_deadline"]
    assert open_ids(svc, started.id) == {"Task_accept", "Task_supervise_accept"}
    supervise = only_task(svc, started.id, "Task_supervise_accept")
    assert supervise.candidate_group == "司法局" and supervise.due_at == end_of("2026-10-14")
    assert task_data(svc, supervise.id)["accept_overdue"] is True
    clock.set("2026-10-09T09:00:00+08:00")
    complete(svc, clock, supervise.id, SUPERVISED)
    complete(svc, clock, only_task(svc, started.id, "Task_accept").id, {**ACCEPT, "acceptance_date": "2026-10-09"})
    complete(svc, clock, only_task(svc, started.id, "Task_investigate").id, investigate(False))
    complete(svc, clock, only_task(svc, started.id, "Task_reply").id, {**REPLY, "reply_text": "经查不属实"})
    complete(svc, clock, only_task(svc, started.id, "Task_complainant_rating").id,
             {"rating": "基本满意", "rating_date": "2026-10-21"})
    assert finished(svc, started.id)


def test_late_reply_is_escalated_to_the_justice_bureau(svc, clock):
    started = accepted(svc, clock)
    assert sweep_at(svc, "2026-10-27T23:59:59") == []
    assert sweep_at(svc, "2026-10-28T00:00:01") == ["Timer_reply_deadline"]
    assert open_ids(svc, started.id) == {"Task_investigate", "Task_supervise_reply"}
    supervise = only_task(svc, started.id, "Task_supervise_reply")
    assert supervise.candidate_group == "司法局" and supervise.agency == "县市场监管局"
    data = task_data(svc, supervise.id)
    assert data["reply_overdue"] is True and data["escalated_to"] == "司法局"
    assert supervise.due_at == end_of("2026-11-03")


def test_late_supervision_is_flagged_and_explained_beside_the_open_supervision(svc, clock):
    started = accepted(svc, clock)
    assert sweep_at(svc, "2026-10-28T00:00:01") == ["Timer_reply_deadline"]
    assert sweep_at(svc, "2026-11-03T23:59:59") == []
    assert sweep_at(svc, "2026-11-04T00:00:01") == ["Timer_supervise_reply_deadline"]
    assert open_ids(svc, started.id) == {"Task_investigate", "Task_supervise_reply", "Task_explain_supervision_delay"}
    explain = only_task(svc, started.id, "Task_explain_supervision_delay")
    assert explain.candidate_group == "司法局" and task_data(svc, explain.id)["supervision_overdue"] is True
    complete(svc, clock, explain.id, {"supervision_delay_reason": "承办人病休，已另行指定并限期办结"})
    complete(svc, clock, only_task(svc, started.id, "Task_supervise_reply").id, SUPERVISED)
    assert open_ids(svc, started.id) == {"Task_investigate"}


def test_rejected_rating_reopens_the_investigation_with_a_new_reply_period(svc, clock):
    started = accepted(svc, clock)
    complete(svc, clock, only_task(svc, started.id, "Task_investigate").id, investigate(False))
    complete(svc, clock, only_task(svc, started.id, "Task_reply").id, {**REPLY, "reply_text": "经查不属实"})
    complete(svc, clock, only_task(svc, started.id, "Task_complainant_rating").id,
             {"rating": "不满意", "rating_date": "2026-10-21", "rating_comment": "未调取执法记录"})
    again = only_task(svc, started.id, "Task_investigate")
    assert deadline_due(svc, started.id, "Timer_reply_deadline") == end_of("2026-11-11")
    assert task_data(svc, again.id)["reopen_count"] == 1
    assert sweep_at(svc, "2026-10-28T00:00:01") == []  # the first reply period no longer counts
    complete(svc, clock, again.id, investigate(True))
    complete(svc, clock, only_task(svc, started.id, "Task_order_correction").id,
             {"correction_order": "责令改正", "interview": False, "public_notice": False,
              "transfer_discipline": True})
    complete(svc, clock, only_task(svc, started.id, "Task_correct").id,
             {"corrected_date": "2026-10-23", "correction_report": "已改正"})
    complete(svc, clock, only_task(svc, started.id, "Task_verify").id, {"verify_date": "2026-10-26", "verified": True})
    complete(svc, clock, only_task(svc, started.id, "Task_transfer").id,
             {"transfer_date": "2026-10-26", "transfer_letter_no": "云综执移〔2026〕3号"})
    complete(svc, clock, only_task(svc, started.id, "Task_reply").id, {**REPLY, "reply_date": "2026-10-27"})
    rating = only_task(svc, started.id, "Task_complainant_rating")
    assert rating.due_at == end_of("2026-11-03")
    complete(svc, clock, rating.id, {"rating": "满意", "rating_date": "2026-10-28"})
    assert finished(svc, started.id)


def test_missing_rating_does_not_keep_the_complaint_open(svc, clock):
    started = accepted(svc, clock)
    complete(svc, clock, only_task(svc, started.id, "Task_investigate").id, investigate(False))
    complete(svc, clock, only_task(svc, started.id, "Task_reply").id, REPLY)
    assert sweep_at(svc, "2026-10-28T00:00:01") == ["Timer_rating_deadline"]
    assert finished(svc, started.id)
