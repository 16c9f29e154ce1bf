"""Long actions as background jobs on the pages: submitting one, its progress page and its outcome.

`init_app` gives the app one `engine.background.jobs.JobRunner` (one worker thread, or the executor in
config["JOB_EXECUTOR"]) and fails the jobs a dead process left behind. `submit` runs a body in the app's
context and in the asking user's language, so step texts are written in it. `/jobs/<id>` shows a
<progress> bar and reloads itself every second while the job runs (a meta refresh: no JavaScript), then
the download, the link or the error; `/jobs` lists the user's recent ones. Only the job's creator and
administrators see a job.

The supervisor's statistics export lives here too: the annual statistics (engine.domain.statistics, as the
direct CSV download) built as a job that reports each part it reads.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, Flask, Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import force_locale, gettext, lazy_gettext
from sqlalchemy.exc import OperationalError

from engine.background import jobs as engine_jobs
from engine.background.jobs import ACTIVE, InlineExecutor, JobRunner, Outcome, Report, job_of, recent_jobs
from engine.domain import statistics
from engine.domain.policy_admin import resolve_jurisdiction
from engine.models import BackgroundJob
from engine.platform.db import has_table
from web.i18n import current_language
from web.labels import statistics_headers
from web.presenters import shanghai
from web.security import current_user, login_required
from web.services import services
from web.supervise import SUPERVISORS

bp = Blueprint("jobs", __name__, url_prefix="/jobs")
log = logging.getLogger(__name__)
EXTENSION = "inspectflow_jobs"

# The engine's own fixed failure texts, in the visitor's language (other errors are the rules' Chinese wording).
ENGINE_MESSAGES = {engine_jobs.INTERRUPTED: lazy_gettext("服务重启，任务中断"),
                   engine_jobs.FAILED_UNEXPECTEDLY: lazy_gettext("任务出错，已记录，请联系管理员。")}
STATUS_LABELS = {"queued": lazy_gettext("排队等待"), "running": lazy_gettext("正在进行"),
                 "done": lazy_gettext("已经完成"), "failed": lazy_gettext("执行失败")}
STATISTICS_PHASES = {"inspections": lazy_gettext("统计检查记录"), "overdue_steps": lazy_gettext("统计逾期环节"),
                     "decisions": lazy_gettext("统计规则拒绝与例外"), "complaints": lazy_gettext("统计投诉及其结果"),
                     "ratings": lazy_gettext("统计企业评价")}
YEARS = statistics.STATISTICS_YEARS


def init_app(app: Flask) -> None:
    svc = app.extensions["inspectflow"]
    runner = JobRunner(svc.sessions, svc.write_sessions, svc.clock_factory, app.config.get("JOB_EXECUTOR"))
    app.extensions[EXTENSION] = runner
    try:
        if has_table(svc.engine, BackgroundJob.__tablename__):  # not before `db upgrade` made it
            runner.recover()
    except OperationalError:  # the process still starts: /ready says 503 until the database answers
        log.warning("database unreachable at start: interrupted jobs are left to the next start", exc_info=True)


def runner() -> JobRunner:
    return current_app.extensions[EXTENSION]


def use_inline_executor(app: Flask) -> None:
    """Run every job at once in the requesting thread (tests, single-shot tools)."""
    app.extensions[EXTENSION].executor = InlineExecutor()


def submit(kind: str, body: Callable[[Report], Outcome | None], params: dict | None = None, *,
           created_by: str | None = None) -> int:
    """Start `body` as a job of `created_by` (default: the current user); returns the job's id."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    language = current_language()

    def work(report: Report) -> Outcome | None:
        with app.app_context(), force_locale(language):
            return body(report)

    if created_by is None:
        user = current_user()
        assert user is not None
        created_by = user.username
    return runner().submit(kind, work, created_by=created_by, params=params).job_id


def _title(job: BackgroundJob) -> str:
    if job.kind == "statistics_csv":
        return gettext("导出 %(year)s 年统计 CSV", year=job.params.get("year"))
    if job.kind == "load_demo":
        return gettext("载入演示数据")
    return job.kind


def _visible(job_id: int) -> BackgroundJob:
    with services().sessions() as session:
        job = job_of(session, job_id)
    if job is None:
        abort(404, description=gettext("没有这个任务。"))
    user = current_user()
    assert user is not None
    if job.created_by != user.username and user.role != "administrator":
        abort(403, description=gettext("只有发起任务的人和系统管理员可以查看这个任务。"))
    return job


@bp.get("")
@login_required()
def index():
    """The user's recent long actions (an administrator's: everyone's), to find a result again."""
    user = current_user()
    assert user is not None
    with services().sessions() as session:
        jobs = recent_jobs(session, created_by=None if user.role == "administrator" else user.username)
    return render_template("jobs/index.html", jobs=[(job, _title(job)) for job in jobs], labels=STATUS_LABELS,
                           shanghai=shanghai)


@bp.get("/<int:job_id>")
@login_required()
def show(job_id: int):
    job = _visible(job_id)
    return render_template("jobs/show.html", job=job, title=_title(job), active=job.status in ACTIVE,
                           status=STATUS_LABELS.get(job.status, job.status), shanghai=shanghai,
                           error=ENGINE_MESSAGES.get(job.error, job.error) if job.error else None)


@bp.get("/<int:job_id>/download")
@login_required()
def download(job_id: int):
    job = _visible(job_id)
    if job.status != "done" or job.result_kind != "file" or job.result is None:
        abort(404, description=gettext("这个任务没有可下载的文件。"))
    name = job.result_name or f"job-{job.id}"
    mimetype = "text/csv; charset=utf-8" if name.endswith(".csv") else "application/octet-stream"
    return Response(job.result, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.post("/statistics-export")
@login_required(*SUPERVISORS)
def export_statistics():
    year = request.form.get("year", type=int)
    if year not in YEARS:
        abort(400, description=gettext("年份无效：请填写 2000 到 2100 之间的年份。"))
    with services().sessions() as session:
        try:
            code = resolve_jurisdiction(session, current_user().jurisdiction).code  # type: ignore[union-attr]
        except LookupError as err:
            abort(404, description=str(err))
    headers = statistics_headers()  # the visitor's language, read here: the job runs outside the request

    def body(report: Report) -> Outcome:
        svc = services()
        total = len(statistics.PHASES) + 1
        with svc.sessions() as session:
            document = statistics.annual_statistics(
                session, jurisdiction_code=code, year=year, now=svc.clock().now(),
                progress=lambda phase: report(statistics.PHASES.index(phase), total, str(STATISTICS_PHASES[phase])))
        report(total - 1, total, gettext("生成 CSV"))
        return Outcome("file", statistics.to_csv(document, headers), name=f"inspections-{year}.csv",
                       summary=gettext("%(year)s 年统计已生成：%(count)s 个单位", year=year,
                                       count=len(document["agencies"])))

    job_id = submit("statistics_csv", body, {"year": year, "jurisdiction": code})
    return redirect(url_for("jobs.show", job_id=job_id), code=303)

