"""Background jobs on the pages: the supervisor's statistics export as a job, the job page (progress bar,
refresh while running, download or error when done) and who may see it."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest

from engine.background.jobs import INTERRUPTED, Outcome
from engine.models import BackgroundJob
from tests.factories import make_agency, make_inspection, make_jurisdiction
from tests.web.pages import login, make_user, token_of
from web import jobs
from web.services import services

ROLES_ALLOWED = ("supervisor", "county_office", "administrator")
ROLES_REFUSED = ("staff", "agency_head", "process_owner")
REFRESH = '<meta http-equiv="refresh" content="1">'


@pytest.fixture
def county(app):
    with app.app_context(), services().transaction() as session:
        jurisdiction = make_jurisdiction(session, code="331125")
        for code in ("SCJG", "STHJ"):
            agency = make_agency(session, jurisdiction=jurisdiction, code=code)
            make_inspection(session, agency=agency)
    for role in (*ROLES_ALLOWED, *ROLES_REFUSED):
        make_user(app, role, role, agency="SCJG", jurisdiction="331125")
    make_user(app, "supervisor2", "supervisor", agency=None, jurisdiction="331125")


@pytest.fixture
def client(app, county):
    jobs.run_jobs_inline(app)
    return app.test_client()


def export(client, year="2026"):
    token = token_of(client.get("/login").get_data(as_text=True))
    return client.post("/jobs/statistics-export", data={"csrf_token": token, "year": year})


def stored(app, job_id: int) -> BackgroundJob:
    with app.app_context(), services().sessions() as session:
        return session.get(BackgroundJob, job_id)


@pytest.mark.parametrize("role", ROLES_ALLOWED)
def test_the_export_runs_as_a_job_and_offers_the_same_csv_as_the_direct_download(app, client, role):
    login(client, role)
    response = export(client)
    assert response.status_code == 303
    job_id = int(re.fullmatch(r"/jobs/(\d+)", response.location).group(1))
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "导出 2026 年统计 CSV" in page and "已经完成" in page and REFRESH not in page
    assert '<progress max="6" value="6">' in page and "2026 年统计已生成：2 个单位" in page
    download = client.get(f"/jobs/{job_id}/download")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert download.headers["Content-Disposition"] == "attachment; filename=inspections-2026.csv"
    direct = client.get("/supervise/statistics.csv?year=2026")
    assert download.get_data() == direct.get_data()
    job = stored(app, job_id)
    assert (job.kind, job.created_by, job.params) == ("statistics_csv", role, {"year": 2026, "jurisdiction": "331125",
                                                                               "language": "zh_CN"})


@pytest.mark.parametrize("role", ROLES_REFUSED)
def test_other_roles_may_not_export(client, role):
    login(client, role)
    assert export(client).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    assert client.get("/jobs/1").status_code == 302
    assert export(client).status_code == 302


@pytest.mark.parametrize("year", ["", "abc", "1999", "2101"])
def test_a_bad_year_is_named(client, year):
    login(client, "supervisor")
    response = export(client, year)
    assert response.status_code == 400 and "年份无效" in response.get_data(as_text=True)


def test_only_the_creator_and_administrators_see_a_job(client):
    login(client, "supervisor")
    job_url = export(client).location
    assert client.get(job_url).status_code == 200
    login(client, "supervisor2")
    for url in (job_url, job_url + "/download"):
        response = client.get(url)
        assert response.status_code == 403 and "只有发起任务的人和系统管理员" in response.get_data(as_text=True)
    login(client, "administrator")
    assert client.get(job_url).status_code == 200 and client.get(job_url + "/download").status_code == 200
    assert client.get("/jobs/999999").status_code == 404
    assert client.get("/jobs/999999/download").status_code == 404


def test_the_page_refreshes_itself_while_the_job_runs_and_then_shows_the_outcome(app, client, monkeypatch):
    """The app's own worker thread (as `serve` runs it): the page is read while the job waits halfway (on an event,
    not a sleep)."""
    reported, release = threading.Event(), threading.Event()

    def body(claim, report):
        report(2, 6, "统计逾期环节")
        reported.set()
        assert release.wait(30)
        return Outcome("link", "/supervise", summary="完成了")

    monkeypatch.setitem(jobs.BODIES, "test_wait", body)
    app.config["JOBS_INLINE"] = False
    worker = jobs.start_worker(app)
    login(client, "supervisor")
    with app.test_request_context():
        job_id = jobs.submit("test_wait", {"year": 2026}, created_by="supervisor")
    try:
        assert reported.wait(30)
        page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
        assert REFRESH in page and "正在进行" in page and '<progress max="6" value="2">' in page
        assert "统计逾期环节" in page and "2 / 6" in page
    finally:
        release.set()
        worker.stop(wait=True)  # after the running job ends
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert REFRESH not in page and "完成了" in page and '<a href="/supervise">查看结果</a>' in page
    assert client.get(f"/jobs/{job_id}/download").status_code == 404  # a link, not a file


def test_a_queued_job_refreshes_and_an_interrupted_one_says_so(app, client):
    login(client, "supervisor")
    with app.app_context(), services().transaction() as session:
        common = {"kind": "statistics_csv", "params": {"year": 2026}, "created_by": "supervisor",
                  "created_at": services().clock().now()}
        queued = BackgroundJob(**common, status="queued", done=0, total=0, step="")
        lost = BackgroundJob(**common, status="failed", done=3, total=6,
                             step="统计投诉及其结果", error=INTERRUPTED,
                             finished_at=common["created_at"])
        session.add_all([queued, lost])
        session.flush()
        queued_id, lost_id = queued.id, lost.id
    page = client.get(f"/jobs/{queued_id}").get_data(as_text=True)
    assert REFRESH in page and "排队等待" in page and "等待开始" in page and "<progress></progress>" in page
    page = client.get(f"/jobs/{lost_id}").get_data(as_text=True)
    assert REFRESH not in page and "执行失败" in page and INTERRUPTED in page and "统计投诉及其结果" in page
    english = client.get(f"/jobs/{lost_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Interrupted by a restart of the service" in english


def test_a_failed_export_shows_the_reason_and_no_download(app, client, monkeypatch):
    from engine.domain import statistics

    def broken(*args, **kwargs):
        raise RuntimeError("connection reset while reading agency")

    monkeypatch.setattr(statistics, "annual_statistics", broken)
    login(client, "supervisor")
    job_url = export(client).location
    page = client.get(job_url).get_data(as_text=True)
    assert "执行失败" in page and "任务出错，已记录" in page and "connection reset" not in page
    assert client.get(job_url + "/download").status_code == 404


def test_the_dashboard_offers_the_export(client):
    login(client, "supervisor")
    page = client.get("/supervise?year=2026").get_data(as_text=True)
    assert 'action="/jobs/statistics-export"' in page and "导出统计 CSV" in page


def test_a_job_whose_worker_died_is_run_again_by_the_next_worker(app, county, clock):
    """Not failed because its host is unknown: once its lease has run out, the next worker claims and finishes it."""
    lapsed = datetime.now(UTC) - timedelta(seconds=1)
    with app.app_context(), services().transaction() as session:
        session.add(BackgroundJob(kind="statistics_csv", params={"year": 2026, "jurisdiction": "331125"},
                                  status="running", done=1, total=6, step="统计检查记录", created_by="supervisor",
                                  claimed_by="another-host:1:gone", lease_until=lapsed, attempts=1,
                                  created_at=clock.now()))
    assert app.extensions[jobs.EXTENSION].run_pending() == 1
    job = stored(app, 1)
    assert (job.status, job.error, job.attempts, job.result_name) == ("done", None, 2, "inspections-2026.csv")
    assert job.claimed_by == app.extensions[jobs.EXTENSION].token


def test_steps_are_written_in_the_language_of_the_person_who_asked(client):
    login(client, "supervisor")
    token = token_of(client.get("/login").get_data(as_text=True))
    english = {"Accept-Language": "en"}
    job_url = client.post("/jobs/statistics-export", data={"csrf_token": token, "year": "2026"},
                          headers=english).location
    page = client.get(job_url, headers=english).get_data(as_text=True)
    assert "Export the 2026 statistics as CSV" in page and "Statistics for 2026 ready: 2 agencies" in page
    assert "Download inspections-2026.csv" in page and "Done" in page


def test_the_job_list_shows_my_jobs_and_an_administrator_everyones(client):
    login(client, "supervisor")
    mine = export(client, "2026").location
    login(client, "supervisor2")
    assert "还没有后台任务" in client.get("/jobs").get_data(as_text=True)
    others = export(client, "2025").location
    page = client.get("/jobs").get_data(as_text=True)
    assert f'href="{others}"' in page and f'href="{mine}"' not in page and "导出 2025 年统计 CSV" in page
    assert "已经完成" in page
    login(client, "administrator")
    page = client.get("/jobs").get_data(as_text=True)
    assert page.index(f'href="{others}"') < page.index(f'href="{mine}"')  # newest first
