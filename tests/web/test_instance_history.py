"""The supervisor's instance page reads as words: step states, the instance's status, and an audit trail
that names the step and shows what was recorded under the form's own labels — never raw JSON."""

from __future__ import annotations

import re

import pytest

from engine.runtime import instances
from tests.engine.helpers import complete, deploy, only_task, start
from tests.web.pages import in_english, login, make_user
from web.history_view import value_text


@pytest.fixture
def instance_id(app, svc, clock):
    deploy(svc, clock, "form_task.bpmn")
    started = start(svc, clock, "form_task", {"enterprise": "某食品公司", "urgent": True}, business_key="case:7")
    notice = only_task(svc, started.id, "GiveNotice")
    complete(svc, clock, notice.id, {"notice_date": "2026-10-08", "method": "电话", "inspectors": "2",
                                     "exempt": "false", "items": ["消防"], "note": "请法人在场"})
    make_user(app, "admin", "administrator", agency=None)
    return started.id


@pytest.fixture
def client(app):
    return app.test_client()


def audit_rows(page: str) -> list[str]:
    return page[page.index("审计记录" if "审计记录" in page else "Audit trail"):].split("<tr>")[2:]


def test_the_audit_trail_names_the_step_and_labels_what_was_recorded(client, instance_id):
    login(client, "admin")
    page = client.get(f"/supervise/instances/{instance_id}").get_data(as_text=True)
    started, completed = audit_rows(page)
    assert "流程启动" in started and "v1" in started and "case:7" in started  # an unknown kind of key, as it is
    assert re.search(r"<dt>企业</dt><dd>某食品公司</dd>", started)
    assert re.search(r"<dt>紧急检查</dt><dd>是</dd>", started)
    assert "提交办理" in completed and "送达检查预告" in completed
    for label, value in (("告知日期", "2026-10-08"), ("告知方式", "电话"), ("备注", "请法人在场")):
        assert f"<dt>{label}</dt><dd>{value}</dd>" in completed
    trail = "".join(audit_rows(page))
    assert "{" not in trail and "&#34;" not in trail and "\\u" not in trail  # no JSON, no escapes
    assert "已办理" in page and "待办理" in page and "办理中" in page  # states in words, not open/completed


def test_the_instance_page_in_english(client, instance_id):
    login(client, "admin")
    page = in_english(client).get(f"/supervise/instances/{instance_id}").get_data(as_text=True)
    assert "Audit trail" in page and "Process instance" in page and "running" in page
    assert "Task completed" in page and "Urgent inspection" in page and ">Yes<" in page


def test_claims_and_releases_name_the_person_and_the_step(app, svc, clock, client, instance_id):
    inspect = only_task(svc, instance_id, "Inspect")
    with svc.transaction() as session:
        instances.claim_task(session, clock, task_id=inspect.id, actor="zhang")
    with svc.transaction() as session:
        instances.release_task(session, clock, task_id=inspect.id, actor="zhang")
    login(client, "admin")
    claimed, released = audit_rows(client.get(f"/supervise/instances/{instance_id}").get_data(as_text=True))[2:]
    assert "签收任务" in claimed and "现场检查" in claimed and "<dt>签收人</dt><dd>zhang</dd>" in claimed
    assert "放弃签收" in released and "<dt>原签收人</dt><dd>zhang</dd>" in released


def test_values_read_as_words(app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert value_text(None) == value_text([]) == "—"
        assert value_text(False) == "否" and value_text(["消防", "环保"]) == "消防、环保"
        assert value_text("2026-09-30T02:00:00+00:00") == "2026-09-30 10:00"  # a moment, in Asia/Shanghai
        assert value_text("2026-09-30") == "2026-09-30" and value_text(3) == "3"
