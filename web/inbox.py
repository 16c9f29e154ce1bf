"""The staff inbox: tasks for me and my groups, claim and release, and the task page whose form comes
from the diagram. Thin: each view makes one engine call; stale or refused completions keep what the user
typed and say why. Who sees and works what is engine.identity.access: a task outside the user's scope is a 403 page,
a task in another lane too (the supervisor follows other lanes' steps on the instance history page)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from engine.commands import Actor, attachments, tasks
from engine.identity import access
from engine.models import TaskRecord
from engine.platform.audit import trail
from engine.platform.clock import SHANGHAI
from engine.runtime import (
    ConcurrentUpdate,
    InvalidTaskData,
    PolicyRefused,
    StepFailed,
    TaskNotFound,
    TaskNotOpen,
    instances,
)
from engine.views.case_search import workable_steps
from engine.views.case_sections import case_sections
from engine.views.case_status import cases_now, cases_of
from engine.views.closing_step import closes_case
from engine.views.copies import copies_for, unread_count
from engine.views.inbox import InboxFilter, done_by, enterprises_of, inbox, started_by
from engine.views.step_return import returned_by
from web.engine_messages import field_errors, refusal
from web.history_view import rule_check
from web.labels import PROCESS_NAMES
from web.presenters import due_label, shanghai
from web.security import current_user, login_required, referring_path
from web.services import services
from web.uploads import uploads_of

bp = Blueprint("inbox", __name__)
WORKERS = access.WORKING_ROLES
PROCESSES = tuple(PROCESS_NAMES.items())  # the filter's choices: the shipped procedures


TABS = ("todo", "done", "started", "copied")  # 待办 / 已办 / 我发起 / 抄送


@bp.get("/inbox")
@login_required(*WORKERS)
def index():
    tab = request.args.get("tab") if request.args.get("tab") in TABS else "todo"
    if tab == "copied":
        return _copied()
    if tab != "todo":
        return _own_work(tab)
    svc, user = services(), current_user()
    wanted = InboxFilter(process_key=request.args.get("process") or None, overdue=bool(request.args.get("overdue")),
                         due_this_week=bool(request.args.get("week")), search=request.args.get("q") or None,
                         enterprise=request.args.get("enterprise") or None, mine_only=bool(request.args.get("mine")))
    now = svc.clock().now()
    with svc.sessions() as session:
        tasks = inbox(session, user, now, wanted)
        enterprises = enterprises_of(session, tasks)
        unread = unread_count(session, user)
    calendar = svc.runtime.calendar
    rows = [{"task": t, "due": due_label(calendar, now, t.due_at), "overdue": bool(t.due_at and t.due_at < now),
             "created": shanghai(t.created_at), "enterprise": enterprises.get(t.instance_id)} for t in tasks]
    return render_template("inbox.html", tab=tab, rows=rows, wanted=wanted, user=user, processes=PROCESSES,
                           unread_copies=unread)


def _own_work(tab):
    """已办 (the steps I completed, each with where its case stands now) or 我发起 (the cases I started)."""
    svc, user = services(), current_user()
    with svc.sessions() as session:
        if tab == "done":
            done = done_by(session, user.username)
            now_of = cases_of(session, {t.instance_id for t in done})
            rows = [{"task": t, "case": now_of[t.instance_id]} for t in done]
        else:
            rows = [{"case": c} for c in cases_now(session, started_by(session, user.username))]
        # The case's next step may be the user's own again (a head's approval after their plan): linked to work.
        workable = workable_steps(session, access.scope_of(session, user),
                                  {step.id for row in rows for step in row["case"].open_steps})
        unread = unread_count(session, user)
    return render_template("inbox.html", tab=tab, rows=rows, user=user, shanghai=shanghai, workable=workable,
                           unread_copies=unread)


def _copied():
    """抄送: the cases copied to me, newest first, unread marked until I open them (web.copies)."""
    svc, user = services(), current_user()
    with svc.sessions() as session:
        rows = copies_for(session, user)
        workable = workable_steps(session, access.scope_of(session, user),
                                  {step.id for row in rows for step in row.case.open_steps})
    return render_template("inbox.html", tab="copied", rows=rows, user=user, shanghai=shanghai, workable=workable,
                           unread_copies=sum(row.unread for row in rows))


def _refusal(reason: str) -> str:
    if reason == "not_your_lane":
        return _("这项任务不在您的岗位上，您不能办理。")
    return _("这项任务不属于您所在的单位或辖区。")


def _task_for(task_id: str) -> TaskRecord:
    """The task the user may work (open, claim, release, complete): a 404 page when there is no such task, a 403
    page when it lies outside the user's agency or jurisdiction or in another lane (engine.identity.access)."""
    with services().sessions() as session:
        try:
            task = access.task_for(session, access.scope_of(session, current_user()), task_id, work=True)
        except access.NotPermitted as refusal:
            abort(403, description=_refusal(refusal.reason))
    if task is None:
        abort(404, description=_("没有这个任务。"))
    return task


