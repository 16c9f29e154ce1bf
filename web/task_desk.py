"""The task desk on the pages (issue 12 items 2 and 10): the case's 流转 timeline on the task page and the
supervisors' instance page, and around a task's form a comment box, 指派 for the agency head and 转办 for its
holder. Thin: each action is one engine command (engine.commands.task_desk), which scopes and audits it; the
timeline and the choices are engine read models (engine.views.timeline, engine.views.task_desk), offered to the
templates as globals so that the pages which show them only include `_task_timeline.html` (the task page) or
`_instance_timeline.html` (the instance page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, url_for
from flask import request as flask_request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.commands import Actor
from engine.commands import task_desk as desk
from engine.identity import access
from engine.models import TaskRecord
from engine.runtime import InvalidTaskData, TaskNotFound, TaskNotOpen
from engine.views.task_desk import Desk, commentable, desk_of
from engine.views.timeline import TimelineEntry, timeline
from web.engine_messages import refusal, worded
from web.history_view import value_text
from web.security import current_user, login_required, referring_path
from web.services import services

bp = Blueprint("task_desk", __name__)

REFUSALS = {
    "role": _l("您的角色不能进行这项操作：指派由单位负责人进行，留言由办理或监督该案件的人员进行。"),
    "agency_not_yours": _l("只能指派本单位的任务。"),
    "not_a_colleague": _l("只能交给本单位（或本辖区）在岗、办理该环节的同事。"),
    "not_holder": _l("这项任务已由 %(assignee)s 签收，只有签收人可以转办。"),
    "not_your_lane": _l("这项任务不在您的岗位上，您不能转办。"),
    "outside_scope": _l("这项任务不属于您所在的单位或辖区。"),
}
TEXT_PROBLEMS = {
    "required": _l("请填写%(field)s。"),
    "too_long": _l("%(field)s最多 %(limit)s 个字。"),
    "control_characters": _l("%(field)s不能包含控制字符。"),
}
FIELD_WORDS = {"text": _l("留言"), "reason": _l("转办理由")}


@dataclass(frozen=True)
class Line:
    kind: str  # completed | comment | assigned | delegated (engine.views.timeline)
    at: datetime
    actor: str
    step: str | None
    what: str
    details: list[tuple[str, str]]
    text: str | None


def _what(entry: TimelineEntry) -> str:
    if entry.kind == "comment":
        return _("留言")
    if entry.kind == "assigned":
        return _("指派给 %(name)s", name=entry.assignee)
    if entry.kind == "delegated":
        return _("转办给 %(name)s", name=entry.assignee)
    return _("办理")


def lines(entries: list[TimelineEntry]) -> list[Line]:
    return [Line(e.kind, e.at, e.actor, e.step, _what(e), [(f.label, value_text(f.value)) for f in e.fields], e.text)
            for e in entries]


@bp.app_template_global()
def case_timeline(instance_id: int) -> list[Line]:
    """The instance's timeline for the page that includes it (empty for a viewer who may not see the instance)."""
    user, svc = current_user(), services()
    if user is None:
        return []
    with svc.sessions() as session:
        if not access.may_see_instance(session, access.scope_of(session, user), instance_id):
            return []
        return lines(timeline(session, svc.runtime, instance_id))


@bp.app_template_global()
def task_desk(task: TaskRecord) -> Desk:
    """What the task page offers its viewer around the form (the page has checked they may work the task)."""
    user = current_user()
    if user is None:
        return Desk(False, [], [])
    with services().sessions() as session:
        return desk_of(session, user, task)


@bp.app_template_global()
def commentable_tasks(instance_id: int) -> list[TaskRecord]:
    """The instance's open tasks the viewer may comment on (the instance page has checked they see the instance)."""
    user = current_user()
    if user is None:
        return []
    with services().sessions() as session:
        return commentable(session, user, instance_id)


def _act(task_id: str, done: str, command, *args) -> object:
    try:
        with services().work() as work:
            command(work, Actor.of(current_user()), task_id, *args)
        flash(done, "ok")
    except access.NotPermitted as refused:
        abort(403, description=worded(REFUSALS, refused.reason, refused.details, refused.message))
    except TaskNotFound:
        abort(404, description=_("没有这个任务。"))
    except InvalidTaskData as err:
        for field, problem in (err.details.get("problems") or {}).items():
            params = {**problem.get("params", {}), "field": FIELD_WORDS.get(field, field)}
            flash(worded(TEXT_PROBLEMS, problem.get("code"), params, err.message), "error")
    except TaskNotOpen as err:
        flash(refusal(err), "error")
    return redirect(referring_path() or url_for("inbox.task", task_id=task_id))


@bp.post("/tasks/<task_id>/comments")
@login_required(*access.WORKING_ROLES)
def comment(task_id: str):
    return _act(task_id, _("留言已保存。"), desk.comment, flask_request.form.get("text", ""))


@bp.post("/tasks/<task_id>/assignment")
@login_required("agency_head")
def assign(task_id: str):
    username = flask_request.form.get("username", "")
    return _act(task_id, _("已指派给 %(name)s。", name=username), desk.assign, username)


@bp.post("/tasks/<task_id>/delegation")
@login_required(*access.WORKING_ROLES)
def delegate(task_id: str):
    username = flask_request.form.get("username", "")
    return _act(task_id, _("已转办给 %(name)s。", name=username), desk.delegate, username,
                flask_request.form.get("reason", ""))
