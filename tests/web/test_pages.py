"""The staff pages: login (with throttling), the inbox scoped by role and agency, claiming, and the task form
rendered from the diagram with server-side errors, stale completions and CSRF."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

import pytest

from tests.engine.helpers import deploy, only_task, start
from tests.web.pages import PASSWORD, login, make_user, open_notice_task, token_of


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def notice_task(app, svc, clock):
    return open_notice_task(svc, clock)


def test_login_and_logout(app, client):
    make_user(app, "li", "staff")
    assert client.get("/inbox").status_code == 302
    assert login(client, "li", "wrong").status_code == 401
    response = login(client, "li")
    assert response.status_code == 302 and response.headers["Location"].endswith("/inbox")
    inbox = client.get("/inbox")
    assert inbox.status_code == 200 and "待办任务" in inbox.get_data(as_text=True)
    client.post("/logout", data={"csrf_token": token_of(inbox.get_data(as_text=True))})
    assert client.get("/inbox").status_code == 302


def test_repeated_failed_logins_are_throttled(app, client):
    make_user(app, "li", "staff")
    for _ in range(5):
        assert login(client, "li", "wrong").status_code == 401
    blocked = login(client, "li")
    assert blocked.status_code == 429 and "登录失败次数过多" in blocked.get_data(as_text=True)


def test_the_throttle_outlives_a_restart_and_lifts_after_ten_minutes(app, client, database_url, clock):
    from web import create_app

    make_user(app, "li", "staff")
    for _ in range(5):
        login(client, "li", "wrong")
    restarted = create_app({"DATABASE_URL": database_url, "CLOCK_FACTORY": lambda: clock, "TESTING": True,
                            "SECRET_KEY": "test"})  # another web process, or the same one after a restart
    try:
        assert login(restarted.test_client(), "li").status_code == 429
        clock.advance(timedelta(minutes=10))
        assert login(restarted.test_client(), "li").status_code == 302
    finally:
        restarted.extensions["inspectflow"].engine.dispose()


@pytest.mark.parametrize("target, lands_on", [
    ("/supervise", "/supervise"), ("//evil.example/x", "/inbox"), ("/\\evil.example", "/inbox"),
    ("https://evil.example/", "/inbox"),
])
def test_after_login_only_a_path_on_this_site_is_followed(app, client, target, lands_on):
    make_user(app, "li", "staff")
    page = client.get("/login")
    response = client.post(f"/login?next={quote(target)}", data={
        "username": "li", "password": PASSWORD, "csrf_token": token_of(page.get_data(as_text=True))})
    assert response.status_code == 302 and response.headers["Location"] == lands_on


def test_a_post_without_the_csrf_token_is_refused(app, client):
    make_user(app, "li", "staff")
    response = client.post("/login", data={"username": "li", "password": PASSWORD})
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)


def test_the_inbox_shows_my_agencys_tasks_in_my_lane_with_working_days_left(app, client, notice_task):
    make_user(app, "li", "staff")
    make_user(app, "wang", "staff", agency="XFJY")
    make_user(app, "zhao", "supervisor", agency=None)
    login(client, "li")
    page = client.get("/inbox?q=91331125MA2E000001").get_data(as_text=True)
    # Due at the end of 2026-10-13, seen on 2026-09-30: Oct 8, 9, 10 (make-up Saturday), 12 and 13.
    assert "送达检查预告" in page and "还剩 5 个工作日" in page
    assert "送达检查预告" not in client.get("/inbox?q=nothing-like-this").get_data(as_text=True)
    login(client, "wang")
    assert "送达检查预告" not in client.get("/inbox").get_data(as_text=True)
    assert client.get(f"/tasks/{notice_task.id}").status_code == 403
    login(client, "zhao")
    assert "送达检查预告" not in client.get("/inbox").get_data(as_text=True)  # another lane


def test_claiming_keeps_the_task_to_me(app, client, notice_task):
    make_user(app, "li", "staff")
    make_user(app, "chen", "staff")
    login(client, "li")
    token = token_of(client.get("/inbox").get_data(as_text=True))
    client.post(f"/tasks/{notice_task.id}/claim", data={"csrf_token": token})
    assert "放弃签收" in client.get("/inbox?mine=1").get_data(as_text=True)
    login(client, "chen")
    assert "送达检查预告" not in client.get("/inbox").get_data(as_text=True)


def test_the_form_from_the_diagram_with_errors_stale_and_done(app, client, notice_task):
    make_user(app, "li", "staff")
    login(client, "li")
    page = client.get(f"/tasks/{notice_task.id}").get_data(as_text=True)
    assert 'name="notice_date"' in page and "告知方式" in page and "还剩 5 个工作日" in page
    token = token_of(page)
    bad = client.post(f"/tasks/{notice_task.id}", data={"csrf_token": token, "notice_date": "",
                                                        "method": "电话", "note": "电话通知法定代表人"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "有 1 处需要修改" in text and "电话通知法定代表人" in text
    assert re.search(r'name="notice_date"[^>]*>\s*<div class="error">必填</div>', text)
    assert "is required" not in text  # the engine's English stays for the API
    wrong = client.post(f"/tasks/{notice_task.id}", data={"csrf_token": token, "notice_date": "2026-02-30",
                                                          "method": "传真", "note": ""})
    text = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and "有 2 处需要修改" in text
    assert "请填写日期，格式 YYYY-MM-DD（收到：2026-02-30）" in text and "请从这些选项中选择：书面、电话" in text
    done = client.post(f"/tasks/{notice_task.id}", data={"csrf_token": token, "notice_date": "2026-09-30",
                                                         "method": "电话", "note": ""})
    assert done.status_code == 302
    stale = client.post(f"/tasks/{notice_task.id}", data={"csrf_token": token, "notice_date": "2026-09-30",
                                                          "method": "书面", "note": "第二次"})
    text = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "已由他人办理（li）" in text and "第二次" in text


def test_a_task_someone_else_claimed_is_refused_in_words_keeping_what_was_typed(app, svc, clock, client,
                                                                              notice_task):
    make_user(app, "li", "staff")
    make_user(app, "wang", "staff")
    login(client, "li")
    page = client.get(f"/tasks/{notice_task.id}").get_data(as_text=True)
    client.post(f"/tasks/{notice_task.id}/claim", data={"csrf_token": token_of(page)})
    login(client, "wang")
    token = token_of(client.get("/inbox").get_data(as_text=True))
    claim = client.post(f"/tasks/{notice_task.id}/claim", data={"csrf_token": token}, follow_redirects=True)
    assert "「送达检查预告」已被 li 签收，只有签收人可以办理。" in claim.get_data(as_text=True)
    response = client.post(f"/tasks/{notice_task.id}", data={"csrf_token": token, "notice_date": "2026-10-08",
                                                              "method": "书面", "note": "王某的记录"})
    text = response.get_data(as_text=True)
    assert response.status_code == 409 and "「送达检查预告」已被 li 签收，只有签收人可以办理。" in text
    assert "王某的记录" in text and "claimed by" not in text
    released = client.post(f"/tasks/{notice_task.id}/release", data={"csrf_token": token}, follow_redirects=True)
    assert "「送达检查预告」不是您签收的，不能放弃签收。" in released.get_data(as_text=True)


def test_errors_are_pages_not_stack_traces(app, client):
    make_user(app, "li", "staff")
    login(client, "li")
    missing = client.get("/tasks/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and "没有这个任务" in missing.get_data(as_text=True)
    assert client.get("/no-such-page").status_code == 404


@pytest.fixture
def world(app, svc, clock):
    """The access world of tests/engine/access_fixtures.py with a login for each of its people."""
    from tests.engine.access_fixtures import PEOPLE, build_world

    built = build_world(svc, clock)
    for username, (role, agency, jurisdiction) in PEOPLE.items():
        make_user(app, username, role, agency=agency, jurisdiction=jurisdiction)
    return built


def test_each_role_finds_in_the_inbox_only_what_it_may_work(app, client, svc, world):
    from tests.engine.access_fixtures import add_task, inspection_task, join

    with svc.transaction() as session:
        add_task(session, world, agency="SCJG", lane="执法人员", name="本局检查")
        add_task(session, world, agency="SCJG", lane="单位负责人", name="局长审批")
        add_task(session, world, agency="SCJG", lane="司法局", name="本县督办")
        add_task(session, world, agency="LXJG", lane="司法局", name="邻县督办")
        add_task(session, world, agency="XFJY", lane="县综合执法办", name="本县备案")
        _, mine = inspection_task(session, world, "SCJG", world.firm, name="联合检查本局环节")
        _, partner = inspection_task(session, world, "XFJY", world.firm, name="联合检查伙伴环节")
        join(session, mine, partner)
    expected = {
        "li": {"本局检查", "联合检查本局环节", "联合检查伙伴环节"},
        "head": {"本局检查", "局长审批", "联合检查本局环节", "联合检查伙伴环节"},
        "wang": {"联合检查本局环节", "联合检查伙伴环节"},
        "zhou": set(),
        "sup": {"本县督办"},
        "sup2": {"邻县督办"},
        "city": {"本县督办", "邻县督办"},
        "office": {"本县备案"},
        "office2": set(),
    }
    every = set().union(*expected.values())
    for username, names in expected.items():
        login(client, username)
        page = client.get("/inbox").get_data(as_text=True)
        assert {n for n in every if f">{n}</a>" in page} == names, username
    for username in ("admin", "owner"):
        login(client, username)
        assert client.get("/inbox").status_code == 403


def test_a_task_outside_the_scope_or_lane_is_a_403_page(app, client, svc, world):
    from tests.engine.access_fixtures import add_task

    with svc.transaction() as session:
        other_agency = add_task(session, world, agency="XFJY", lane="执法人员").id
        other_lane = add_task(session, world, agency="SCJG", lane="司法局").id
        other_county = add_task(session, world, agency="LXJG", lane="司法局").id
    login(client, "li")
    token = token_of(client.get("/inbox").get_data(as_text=True))
    for task_id, words in ((other_agency, "不属于您所在的单位或辖区"), (other_lane, "不在您的岗位")):
        page = client.get(f"/tasks/{task_id}")
        assert page.status_code == 403 and words in page.get_data(as_text=True)
        assert client.post(f"/tasks/{task_id}/claim", data={"csrf_token": token}).status_code == 403
        assert client.post(f"/tasks/{task_id}", data={"csrf_token": token}).status_code == 403
    login(client, "sup")
    token = token_of(client.get("/inbox").get_data(as_text=True))
    assert client.get(f"/tasks/{other_county}").status_code == 403
    assert client.post(f"/tasks/{other_lane}/claim", data={"csrf_token": token}).status_code == 302
    login(client, "sup2")
    assert client.get(f"/tasks/{other_lane}").status_code == 403
    assert client.get("/tasks/00000000-0000-0000-0000-000000000000").status_code == 404


def test_inbox_enterprise_filter_and_search_by_name_or_credit_code(app, client, svc, world):
    from tests.engine.access_fixtures import add_task, inspection_task

    with svc.transaction() as session:
        inspection_task(session, world, "SCJG", world.firm, name="制定检查计划")
        add_task(session, world, agency="SCJG", lane="执法人员", name="送达检查预告",
                 business_key=f"enterprise:{world.firm.credit_code}")
        add_task(session, world, agency="SCJG", lane="执法人员", name="罚后回访", business_key="enterprise:X")
    login(client, "li")
    page = client.get("/inbox").get_data(as_text=True)
    assert page.count("甲食品有限公司</a>") == 2 and f"?enterprise={world.firm.credit_code}" in page

    def names(query: str) -> set[str]:
        text = client.get(f"/inbox?{query}").get_data(as_text=True)
        return {n for n in ("制定检查计划", "送达检查预告", "罚后回访") if f">{n}</a>" in text}

    assert names(f"enterprise={world.firm.credit_code}") == {"制定检查计划", "送达检查预告"}
    assert names("q=甲食品") == {"制定检查计划", "送达检查预告"}
    assert names(f"q={world.firm.credit_code}") == {"制定检查计划", "送达检查预告"}
    assert names("q=回访") == {"罚后回访"}
    assert names("q=甲食品&process=inspection_lifecycle") == {"制定检查计划"}
    assert names("q=乙化工") == set()


def test_the_inbox_in_english(app, client, notice_task):
    make_user(app, "li", "staff")
    login(client, "li")
    client.get("/lang/en")
    page = client.get("/inbox").get_data(as_text=True)
    assert "Tasks to do" in page and "Due this week" in page and "Enterprise" in page


def test_an_overdue_task_is_marked_in_either_language(app, client, notice_task, clock):
    make_user(app, "li", "staff")
    clock.set("2026-10-30T10:00:00+08:00")  # long past the task's working-day deadline
    login(client, "li")
    page = client.get(f"/tasks/{notice_task.id}").get_data(as_text=True)
    assert '<span class="overdue">逾期' in page
    client.get("/lang/en")
    page = client.get(f"/tasks/{notice_task.id}").get_data(as_text=True)
    assert re.search(r'<span class="overdue">\d+ working days? overdue', page)
    assert "Process started" in page  # the audit trail in words, not codes


@pytest.mark.parametrize("referrer, lands_on", [
    ("http://localhost/inbox?overdue=1", "/inbox?overdue=1"), ("http://evil.example/inbox", "/inbox"), (None, "/inbox"),
])
def test_claiming_goes_back_only_to_a_page_of_this_site(app, client, notice_task, referrer, lands_on):
    make_user(app, "li", "staff")
    login(client, "li")
    token = token_of(client.get("/inbox").get_data(as_text=True))
    headers = {"Referer": referrer} if referrer else {}
    response = client.post(f"/tasks/{notice_task.id}/claim", data={"csrf_token": token}, headers=headers)
    assert response.status_code == 302 and response.headers["Location"] == lands_on


def test_each_inbox_row_names_its_procedure_and_what_it_concerns(app, svc, clock, client):
    deploy(svc, clock, "inbox_task.bpmn")
    data = {"agency": "SCJG", "inspection_date": "2026-10-20"}
    by_enterprise = start(svc, clock, "inbox_task", data, business_key="enterprise:91331125MA2E000001")
    by_inspection = start(svc, clock, "inbox_task", data, business_key="inspection:245")
    make_user(app, "li", "staff")
    login(client, "li")
    page = client.get("/inbox").get_data(as_text=True)
    rows = {task_id: row for row in page.split("<tr>")[2:]
            for task_id in re.findall(r'href="/tasks/([\w-]+)"', row)}
    inspection_row = rows[only_task(svc, by_inspection.id, "Notify").id]
    enterprise_row = rows[only_task(svc, by_enterprise.id, "Notify").id]
    assert "预告后检查" in inspection_row and "<small>检查 245</small>" in inspection_row
    assert "预告后检查" in enterprise_row and "企业 " not in enterprise_row  # the enterprise has its own column
