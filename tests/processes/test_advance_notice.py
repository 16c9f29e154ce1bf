"""advance_notice (R8): at least 5 working days strictly between notice and inspection, counted across the
Spring Festival 2026 (holiday 02-15..23, make-up working days 02-14 and 02-28); the process waits until the
notice period has passed; an inspection day too early is moved; a recorded exemption skips the notice."""

from __future__ import annotations

from datetime import date

from engine.calendar import WorkingCalendar
from tests.processes.helpers import complete, deploy_all, finished, only_task, open_ids, start, sweep_at, task_data

PLAN = {"agency": "县应急管理局", "enterprise": "91331125MA2E000002", "notice_exemption": "无",
        "notice_exemption_reason": ""}
NOTICE = {"notice_date": "2026-02-12", "method": "书面", "notice_items": "安全生产责任制落实情况",
          "notice_inspectors": "张三（执法证 33000001）、李四（执法证 33000002）"}


def test_the_spring_festival_calendar_the_tests_rely_on():
    calendar = WorkingCalendar()
    assert calendar.is_working_day(date(2026, 2, 14)) and calendar.is_working_day(date(2026, 2, 28))
    assert not calendar.is_working_day(date(2026, 2, 16)) and not calendar.is_working_day(date(2026, 2, 23))
    # 02-13, 02-14 (make-up), then 02-24, 02-25, 02-26: the 5th working day after 02-12.
    assert calendar.add_working_days(date(2026, 2, 12), 5) == date(2026, 2, 26)
    assert calendar.working_days_between(date(2026, 2, 12), date(2026, 2, 27)) == 5


def test_notice_before_the_spring_festival_holds_the_inspection_until_the_period_has_passed(svc, clock):
    clock.set("2026-02-12T09:00:00+08:00")
    deploy_all(svc, clock)
    started = start(svc, clock, "advance_notice", {**PLAN, "inspection_date": "2026-02-27"})
    notice = only_task(svc, started.id, "Task_give_notice")
    assert notice.candidate_group == "执法人员"
    complete(svc, clock, notice.id, NOTICE)
    assert open_ids(svc, started.id) == set() and not finished(svc, started.id)

    assert sweep_at(svc, "2026-02-24T10:00:00") == []
    assert sweep_at(svc, "2026-02-26T23:59:59") == []
    assert sweep_at(svc, "2026-02-27T00:00:01") == ["Timer_notice_period"]
    assert finished(svc, started.id)


def test_an_inspection_day_inside_the_notice_period_must_be_moved(svc, clock):
    clock.set("2026-02-12T09:00:00+08:00")
    deploy_all(svc, clock)
    # 2026-02-26 leaves only 4 working days between (02-13, 02-14, 02-24, 02-25).
    started = start(svc, clock, "advance_notice", {**PLAN, "inspection_date": "2026-02-26"})
    complete(svc, clock, only_task(svc, started.id, "Task_give_notice").id, NOTICE)
    reschedule = only_task(svc, started.id, "Task_reschedule")
    assert task_data(svc, reschedule.id)["notice_period_met"] is False
    complete(svc, clock, reschedule.id, {"inspection_date": "2026-02-27", "reschedule_reason": "预告期不足5个工作日"})
    assert open_ids(svc, started.id) == set()
    assert sweep_at(svc, "2026-02-27T00:00:01") == ["Timer_notice_period"]
    assert finished(svc, started.id)


def test_a_recorded_exemption_needs_no_notice(svc, clock):
    deploy_all(svc, clock)
    started = start(svc, clock, "advance_notice", {**PLAN, "inspection_date": "2026-10-09",
                                                   "notice_exemption": "不适宜事先通知",
                                                   "notice_exemption_reason": "暗查暗访，事先通知将影响检查效果"})
    assert finished(svc, started.id)
