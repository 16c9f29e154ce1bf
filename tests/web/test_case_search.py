"""已办 / 我发起 tabs and 案件查询 (issue 12 item 4): each user's own work with where its case stands now, and the
case search scoped like the inbox (engine.identity.access: staff and heads their agency, supervisors their
jurisdiction), each case showing the timer it waits on and when that fires (Asia/Shanghai)."""

from __future__ import annotations

import re

import pytest

from engine.models import Jurisdiction
from tests.engine.helpers import deploy, only_task, start
from tests.web.pages import in_english, leftover_chinese, login, login_demo, make_user, token_of


@pytest.fixture
def client(app):
    return app.test_client()


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_done_and_started_tabs_show_each_users_own_work_and_where_the_case_is_now(app, svc, clock, client):
    make_user(app, "li", "staff")
    make_user(app, "head", "agency_head")
    deploy(svc, clock, "inbox_task.bpmn")
    data = {"agency": "SCJG", "inspection_date": "2026-09-30"}
    mine = start(svc, clock, "inbox_task", data, actor="li", business_key="enterprise:91331125MA2E000001")
    theirs = start(svc, clock, "inbox_task", data, actor="head", business_key="enterprise:91331125MA2E000002")
    login(client, "li")
    notify = only_task(svc, mine.id, "Notify")
    token = token_of(client.get("/inbox").get_data(as_text=True))
    done = client.post(f"/tasks/{notify.id}", data={"csrf_token": token, "notice_date": "2026-09-20",
                                                     "method": "书面"})
    assert done.status_code == 302

    page = _text(client.get("/inbox?tab=done"))
    assert f'href="/tasks/{notify.id}"' in page and "送达检查预告" in page
    assert "当前环节：现场检查" in page and "办理中" in page  # where the case went after my step
    assert "/tasks/" + only_task(svc, theirs.id, "Notify").id not in page
    assert client.get(f"/tasks/{notify.id}").status_code == 200  # my done step still opens, read-only
    started = _text(client.get("/inbox?tab=started"))
    assert started.count("当前环节：") == 1 and "当前环节：现场检查" in started  # mine only, not the head's
    assert "等待定时" not in started  # the notice step's timer ended with the step

    login(client, "head")
    assert "送达检查预告" not in _text(client.get("/inbox?tab=done"))
    started = _text(client.get("/inbox?tab=started"))
    # Still at the notice step, whose timer the diagram leaves unnamed: its id is shown, with the moment it fires.
    assert "当前环节：送达检查预告" in started and "等待定时：NoticeDue，2026-10-13" in started
    waiting = only_task(svc, theirs.id, "Notify").id  # in the head's lanes: linked to be worked
    assert f'<a href="/tasks/{waiting}">当前环节：送达检查预告</a>' in started
    inspect = only_task(svc, mine.id, "Inspect")  # the head works the inspectors' lane too (engine.identity.access)
    token = token_of(client.get("/inbox").get_data(as_text=True))
    assert client.post(f"/tasks/{inspect.id}", data={"csrf_token": token}).status_code == 302
    page = _text(client.get("/inbox?tab=done"))
    assert "现场检查" in page and "已结束" in page and "当前环节" not in page
    todo = _text(client.get("/inbox"))
    assert 'aria-current="page">待办' in todo and 'href="/inbox?tab=done"' in todo and 'href="/cases"' in todo


@pytest.fixture
def other_county(app, svc):
    with svc.transaction() as session:
        session.add(Jurisdiction(code="331199", name="邻县", level="county"))
    make_user(app, "sup2", "supervisor", agency=None, jurisdiction="邻县")
    make_user(app, "xf", "staff", agency="XFJY")


