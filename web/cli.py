"""The `inspectflow` command line (a Flask CLI group built by the app factory).

Every command that prints records takes --json and then prints exactly one JSON document. Errors go to
stderr with exit status 1 (or, with --json, as {"error": {...}} on stdout). The clock is the system clock
unless INSPECTFLOW_CLOCK pins it; `sweep --at` pins it for one sweep.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import signal
import sys
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, FlaskGroup

from engine.background.attachment_prune import DEFAULT_GRACE, prune_attachments
from engine.background.notify import notify_pass
from engine.background.sweep import SweepReport
from engine.background.sweep import sweep as run_sweep
from engine.bpmn.shipped import shipped_diagrams
from engine.calendar import store as calendar_store
from engine.commands import administration, supervision, tasks
from engine.commands.actor import actor_named
from engine.domain import joint, statistics
from engine.domain.errors import Refused
from engine.domain.policy_admin import resolve_jurisdiction
from engine.identity.access import NotPermitted
from engine.platform.clock import SHANGHAI, FrozenClock
from engine.runtime import WorkflowError
from engine.views.inbox import open_tasks
from web.config import delivery_settings
from web.services import Services, services

json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
actor_option = click.option("--as", "actor", default="cli", show_default=True,
                            help="Act as this user (with their scope); any other name acts as the operator.")


def emit(as_json: bool, document, lines: list[str]) -> None:
    if as_json:
        click.echo(json.dumps(document, ensure_ascii=False, indent=2, default=str))
    else:
        for line in lines:
            click.echo(line)


REPORTED = (WorkflowError, Refused, NotPermitted, ValueError, LookupError, FileNotFoundError)


class InFile(Exception):
    """A refusal met while handling one of several input files: reported prefixed with the file."""

    def __init__(self, path: Path, error: Exception):
        super().__init__(f"{path}: {error}")
        self.path, self.error = path, error


@contextlib.contextmanager
def naming_file(path: Path) -> Iterator[None]:
    try:
        yield
    except REPORTED as err:
        raise InFile(path, err) from err


def read_input(path: Path) -> bytes:
    """An input file's bytes; a missing or unreadable one is an input error like a bad line in it."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ValueError("no such file") from None
    except OSError as exc:
        raise ValueError(exc.strerror or str(exc)) from None


def read_text_input(path: Path) -> str:
    try:
        return read_input(path).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start})") from None


def error_payload(err: Exception) -> dict:
    """The {"code", "message", "details"} an error is reported with (as the API words its errors)."""
    if isinstance(err, InFile):
        payload = error_payload(err.error)
        return {**payload, "message": f"{err.path}: {payload['message']}",
                "details": {**payload["details"], "file": str(err.path)}}
    if isinstance(err, NotPermitted):
        return {"code": "forbidden", "message": err.message, "details": {"reason": err.reason, **err.details}}
    if isinstance(err, WorkflowError):
        return err.to_dict()
    if isinstance(err, Refused):
        return {"code": "refused", "message": str(err), "details": {"rule": err.rule, **err.figures}}
    return {"code": "invalid_input", "message": str(err), "details": {}}


def reports_errors(command):
    """Turn engine refusals into a clear message and exit status 1 instead of a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (*REPORTED, InFile) as err:
            as_json = kwargs.get("as_json", False)
            payload = error_payload(err)
            if as_json:
                click.echo(json.dumps({"error": payload}, ensure_ascii=False, default=str))
            else:
                click.echo(f"error: {payload['message']}", err=True)
            sys.exit(1)

    return wrapper


def parse_json_data(text: str) -> dict:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"--data is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise ValueError("--data must be a JSON object")
    return value


def _shanghai(moment: datetime | str | None) -> str:
    """A moment as plain output shows it: Asia/Shanghai time (JSON keeps UTC)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(SHANGHAI).isoformat() if moment else "-"