ASSIGNMENT = {"claim": (tasks.claim_task, lazy_gettext("已签收。")),
              "release": (tasks.release_task, lazy_gettext("已放弃签收，任务回到岗位的待办中。"))}


@bp.post("/tasks/<task_id>/<any(claim, release):action>")
@login_required(*WORKERS)
def assign(task_id: str, action: str):
    """Claim a task for oneself (签收), or release the claim back to the group (放弃签收: 退回 is for sending a
    case back a step)."""
    change, done = ASSIGNMENT[action]
    try:
        with services().work() as work:
            change(work, Actor.of(current_user()), task_id)
        flash(str(done), "ok")
    except access.NotPermitted as refused:
        abort(403, description=_refusal(refused.reason))
    except TaskNotFound:
        abort(404, description=_("没有这个任务。"))
    except TaskNotOpen as err:
        flash(refusal(err), "error")
    return redirect(referring_path() or url_for("inbox.index"))


def _submitted(form_spec) -> dict:
    """The posted values in the shapes the form's types expect (lists for multichoice, booleans as text)."""
    values: dict[str, object] = {}
    for field in form_spec.fields if form_spec else ():
        if field.type == "multichoice":
            values[field.name] = request.form.getlist(field.name)
        elif field.type == "boolean":  # a required yes/no is chosen (nothing is pre-selected); else unset is 否
            values[field.name] = request.form.get(field.name, "" if field.required else "false")
        elif field.name in request.form:
            values[field.name] = request.form[field.name]
    return values


@bp.route("/tasks/<task_id>", methods=["GET", "POST"])
@login_required(*WORKERS)
def task(task_id: str):
    svc, user = services(), current_user()
    record = _task_for(task_id)
    now = svc.clock().now()
    today = now.astimezone(SHANGHAI).date()
    with svc.sessions() as session:
        form_spec, data = instances.task_form(svc.runtime, session, task_id) if record.state == "open" else (None, {})
        history = trail(session, record.instance_id)
        returned = returned_by(session, record) if record.state == "open" else None
        case = case_sections(session, svc.runtime, record, data, today,
                             instances.task_shows(svc.runtime, session, task_id))
        closing = record.state == "open" and closes_case(svc.runtime, session, record)  # 办结, else 提交
    errors: dict[str, str] = {}
    message, status = None, 200
    typed: dict = {}
    if request.method == "POST" and record.state != "open":
        who = f"（{record.completed_by}）" if record.completed_by else ""
        message, status = _("该任务已由他人办理%(who)s，您的提交未保存；您填写的内容列在下方。", who=who), 409
        typed = {k: v for k, v in request.form.items() if k != "csrf_token"}
    elif request.method == "POST":
        typed = _submitted(form_spec)
        try:
            with svc.work() as work:
                attachments.complete_with_files(work, Actor.of(user), svc.attachments, task_id, typed,
                                                uploads_of(form_spec))
            done = _("「%(name)s」已办结。") if closing else _("「%(name)s」已提交。")
            flash(done % {"name": record.name}, "ok")
            return redirect(url_for("inbox.index"))
        except InvalidTaskData as err:
            errors, message, status = field_errors(err), refusal(err), 422
        except (PolicyRefused, StepFailed) as err:
            message, status = refusal(err), 422
        except access.NotPermitted as refused:  # the right was lost since the page was read
            abort(403, description=_refusal(refused.reason))
        except (TaskNotOpen, ConcurrentUpdate) as err:
            message, status = _("%(reason)s您填写的内容保留在下方，请核对后再处理。", reason=refusal(err)), 409
    values = {**data, **(form_spec.defaults(today) if form_spec else {}), **typed}
    return render_template("task.html", task=record, form=form_spec, values=values, errors=errors,
                           message=message, history=history, typed=typed if record.state != "open" else {},
                           case=case, returned=returned, rule_check=rule_check, closes_case=closing,
                           due=due_label(svc.runtime.calendar, now, record.due_at),
                           overdue=bool(record.due_at and record.due_at < now), shanghai=shanghai), status