def test_a_supervisor_finds_a_case_by_part_of_the_enterprise_name_within_the_jurisdiction(app, client, demo,
                                                                                           other_county):
    login_demo(client, "supervisor")
    page = _text(client.get("/cases?enterprise=宏达餐饮"))
    assert "示范县宏达餐饮有限公司（003）" in page and "补办审批赋码" in page
    assert "当前环节：补办审批" in page and "找到 1 件案件" in page
    assert 'href="/supervise/instances/' in page
    # The same by the credit code, and nothing for a name nobody has.
    assert "示范县宏达餐饮有限公司（003）" in _text(client.get("/cases?enterprise=91331125007000003h"))
    assert "没有符合条件的案件" in _text(client.get("/cases?enterprise=不存在的企业"))
    login_demo(client, "staff")  # the case's agency (市场监管局) is the staff member's own
    assert "示范县宏达餐饮有限公司（003）" in _text(client.get("/cases?enterprise=宏达餐饮"))
    # The head's approval is not in the inspector's lane: shown, not linked; the head gets the link.
    assert "当前环节：补办审批</a>" not in _text(client.get("/cases?enterprise=宏达餐饮"))
    login_demo(client, "head")
    assert "当前环节：补办审批</a>" in _text(client.get("/cases?enterprise=宏达餐饮"))
    for outsider in ("sup2", "xf"):  # another county's supervisor, another agency's inspector
        login(client, outsider)
        page = _text(client.get("/cases?enterprise=宏达餐饮"))
        assert "宏达餐饮" not in page.replace('value="宏达餐饮"', "") and "没有符合条件的案件" in page, outsider


def test_a_case_waiting_on_a_timer_shows_the_timer_and_when_it_fires(app, client, demo):
    login_demo(client, "supervisor")
    page = _text(client.get("/cases?enterprise=宏达餐饮"))
    # Deadline row Timer_retro_deadline at 2026-09-30 15:59:59 UTC: the diagram names it 补办期限届满 (R7).
    assert "等待定时：补办期限届满，2026-09-30 23:59 到点" in page
    # A called or own timer sharing an id with another diagram takes its own diagram's name.
    page = _text(client.get("/cases?enterprise=山海餐饮"))
    assert "等待定时：督办期限（回访期限届满后起算）届满" in page


def test_the_search_filters_by_key_procedure_agency_state_and_start_day(app, client, demo):
    login_demo(client, "supervisor")

    def found(query: str) -> int:
        page = _text(client.get(f"/cases?{query}"))
        match = re.search(r"找到 (\d+) 件案件", page)
        return int(match.group(1)) if match else 0

    assert found("") == 10  # no filter: every case in the county, newest first
    assert found("key=TS-") == 2 and found("key=complaint") == 2
    assert found("process=penalty_revisit") == 2
    assert found("process=penalty_revisit&agency=STHJ") == 1
    assert found("state=running") == 10 and found("state=completed") == 0
    assert found("from=2026-01-01&to=2026-12-31") == 10 and found("from=2027-01-01") == 0
    page = _text(client.get("/cases?from=yesterday"))
    assert "日期格式应为" in page and "找到 10 件案件" in page


def test_the_instance_diagram_marks_the_timer_the_case_waits_on_with_when_it_fires(app, client, demo):
    login_demo(client, "supervisor")
    page = _text(client.get("/cases?enterprise=宏达餐饮"))
    instance = re.search(r'href="/supervise/instances/(\d+)"', page).group(1)
    viewer = _text(client.get(f"/supervise/instances/{instance}"))
    timers = re.search(r'data-timers="([^"]*)"', viewer).group(1).replace("&#34;", '"')
    # The head's approval is open, so the boundary timer on it is waiting (R7: 补办 within 1 working day).
    assert timers == '{"Timer_retro_deadline": "2026-09-30 23:59"}'
    assert "等待中的定时" in viewer  # the legend names the mark


def test_the_search_and_the_tabs_in_english(app, client, demo):
    login_demo(client, "supervisor")
    in_english(client)
    page = _text(client.get("/cases?enterprise=宏达餐饮"))
    assert "Case search" in page and "Found 1 case." in page and "Waiting on timer: 补办期限届满, fires" in page
    names = ("示范县宏达餐饮有限公司（003）", "宏达餐饮", "补办审批", "补办期限届满", "单位负责人",
             "司法局监督员", "司法局")
    agencies = re.findall(r'<option value="[A-Z]+" >([^<]+)</option>', page)
    assert leftover_chinese(page, *names, *agencies) == []
    tabs = _text(client.get("/inbox?tab=done"))
    assert "Started by me" in tabs and "You have not done any task yet." in tabs


def test_the_supervision_page_leads_to_the_case_search(app, client, demo):
    login_demo(client, "admin")  # administrators have no inbox tabs: the supervision page links the search
    page = _text(client.get("/supervise"))
    assert 'href="/cases"' in page
    assert "示范县宏达餐饮有限公司（003）" in _text(client.get("/cases?enterprise=宏达"))
