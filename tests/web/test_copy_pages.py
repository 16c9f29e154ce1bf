"""抄送 on the pages (issue 12 item 4): the inbox's 抄送 tab lists the cases copied to me, unread until I open one;
the copied case opens read-only (no form; a comment box on its open step; its diagram); another agency's or
county's user sees nothing of it. The case: tests.engine.copy_fixtures."""

from __future__ import annotations

import pytest

from tests.engine.copy_fixtures import build_copy_case, send_draft
from tests.web.pages import in_english, leftover_chinese, login


@pytest.fixture
def case(svc, clock):
    return build_copy_case(svc, clock)


def client_of(app, username: str):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def test_the_tab_lists_the_copied_case_unread_until_it_is_opened(app, svc, case):
    approve = send_draft(svc, case)
    sup = client_of(app, "sup")
    tab = sup.get("/inbox?tab=copied").get_data(as_text=True)
    assert f'href="/copies/{case.instance_id}"' in tab
    assert "「拟定方案」（li）" in tab and "当前环节：负责人审批" in tab
    assert 'class="unread-mark"' in tab and 'class="unread-count"' in tab
    page = sup.get(f"/copies/{case.instance_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "「拟定方案」抄送（li" in html and "只读" in html
    assert "拟于10月20日现场检查" in html  # the timeline shows the sending step's opinion
    assert f'action="/tasks/{approve}"' not in html and 'name="approved"' not in html  # no form to work
    assert f'action="/tasks/{approve}/comments"' in html
    assert f'/copies/{case.instance_id}/diagram.bpmn' in html
    again = sup.get("/inbox?tab=copied").get_data(as_text=True)
    assert 'class="unread-mark"' not in again and 'class="unread-count"' not in again
    assert sup.get(f"/copies/{case.instance_id}/diagram.bpmn").status_code == 200


def test_the_head_of_the_agency_receives_it_and_the_staff_who_sent_it_does_not(app, svc, case):
    send_draft(svc, case)
    head = client_of(app, "head").get("/inbox?tab=copied").get_data(as_text=True)
    assert f'href="/copies/{case.instance_id}"' in head
    li = client_of(app, "li").get("/inbox?tab=copied").get_data(as_text=True)
    assert "还没有抄送给您的案件。" in li


@pytest.mark.parametrize("who", ["wang", "sup2", "office"])
def test_a_user_it_was_not_copied_to_sees_nothing_of_it(app, svc, case, who):
    send_draft(svc, case)
    client = client_of(app, who)
    assert "还没有抄送给您的案件。" in client.get("/inbox?tab=copied").get_data(as_text=True)
    assert client.get(f"/copies/{case.instance_id}").status_code == 403
    assert client.get(f"/copies/{case.instance_id}/diagram.bpmn").status_code == 403


def test_a_missing_case_is_not_found(app, svc, case):
    send_draft(svc, case)
    assert client_of(app, "sup").get("/copies/999999").status_code == 404


def test_the_tab_and_the_copied_case_read_in_english(app, svc, case):
    send_draft(svc, case)
    sup = in_english(client_of(app, "sup"))
    tab = sup.get("/inbox?tab=copied").get_data(as_text=True)
    page = sup.get(f"/copies/{case.instance_id}").get_data(as_text=True)
    domain = ("拟定方案", "负责人审批", "报批抄送", "执法人员", "单位负责人", "拟于10月20日现场检查", "检查日期",
              "办理意见", "示范县", "司法局")
    assert "Cc" in tab and leftover_chinese(tab, *domain) == []
    assert leftover_chinese(page, *domain) == []
