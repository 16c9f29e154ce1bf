"""R21 alerts: multi-head, repeated, high-frequency (with R16's triggered threshold), and overdue steps."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from engine.domain.inspection_alerts import raise_inspection_alerts, scan_overdue
from engine.platform import alerts
from engine.platform.clock import SHANGHAI
from tests.engine.helpers import complete, deploy, only_task, start
from tests.factories import NOW, make_agency, make_enterprise, make_inspection, make_jurisdiction, set_credit_class


def kinds(raised) -> list[str]:
    return [alert.kind for alert in raised]


def test_three_agencies_within_thirty_days_raise_a_multi_head_alert(session):
    county = make_jurisdiction(session)
    enterprise = make_enterprise(session, jurisdiction=county)
    set_credit_class(session, enterprise, "C")
    agencies = [make_agency(session, jurisdiction=county, name=name) for name in ("市场监管局", "消防大队", "环保局")]
    make_inspection(session, agency=agencies[0], enterprise=enterprise, planned_start=date(2026, 11, 2))
    second = make_inspection(session, agency=agencies[1], enterprise=enterprise, planned_start=date(2026, 11, 20))
    assert raise_inspection_alerts(session, second, NOW) == []
    third = make_inspection(session, agency=agencies[2], enterprise=enterprise, planned_start=date(2026, 11, 30))
    (alert,) = raise_inspection_alerts(session, third, NOW)
    assert alert.kind == "multi_head" and alert.subject == f"enterprise:{enterprise.id}"
    assert alert.details["agencies"] == sorted(["市场监管局", "消防大队", "环保局"])
    assert alert.details["threshold"] == 3 and len(alert.details["inspections"]) == 3
    # Raised again, it stays one open alert.
    raise_inspection_alerts(session, third, NOW)
    assert len(alerts.open_alerts(session, "multi_head")) == 1


def test_the_same_agency_on_the_same_items_within_thirty_days_is_a_repeat(session):
    agency = make_agency(session)
    enterprise = make_enterprise(session, jurisdiction=agency.jurisdiction)
    first = make_inspection(session, agency=agency, enterprise=enterprise, planned_start=date(2026, 11, 2))
    again = make_inspection(session, agency=agency, enterprise=enterprise, planned_start=date(2026, 11, 25),
                            items=list(first.items[:1]))
    (alert,) = raise_inspection_alerts(session, again, NOW)
    assert alert.kind == "repeated"
    assert alert.details["repeats"] == [{"inspection_id": first.id, "planned_start": "2026-11-02",
                                         "items": [first.items[0].code]}]
    later = make_inspection(session, agency=agency, enterprise=enterprise, planned_start=date(2026, 12, 28),
                            items=list(first.items[:1]))
    assert "repeated" not in kinds(raise_inspection_alerts(session, later, NOW))


def test_triggered_inspections_above_the_reasonable_number_raise_high_frequency(session):
    agency = make_agency(session)
    enterprise = make_enterprise(session, jurisdiction=agency.jurisdiction)
    set_credit_class(session, enterprise, "C")
    made = [make_inspection(session, agency=agency, enterprise=enterprise, planned_start=date(2026, month, 3),
                            trigger="triggered", trigger_reason="complaint_report", items=[])
            for month in (2, 4, 6, 8, 10)]
    (alert,) = raise_inspection_alerts(session, made[-1], NOW)
    assert alert.kind == "high_frequency"
    assert (alert.details["triggered"], alert.details["reasonable_triggered"]) == (5, 4)
    assert "超过合理频次 4 次" in alert.message


def test_overdue_tasks_are_alerted_and_resolved_when_done(svc, clock):
    deploy(svc, clock, "timer_kinds.bpmn")
    started = start(svc, clock, "timer_kinds")  # its task carries a non-interrupting 1-hour nudge, so a due moment
    later = datetime(2026, 9, 30, 11, 30, tzinfo=SHANGHAI)
    with svc.transaction() as session:
        assert scan_overdue(session, clock.now()) == {"raised": 0, "resolved": 0}
        # The Prepare task's due moment is its boundary timer (an hour): past it, the task is overdue.
        assert scan_overdue(session, later) == {"raised": 1, "resolved": 0}
        (alert,) = alerts.open_alerts(session, "overdue")
        assert alert.details["element_id"] == "Prepare" and "逾期" in alert.message
        assert scan_overdue(session, later + timedelta(minutes=5)) == {"raised": 0, "resolved": 0}  # alerted once
        assert len(alerts.open_alerts(session, "overdue")) == 1
    complete(svc, clock, only_task(svc, started.id, "Prepare").id, {"notice_date": "2026-10-30"})
    with svc.transaction() as session:
        assert scan_overdue(session, later + timedelta(minutes=10)) == {"raised": 0, "resolved": 1}
        assert alerts.open_alerts(session, "overdue") == []
