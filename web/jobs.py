"""Long actions as background jobs on the pages: submitting one, its progress page and its outcome.

A job is its kind and params (engine.background.jobs): `submit` only queues it, and a worker runs it — the
`inspectflow scheduler` process, or the thread `inspectflow serve` starts beside the pages (`start_worker`), so
a single process still runs its own jobs. Each kind's body is registered here with `job_kind`; the worker runs
it in the app's context and in the language of the user who asked (kept in the params), so step texts are
written in it. `/jobs/<id>` shows a <progress> bar and reloads itself every second while the job runs (a meta
refresh: no JavaScript), then the download, the link or the error; `/jobs` lists the user's recent ones. Only
the job's creator and administrators see a job.

The supervisor's statistics export lives here too: the annual statistics (engine.domain.statistics, as the
direct CSV download) built as a job that reports each part it reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from flask import Blueprint, Flask, Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import force_locale, gettext, lazy_gettext

from engine.background import jobs as engine_jobs
from engine.background.job_worker import Claim, JobHandler, JobWorker
from engine.background.jobs import ACTIVE, Outcome, Report, job_of, recent_jobs
from engine.domain import statistics
from engine.domain.policy_admin import resolve_jurisdiction
from engine.models import BackgroundJob
from web.i18n import DEFAULT_LANGUAGE, current_language
from web.labels import statistics_headers
from web.presenters import shanghai
from web.security import current_user, login_required
from web.services import services
from web.supervise import SUPERVISORS

bp = Blueprint("jobs", __name__, url_prefix="/jobs")
EXTENSION = "inspectflow_jobs"
LANGUAGE = "language"  # the params key of the asking user's language

# The engine's own fixed failure texts, in the visitor's language (other errors are the rules' Chinese wording).
ENGINE_MESSAGES = {engine_jobs.INTERRUPTED: lazy_gettext("服务重启，任务中断"),
                   engine_jobs.FAILED_UNEXPECTEDLY: lazy_gettext("任务出错，已记录，请联系管理员。")}
STATUS_LABELS = {"queued": lazy_gettext("排队等待"), "running": lazy_gettext("正在进行"),
                 "done": lazy_gettext("已经完成"), "failed": lazy_gettext("执行失败")}
STATISTICS_PHASES = {"inspections": lazy_gettext("统计检查记录"), "overdue_steps": lazy_gettext("统计逾期环节"),
                     "decisions": lazy_gettext("统计规则拒绝与例外"), "complaints": lazy_gettext("统计投诉及其结果"),
                     "ratings": lazy_gettext("统计企业评价")}
YEARS = statistics.STATISTICS_YEARS

# kind -> body, run by a worker inside the app's context and the asker's language.
Body = Callable[[Claim, Report], Outcome | None]
BODIES: dict[str, Body] = {}


def job_kind(kind: str) -> Callable[[Body], Body]:
    """Register the body that runs jobs of `kind` (it must be idempotent or resumable: engine.background.job_worker)."""
    def register(body: Body) -> Body:
        BODIES[kind] = body
        return body
    return register


class AppHandlers(Mapping[str, JobHandler]):
    """The registered bodies as a worker runs them: in the app's context and the language of the asker. Read at
    each job, so kinds registered by blueprints imported after the worker was made are there too."""

    def __init__(self, app: Flask):
        self.app = app

    def __getitem__(self, kind: str) -> JobHandler:
        body = BODIES[kind]

        def run(claim: Claim, report: Report) -> Outcome | None:
            with self.app.app_context(), force_locale(claim.params.get(LANGUAGE) or DEFAULT_LANGUAGE):
                return body(claim, report)
        return run

    def __iter__(self) -> Iterator[str]:
        return iter(BODIES)

    def __len__(self) -> int:
        return len(BODIES)


def init_app(app: Flask) -> None:
    svc = app.extensions["inspectflow"]
    app.extensions[EXTENSION] = JobWorker(svc.sessions, svc.write_sessions, svc.clock_factory, AppHandlers(app),
                                          lease_s=app.config["JOB_LEASE_S"])
    app.config.setdefault("JOBS_INLINE", False)


def worker() -> JobWorker:
    return current_app.extensions[EXTENSION]


def start_worker(app: Flask) -> JobWorker:
    """Run the app's queued jobs in a thread of this process until it ends (`serve`, `scheduler`)."""
    return app.extensions[EXTENSION].start()


def run_jobs_inline(app: Flask) -> None:
    """Run every job at once in the requesting thread (tests, single-shot tools)."""
    app.config["JOBS_INLINE"] = True


def submit(kind: str, params: dict | None = None, *, created_by: str | None = None) -> int:
    """Queue a job of `kind` for `created_by` (default: the current user), in the current language; its id."""
    if created_by is None:
        user = current_user()
        assert user is not None
        created_by = user.username
    svc = services()
    job_id = engine_jobs.enqueue(svc.write_sessions, svc.clock(), kind, created_by=created_by,
                                 params={**(params or {}), LANGUAGE: current_language()})
    if current_app.config["JOBS_INLINE"]:
        worker().run_job(job_id)
    else:
        worker().wake()  # the worker thread of this process, if it runs one
    return job_id


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
    job_id = submit("statistics_csv", {"year": year, "jurisdiction": code})
    return redirect(url_for("jobs.show", job_id=job_id), code=303)



@job_kind("statistics_csv")
def statistics_job(claim: Claim, report: Report) -> Outcome:
    """Only reads: a second run (its worker died) computes the same file."""
    year, code = claim.params["year"], claim.params["jurisdiction"]
    svc = services()
    total = len(statistics.PHASES) + 1
    with svc.sessions() as session:
        document = statistics.annual_statistics(
            session, jurisdiction_code=code, year=year, now=svc.clock().now(),
            progress=lambda phase: report(statistics.PHASES.index(phase), total, str(STATISTICS_PHASES[phase])))
    report(total - 1, total, gettext("生成 CSV"))
    return Outcome("file", statistics.to_csv(document, statistics_headers()), name=f"inspections-{year}.csv",
                   summary=gettext("%(year)s 年统计已生成：%(count)s 个单位", year=year,
                                   count=len(document["agencies"])))
