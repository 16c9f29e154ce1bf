"""The notification centre (提醒, issue 12 item 7): the unread count in the header, the list with mark read and
mark all read, and the user's channels (e-mail, webhook). Every page is the logged-in user's own: a notification
of someone else is a 404 like a missing one (engine.commands.notifications decides). Following an unread
reminder's 查看任务 marks it read on the way to the task. Reminders are made
and sent by the scheduler's notify pass (engine.background.notify), never here."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from engine.commands import Actor
from engine.commands.notifications import (
    Channels,
    ChannelsInvalid,
    NotificationNotFound,
    mark_all_read,
    mark_read,
    set_channels,
)
from engine.models import Notification
from engine.views.notifications import channels_of, notifications_of, unread_count
from web.presenters import shanghai
from web.security import current_user, login_required
from web.services import services

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

KIND_LABELS = {"new_task": lazy_gettext("新任务"), "due_tomorrow": lazy_gettext("即将到期"),
               "overdue": lazy_gettext("已逾期"), "case_moved": lazy_gettext("案件进展"),
               "case_copied": lazy_gettext("抄送")}
PROBLEMS = {
    "email_invalid": lazy_gettext("邮箱地址格式不正确。"),
    "email_missing": lazy_gettext("开启邮件提醒需要填写邮箱地址。"),
    "url_invalid": lazy_gettext("网址格式不正确（不能含空格或用户名、密码）。"),
    "url_scheme": lazy_gettext("只接受 http:// 或 https:// 开头的网址。"),
    "url_unresolved": lazy_gettext("无法解析这个网址的主机名。"),
    "url_private": lazy_gettext("不能发送到本机、内网或保留地址：服务器不替人访问内部网络。"),
    "url_missing": lazy_gettext("开启 Webhook 提醒需要填写网址。"),
}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.context_processor
    def unread_notifications():
        def count() -> int:
            user = current_user()
            if user is None:
                return 0
            with services().sessions() as session:
                return unread_count(session, user.username)

        return {"unread_notifications": count}


def _me() -> Actor:
    user = current_user()
    assert user is not None
    return Actor.of(user)


@bp.get("")
@login_required()
def index():
    with services().sessions() as session:
        notes = notifications_of(session, _me().username)
    return render_template("notifications/index.html", notes=notes, kinds=KIND_LABELS, shanghai=shanghai)


@bp.post("/<int:notification_id>/read")
@login_required()
def read(notification_id: int):
    _mark_read(notification_id)
    return redirect(url_for("notifications.index"), code=303)


@bp.post("/<int:notification_id>/open")
@login_required()
def open_task(notification_id: int):
    """查看任务: the reminder is read, and its task opens."""
    note = _mark_read(notification_id)
    if note.task_id is None:
        return redirect(url_for("notifications.index"), code=303)
    return redirect(url_for("inbox.task", task_id=note.task_id), code=303)


def _mark_read(notification_id: int) -> Notification:
    try:
        with services().work() as work:
            return mark_read(work, _me(), notification_id)
    except NotificationNotFound:
        abort(404, description=_("没有这条提醒。"))


@bp.post("/read-all")
@login_required()
def read_all():
    with services().work() as work:
        marked = mark_all_read(work, _me())
    flash(_("已将 %(num)d 条提醒标为已读。", num=marked), "ok")
    return redirect(url_for("notifications.index"), code=303)


def _wanted() -> Channels:
    form = request.form
    return Channels(email=form.get("email", "").strip() or None, email_on=form.get("email_on") == "on",
                    webhook_url=form.get("webhook_url", "").strip() or None,
                    webhook_on=form.get("webhook_on") == "on")


@bp.route("/settings", methods=["GET", "POST"])
@login_required()
def settings():
    errors: dict[str, str] = {}
    if request.method == "POST":
        wanted = _wanted()
        try:
            with services().work() as work:
                set_channels(work, _me(), wanted, allow_private=current_app.config["WEBHOOK_ALLOW_PRIVATE"])
        except ChannelsInvalid as invalid:
            errors = {name: str(PROBLEMS.get(reason, reason)) for name, reason in invalid.errors.items()}
        else:
            flash(_("提醒方式已保存。"), "ok")
            return redirect(url_for("notifications.settings"), code=303)
        shown = wanted
    else:
        with services().sessions() as session:
            row = channels_of(session, _me().username)
        shown = Channels(row.email, row.email_on, row.webhook_url, row.webhook_on) if row else \
            Channels(None, False, None, False)
    return render_template("notifications/settings.html", channels=shown, errors=errors,
                           email_enabled=bool(current_app.config["SMTP_HOST"])), (422 if errors else 200)
