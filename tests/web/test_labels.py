"""The pages' words for stored codes (web/labels.py): known codes in both languages, unknown ones as they are."""

from __future__ import annotations

from flask import render_template_string
from sqlalchemy import select

from engine.models import ProcessVersion
from tests.engine.helpers import deploy


def render(app, template: str, language: str = "zh-CN", **values) -> str:
    with app.test_request_context(headers={"Accept-Language": language}):
        return render_template_string(template, **values)


def test_audit_actions_and_alerts_read_as_words(app):
    assert render(app, "{{ 'task.completed'|action_label }}") == "提交办理"
    assert render(app, "{{ 'task.completed'|action_label }}", "en") == "Task completed"
    assert render(app, "{{ 'no_code'|alert_kind_label }}/{{ 'open'|alert_status_label }}") == "无码入企/待处理"
    assert render(app, "{{ 'something.new'|action_label }}") == "something.new"


def test_process_and_agency_codes_read_as_their_names(app, svc, clock):
    deploy(svc, clock, "inbox_task.bpmn")
    with svc.sessions() as session:
        key, name = session.execute(select(ProcessVersion.process_key, ProcessVersion.name)).first()
    assert render(app, "{{ key|process_label }}", key=key) == name
    assert render(app, "{{ 'no_such_process'|process_label }}") == "no_such_process"
    assert render(app, "{{ none|agency_label }}|{{ 'XYZ'|agency_label }}") == "—|XYZ"


def test_business_keys_read_as_what_they_concern(app):
    assert render(app, "{{ 'inspection:245'|business_label }}") == "检查 245"
    assert render(app, "{{ 'complaint:TS-AB12'|business_label }}", "en") == "Complaint TS-AB12"
    assert render(app, "{{ 'enterprise:91331125007000005P'|business_label }}") == "企业 91331125007000005P"
    assert render(app, "{{ 'case:7'|business_label }}|{{ 'inspection:'|business_label }}|{{ none|business_label }}") \
        == "case:7|inspection:|—"


def test_instance_and_task_states_read_as_words(app):
    assert render(app, "{{ 'running'|instance_status_label }}/{{ 'cancelled'|task_state_label }}") == "办理中/已取消"
    assert render(app, "{{ 'completed'|task_state_label }}", "en") == "done"


def test_every_alert_kind_the_engine_raises_reads_as_words(app):
    """A new alert kind without words showed its raw code on the supervisors' dashboard (no_code_entry)."""
    from engine.background.sweep import TIMER_FAILED_ALERT
    from engine.calendar.store import UNCOVERED_YEAR_ALERT
    from engine.domain import inspection_alerts
    from engine.domain.enterprise_side import NO_CODE_ALERT
    from engine.domain.stages import NO_CODE_ENTRY_ALERT
    from web.labels import ALERT_KINDS

    raised = {TIMER_FAILED_ALERT, UNCOVERED_YEAR_ALERT, NO_CODE_ALERT, NO_CODE_ENTRY_ALERT,
              inspection_alerts.MULTI_HEAD, inspection_alerts.REPEATED, inspection_alerts.HIGH_FREQUENCY,
              inspection_alerts.OVERDUE}
    assert raised <= set(ALERT_KINDS)
    assert render(app, "{{ 'no_code_entry'|alert_kind_label }}") == "紧急检查补办逾期"
