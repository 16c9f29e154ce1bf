"""Loading the demo: `inspectflow load-demo` (the shipped diagrams, the demo county and the logins, loaded
once, with progress lines on stderr) and the administrator's 载入演示数据 action, a background job."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from engine.models import Agency, BackgroundJob, Enterprise, Inspection, Inspector, PolicyDecision, User
from tests.factories import make_jurisdiction
from tests.web.pages import login, make_user, token_of
from web import demo, jobs
from web.services import services

STEPS = ["[0/9] 部署流程图 advance_notice.bpmn", "[1/9] 部署流程图 code_retroactive.bpmn",
         "[2/9] 部署流程图 complaint_correction.bpmn", "[3/9] 部署流程图 inspection_lifecycle.bpmn",
         "[4/9] 部署流程图 penalty_revisit.bpmn", "[5/9] 部署流程图 quiet_period_override.bpmn",
         "[6/9] 载入示范县的单位、执法人员、企业和一年的检查记录", "[7/9] 启动各流程的演示实例", "[8/9] 创建演示账号",
         "[9/9] 演示数据已载入"]


def counts(app) -> dict:
    with app.app_context(), services().sessions() as session:
        return {model.__name__: session.scalar(select(func.count()).select_from(model))
                for model in (Agency, Inspector, Enterprise, Inspection, PolicyDecision, User)}


def test_load_demo_builds_the_county_once(app, runner):
    result = runner.invoke(args=["load-demo", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)  # progress goes to stderr: stdout stays one JSON document
    assert result.stderr.splitlines() == STEPS
    assert document["records"]["agencies"] == 8 and document["records"]["enterprises"] == 200
    assert {login["role"] for login in document["logins"]} == {"administrator", "process_owner", "staff",
                                                               "agency_head", "county_office", "supervisor"}
    first = counts(app)
    # 40 inspectors (one of them a grid worker) and two 辅助人员 per agency, one named on SCJG's first plan.
    assert first["Agency"] == 8 and first["Inspector"] == 40 + 16 and first["Enterprise"] == 200
    with app.app_context(), services().sessions() as session:
        assisted = [i for i in session.scalars(select(Inspection).where(Inspection.created_by == "load-demo"))
                    if i.assistants]
        assert {(i.agency.code, i.status, i.assistants[0].name) for i in assisted} == {
            ("SCJG", "planned", "钱小军"), ("SCJG", "approved", "钱小军")}
    assert first["Inspection"] > 200 and first["PolicyDecision"] >= 2  # the logged cap overrides

    again = runner.invoke(args=["load-demo"])
    assert again.exit_code == 0 and "already loaded" in again.stdout and again.stderr.splitlines() == STEPS
    assert counts(app) == first


def test_demo_work_has_open_tasks_in_every_procedure_some_overdue(app, runner):
    from engine.models import TaskRecord

    result = runner.invoke(args=["load-demo", "--json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["instances_started"]) == 10
    with app.app_context(), services().sessions() as session:
        open_tasks = list(session.scalars(select(TaskRecord).where(TaskRecord.state == "open")))
        now = services().clock().now()
    assert {t.process_key for t in open_tasks} == {"inspection_lifecycle", "code_retroactive", "advance_notice",
                                                   "quiet_period_override", "penalty_revisit",
                                                   "complaint_correction"}
    escalations = [t for t in open_tasks if t.candidate_group == "司法局"]
    assert len(escalations) >= 3  # the unapproved urgent inspection, the late revisit, the unaccepted complaint
    assert any(t.due_at is not None and t.due_at < now for t in open_tasks)
    # A second load starts nothing more.
    again = json.loads(runner.invoke(args=["load-demo", "--json"]).stdout)
    assert again["instances_started"] == []


@pytest.fixture
def admin_client(app):
    jobs.run_jobs_inline(app)
    make_user(app, "root", "administrator", agency=None)
    client = app.test_client()
    login(client, "root")
    return client


def post_demo(client):
    return client.post("/admin/demo", data={"csrf_token": token_of(client.get("/admin/demo").get_data(as_text=True))})


def job_rows(app) -> list[BackgroundJob]:
    with app.app_context(), services().sessions() as session:
        return list(session.scalars(select(BackgroundJob).order_by(BackgroundJob.id)))


def test_an_administrator_loads_the_demo_as_a_job_and_then_may_not_load_it_again(app, admin_client, monkeypatch):
    page = admin_client.get("/admin/demo").get_data(as_text=True)
    assert "载入演示数据" in page and '<button type="submit">' in page
    response = post_demo(admin_client)
    assert response.status_code == 303
    job_page = admin_client.get(response.location).get_data(as_text=True)
    assert "已经完成" in job_page and '<progress max="9" value="9">' in job_page
    assert "已载入示范县：8 个单位、200 家企业" in job_page and "启动 10 个流程实例" in job_page
    assert '<a href="/supervise">查看结果</a>' in job_page
    loaded = counts(app)
    assert loaded["Agency"] == 8 and loaded["Enterprise"] == 200 and loaded["User"] == 7  # root + 6 demo logins
    (job,) = job_rows(app)
    assert (job.kind, job.status, job.created_by, job.step.startswith("已载入示范县")) == ("load_demo", "done",
                                                                                         "root", True)

    page = admin_client.get("/admin/demo")
    assert page.status_code == 200 and "演示数据已经载入，无需再次载入。" in page.get_data(as_text=True)
    assert '<button type="submit">载入演示数据' not in page.get_data(as_text=True)
    refused = post_demo(admin_client)
    assert refused.status_code == 409 and "演示数据已经载入" in refused.get_data(as_text=True)
    assert len(job_rows(app)) == 1 and counts(app) == loaded

    # Two administrators at once: the second passed the page's check before the first load committed.
    checks = iter([None])
    real_refusal = demo.refusal
    monkeypatch.setattr(demo, "refusal", lambda session: next(checks, real_refusal(session)))
    raced = admin_client.post("/admin/demo", data={"csrf_token": token_of(page.get_data(as_text=True))})
    failed = admin_client.get(raced.location).get_data(as_text=True)
    assert "执行失败" in failed and "演示数据已经载入，无需再次载入。" in failed
    assert counts(app) == loaded


def test_the_demo_is_refused_where_real_records_exist(app, admin_client):
    with app.app_context(), services().transaction() as session:
        make_jurisdiction(session, code="411200", name="开封市")
    page = admin_client.get("/admin/demo").get_data(as_text=True)
    assert "数据库中已有非演示数据（辖区记录）" in page
    refused = post_demo(admin_client)
    assert refused.status_code == 409 and "非演示数据" in refused.get_data(as_text=True)
    assert job_rows(app) == [] and counts(app)["Agency"] == 0


@pytest.mark.parametrize("role", ["process_owner", "staff", "agency_head", "county_office", "supervisor"])
def test_only_administrators_load_the_demo(app, role):
    make_user(app, role, role)
    client = app.test_client()
    assert client.get("/admin/demo").status_code == 302  # not logged in: to the login page
    login(client, role)
    assert client.get("/admin/demo").status_code == 403
    token = token_of(client.get("/login").get_data(as_text=True))
    assert client.post("/admin/demo", data={"csrf_token": token}).status_code == 403
    assert job_rows(app) == []


def test_the_policy_page_links_to_the_demo_action(app, admin_client):
    with app.app_context(), services().transaction() as session:
        make_jurisdiction(session, code="331125")
    page = admin_client.get("/admin/policy").get_data(as_text=True)
    assert re.search(r'href="/admin/demo"', page)


def test_the_demo_revisits_work_on_a_penalty_on_record(app, runner):
    # Issue 11 defect 6: a revisit writes its rounds on the penalty it follows (R25), so the demo's revisits
    # start from a penalty decided on an inspection, not from a decision number alone.
    from engine.models import Penalty, Revisit, TaskRecord
    from tests.engine.helpers import complete

    assert runner.invoke(args=["load-demo"]).exit_code == 0
    svc = app.extensions["inspectflow"]
    with svc.sessions() as session:
        revisit = session.scalars(select(TaskRecord).where(TaskRecord.element_id == "Task_revisit",
                                                           TaskRecord.state == "open")).first()
        assert revisit is not None
        penalties = {p.decision_number: p.inspection.status for p in session.scalars(select(Penalty))}
    assert penalties["示市监罚〔2026〕56号"] == penalties["示环罚〔2026〕12号"] == "closed"
    complete(svc, svc.clock(), revisit.id, {"revisit_date": "2026-10-15", "revisit_method": "电话回访",
                                            "revisit_findings": "已整改", "rectification_needed": False})
    with svc.sessions() as session:
        (round_one,) = session.scalars(select(Revisit)).all()
        assert (round_one.round, round_one.result, round_one.penalty.status) == (1, "passed", "closed")