def sweep_lines(report: SweepReport) -> list[str]:
    """What a sweep did, as `sweep` prints it and `scheduler` and `serve` log it."""
    if report.skipped_locked:
        return ["another sweeper is running; nothing done"]
    return ([f"sweep as of {_shanghai(report.at)}: {len(report.fired)} fired, {len(report.failed)} failed"]
            + [f"  fired {f['element_id']} on instance {f['instance_id']} (due {_shanghai(f['due_at'])})"
               for f in report.fired]
            + [f"  FAILED instance {f['instance_id']}: {f['error']}" for f in report.failed])


def echo_sweep(report: SweepReport) -> None:
    for line in sweep_lines(report):
        click.echo(line)


def task_document(task) -> dict:
    return {
        "id": task.id, "instance_id": task.instance_id, "process_key": task.process_key,
        "element_id": task.element_id, "name": task.name, "candidate_group": task.candidate_group,
        "agency": task.agency, "assignee": task.assignee, "business_key": task.business_key,
        "due_at": task.due_at.isoformat() if task.due_at else None, "due_provisional": task.due_provisional,
        "created_at": task.created_at.isoformat(),
    }


def register_commands(app: Flask) -> None:
    db = AppGroup("db", help="Database schema.")
    app.cli.add_command(db)

    @db.command("upgrade")
    def db_upgrade():
        """Apply every migration to the configured database."""
        from migrations import upgrade  # here: Alembic costs every other command a tenth of its start-up

        upgrade(app.config["DATABASE_URL"])
        click.echo(f"database at head: {services().engine.url.render_as_string(hide_password=True)}")

    @app.cli.command("deploy")
    @click.argument("files", nargs=-1, type=click.Path(path_type=Path))
    @click.option("--shipped", is_flag=True, help="Also deploy the diagrams inspectflow ships (one per procedure).")
    @actor_option
    @json_option
    @reports_errors
    def deploy_command(files, shipped, actor, as_json):
        """Deploy BPMN files, each as a new version of its processes: all of them, or none when one is refused."""
        paths = [*(shipped_diagrams() if shipped else []), *files]
        if not paths:
            raise click.UsageError("name the BPMN files to deploy, or --shipped")
        results = []
        with services().work() as work:  # one unit of work: a refused file leaves none of the batch deployed
            who = actor_named(work.session, actor)
            for path in paths:
                with naming_file(path):
                    deployed = administration.deploy_diagram(work, who, xml=read_input(path), source_name=path.name)
                results.extend({"id": d.id, "process_key": d.process_key, "version": d.version, "name": d.name,
                                "unchanged": d.unchanged, "file": path.name} for d in deployed)
        emit(as_json, results, [
            f"{r['file']}: {r['process_key']} v{r['version']}" + (" (unchanged)" if r["unchanged"] else "")
            for r in results
        ])

    @app.cli.command("start")
    @click.argument("process_id")
    @click.option("--data", default="{}", help="Initial data as a JSON object.")
    @click.option("--business-key", default=None, help="e.g. the enterprise's credit code or an inspection id.")
    @actor_option
    @json_option
    @reports_errors
    def start_command(process_id, data, business_key, actor, as_json):
        """Start an instance of the latest version of PROCESS_ID."""
        with services().work() as work:
            started = tasks.start_process(work, actor_named(work.session, actor), process_key=process_id,
                                          data=parse_json_data(data), business_key=business_key)
        document = {"id": started.id, "process_key": started.process_key, "version": started.version,
                    "status": started.status, "open_tasks": started.open_tasks}
        emit(as_json, document, [f"instance {started.id} of {started.process_key} v{started.version}: "
                                 f"{started.status}, {len(started.open_tasks)} open task(s)"]
             + [f"  {t['id']}  {t['element_id']}  {t['name']}" for t in started.open_tasks])

    @app.cli.command("tasks")
    @click.option("--instance", "instance_id", type=int, default=None)
    @json_option
    def tasks_command(instance_id, as_json):
        """List open user tasks (soonest due first)."""
        svc = services()
        with svc.sessions() as session:
            rows = [task_document(t) for t in open_tasks(session, instance_id=instance_id)]
        emit(as_json, rows, [
            f"{r['id']}  #{r['instance_id']}  {r['element_id']}  {r['name']}  [{r['candidate_group'] or '-'}]"
            f"  due {_shanghai(r['due_at'])}{' (provisional)' if r['due_provisional'] else ''}"
            for r in rows
        ] or ["no open tasks"])

    @app.cli.command("complete")
    @click.argument("task_id")
    @click.option("--data", default="{}", help="Form data as a JSON object.")
    @actor_option
    @json_option
    @reports_errors
    def complete_command(task_id, data, actor, as_json):
        """Complete an open user task with form data."""
        with services().work() as work:
            result = tasks.complete_task(work, actor_named(work.session, actor), task_id, parse_json_data(data))
        document = {"id": task_id, "instance_id": result.id, "instance_status": result.status,
                    "open_tasks": result.open_tasks}
        emit(as_json, document, [f"completed {task_id}; instance {result.id} is {result.status}"]
             + [f"  next: {t['id']}  {t['element_id']}  {t['name']}" for t in result.open_tasks])

    @app.cli.command("sweep")
    @click.option("--at", "at", default=None, help="Sweep as of this ISO 8601 moment (default: now).")
    @json_option
    @reports_errors
    def sweep_command(at, as_json):
        """Fire every timer due as of --at (or now) and print what fired."""
        svc = services()
        clock = FrozenClock(at) if at else svc.clock()
        report = run_sweep(svc.runtime, svc.write_sessions, clock)
        emit(as_json, report.to_dict(), sweep_lines(report))

    @app.cli.command("notify")
    @click.option("--at", "at", default=None, help="Run as of this ISO 8601 moment (default: now).")
    @json_option
    @reports_errors
    def notify_command(at, as_json):
        """One reminder pass: create the notifications due and send what is pending by e-mail and webhook."""
        svc = services()
        report = notify_pass(svc.runtime, svc.write_sessions, FrozenClock(at) if at else svc.clock(),
                             delivery_settings(app.config))
        emit(as_json, report.to_dict(), [f"reminders at {_shanghai(report.at)}: {report.created} created, "
                                         f"{report.sent} sent, {report.failed} failed"
                                         + (" (another pass is running)" if report.skipped_locked else "")])

    attachments = AppGroup("attachments", help="Attached files' store (ATTACHMENT_DIR).")
    app.cli.add_command(attachments)

    @attachments.command("prune")
    @click.option("--dry-run", is_flag=True, help="Only list what would be removed.")
    @click.option("--grace-hours", default=DEFAULT_GRACE.total_seconds() / 3600, show_default=True, type=float,
                  help="Keep files stored more recently than this (an upload in flight is never removed).")
    @json_option
    @reports_errors
    def attachments_prune(dry_run, grace_hours, as_json):
        """Remove stored files no attachment references, older than the grace period; print each."""
        if grace_hours < 1:
            raise click.BadParameter("at least 1 hour, so that an upload in flight keeps its file",
                                     param_hint="--grace-hours")
        svc = services()
        report = prune_attachments(svc.write_sessions, svc.attachments, svc.clock(),
                                   grace=timedelta(hours=grace_hours), dry_run=dry_run)
        verb = "would remove" if dry_run else "removed"
        emit(as_json, report.to_dict(),
             [f"{verb} {r.name}  {r.size} bytes  stored {_shanghai(r.modified_at)}" for r in report.removed]
             + [f"{verb} {len(report.removed)} orphaned files ({sum(r.size for r in report.removed)} bytes); "
                f"kept {report.kept_referenced} referenced, {report.kept_young} younger than {grace_hours:g} h"
                + (" (another prune is running)" if report.skipped_locked else "")])

    calendar = AppGroup("calendar", help="Working-day calendar: official schedules and their coverage.")
    app.cli.add_command(calendar)

    @calendar.command("import")
    @click.argument("file", type=click.Path(path_type=Path))
    @actor_option
    @json_option
    @reports_errors
    def calendar_import(file, actor, as_json):
        """Import a CSV of `date,kind` (kind: holiday or workday) covering whole years."""
        with services().work() as work, naming_file(file):
            imported = administration.import_calendar(work, actor_named(work.session, actor),
                                                      read_text_input(file), source=file.name)
        result, recomputed = imported.result, imported.recomputed
        document = {"years": result.years, "days": result.days, "recomputed": recomputed}
        emit(as_json, document, [f"imported {result.days} day(s) for {', '.join(map(str, result.years))}; "
                                 f"recomputed {len(recomputed)} provisional due date(s)"]
             + [f"  {c['element_id']} on instance {c['instance_id']}: {c['before']} -> {c['after']}"
                for c in recomputed])

    @calendar.command("status")
    @json_option
    def calendar_status(as_json):
        """Which years are official, imported or estimated."""
        svc = services()
        with svc.sessions() as session:
            cal = svc.runtime.refresh_calendar(session, force=True)
            document = calendar_store.status(session, cal, svc.clock().now().astimezone(SHANGHAI).date())
        emit(as_json, document, [
            f"{y['year']}: {y['source']}" + ("" if y["covered"] else "  (ESTIMATE: due dates provisional)")
            + (f", {y['overrides']} override(s)" if y["overrides"] else "")
            for y in document["years"]
        ] + [f"provisional deadlines: {document['provisional_deadlines']}"])

    from web import accounts_cli

    accounts_cli.register(app)  # `users …`: accounts and API tokens

    @app.cli.command("stats")
    @click.option("--year", type=int, required=True)
    @click.option("--jurisdiction", "jurisdiction_code", default=None,
                  help="Jurisdiction code (default: the only one there is).")
    @click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="Also write the table as CSV to this file.")
    @json_option
    @reports_errors
    def stats_command(year, jurisdiction_code, csv_path, as_json):
        """Annual enforcement statistics per agency (R27)."""
        svc = services()
        with svc.sessions() as session:
            code = jurisdiction_code or resolve_jurisdiction(session, None).code
            document = statistics.annual_statistics(session, jurisdiction_code=code, year=year,
                                                    now=svc.clock().now())
        if csv_path:
            csv_path.write_text(statistics.to_csv(document), encoding="utf-8")
        emit(as_json, document, statistics.table_lines(document))

    joint_group = AppGroup("joint", help="Joint inspections (综合查一次, R18).")
    app.cli.add_command(joint_group)

    @joint_group.command("propose")
    @click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Planned on or after this day.")
    @json_option
    def joint_propose(since, as_json):
        """Enterprises two or more agencies plan to visit in the same month."""
        svc = services()
        with svc.sessions() as session:
            proposals = [p.to_dict() for p in joint.propose_joint_inspections(
                session, since=since.date() if since else None)]
        emit(as_json, proposals, [
            f"enterprise {p['enterprise_id']} in {p['month']}: inspections {p['inspection_ids']} "
            f"by agencies {p['agency_ids']}" for p in proposals
        ] or ["no joint inspection to propose"])

    @joint_group.command("merge")
    @click.argument("inspection_ids", nargs=-1, type=int, required=True)
    @click.option("--day", "day", type=click.DateTime(["%Y-%m-%d"]), required=True, help="The joint visit's day.")
    @click.option("--lead-agency", "lead_agency_id", type=int, default=None)
    @actor_option
    @json_option
    @reports_errors
    def joint_merge(inspection_ids, day, lead_agency_id, actor, as_json):
        """Merge inspections of one enterprise into one joint visit (one code, one notice)."""
        with services().work() as work:
            group = supervision.merge_joint(work, actor_named(work.session, actor), inspection_ids=list(inspection_ids),
                                            planned_start=day.date(), planned_end=day.date(),
                                            lead_agency_id=lead_agency_id)
            document = {"id": group.id, "inspections": [i.id for i in group.inspections],
                        "day": day.date().isoformat()}
        emit(as_json, document, [f"joint inspection {document['id']} on {document['day']}: "
                                 f"inspections {document['inspections']}"])

    @app.cli.command("load-demo")
    @json_option
    @reports_errors
    def load_demo(as_json):
        """Deploy the shipped diagrams and create the demo accounts (idempotent).

        Progress lines go to stderr as each step starts, so that --json leaves one document on stdout."""
        from flask_babel import force_locale

        from web.demo import load
        from web.i18n import DEFAULT_LANGUAGE

        def progress(done: int, total: int, step: str) -> None:
            click.echo(f"[{done}/{total}] {step}", err=True)

        with force_locale(DEFAULT_LANGUAGE):  # no request to choose a language from
            document = load(services(), progress)
        emit(as_json, document, document["lines"])

    def start_duties(svc: Services):
        """The scheduled duties and the background-job worker, in threads of this process."""
        from engine.background.scheduler import build_scheduler
        from web import jobs

        scheduler = build_scheduler(svc.runtime, svc.write_sessions, svc.clock_factory,
                                    interval_s=app.config["SCHEDULER_INTERVAL_S"], blocking=False,
                                    on_sweep=echo_sweep, delivery=delivery_settings(app.config),
                                    notify_interval_s=app.config["NOTIFY_INTERVAL_S"],
                                    sweep_batch=app.config["SWEEP_BATCH"], attachments=svc.attachments)
        scheduler.start()
        worker = jobs.start_worker(app)
        return scheduler, worker

    @app.cli.command("scheduler")
    def scheduler_command():
        """Run the scheduled duties (deadline sweep, overdue scan, reminders, calendar check, attachment prune) and
        the background-job worker in the foreground, until Ctrl-C or SIGTERM."""
        svc = services()
        gc.freeze()  # as in `serve`
        # Ctrl-C and SIGTERM only ask to stop: a KeyboardInterrupt could land inside APScheduler, which swallows
        # it, or halfway through a sweep; the running sweep finishes and the process exits 0.
        stopping = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stopping.set())
        click.echo(f"sweeping every {app.config['SCHEDULER_INTERVAL_S']:g} s, running background jobs; Ctrl-C stops")
        # What fell due while no scheduler ran fires at once, before the scheduler's jobs share the database.
        first = run_sweep(svc.runtime, svc.write_sessions, svc.clock(), per_transaction=app.config["SWEEP_BATCH"])
        if first.fired or first.failed:
            echo_sweep(first)
        if stopping.is_set():
            return
        scheduler, worker = start_duties(svc)
        stopping.wait()
        scheduler.shutdown(wait=True)
        worker.stop(wait=True)

    @app.cli.command("worker")
    @click.pass_context
    def worker_command(ctx):
        """A deployment's one worker process, beside web processes that run none (gunicorn's web.wsgi, or
        `serve --no-scheduler`): the scheduled duties (deadline sweep, overdue scan, calendar check, reminders)
        and the background jobs, in the foreground until SIGTERM or Ctrl-C (the running duty ends first)."""
        ctx.invoke(scheduler_command)  # the scheduler's duties; the queued background jobs' runner joins them there

    @app.cli.command("serve")
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=8000, show_default=True, type=int)
    @click.option("--no-scheduler", is_flag=True,
                  help="Leave the scheduled duties and background jobs to `inspectflow worker`.")
    def serve_command(host, port, no_scheduler):
        """Serve the web app (waitress) with the scheduled duties and the background-job worker in the background."""
        from waitress import serve

        svc: Services = services()
        # Everything loaded so far lives as long as the process: keep it out of the collector's full passes.
        gc.freeze()
        if not no_scheduler:
            start_duties(svc)
        click.echo(f"inspectflow on http://{host}:{port}/ (scheduler {'off' if no_scheduler else 'on'})")
        # X-Forwarded-* reach the app as sent: ProxyFix trusts them only with TRUSTED_PROXIES (web.security), and
        # /metrics refuses a forwarded request then (web.metrics); waitress's own clearing would hide both.
        serve(app, host=host, port=port, threads=8, clear_untrusted_proxy_headers=False)


def main() -> None:
    FlaskGroup(create_app=_configured_app, add_version_option=False,
               help="inspectflow: regulated enterprise inspections as BPMN workflows.")(prog_name="inspectflow")


def _configured_app() -> Flask:
    """The app for the console script; a configuration that cannot run it (no SECRET_KEY) ends the command with
    the reason instead of a traceback."""
    from web import create_app
    from web.config import ConfigurationError

    try:
        return create_app()
    except ConfigurationError as err:
        click.echo(f"inspectflow: {err}", err=True)
        sys.exit(2)
