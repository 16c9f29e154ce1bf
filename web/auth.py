"""Login and logout for the pages: thin adapters over engine.commands.identity (the throttle, the one password
verification, the server-side session and its end)."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext

from engine.commands import Actor
from engine.commands import identity as identity_commands
from web.security import LOGIN_KEY, current_user, same_site_path
from web.services import services

# Where each role starts after logging in: its main page (staff and supervisors their inbox of tasks).
HOME_PAGES = {"process_owner": "owner.index", "administrator": "supervise.dashboard"}

# Per refusal of engine.commands.identity.log_in: the status and what the page says.
REFUSALS = {
    "wrong": (401, lazy_gettext("用户名或密码不正确。")),
    "inactive": (403, lazy_gettext("这个账号已停用，请联系系统管理员。")),
    "name": (429, lazy_gettext("登录失败次数过多，请 10 分钟后再试。")),
    "address": (429, lazy_gettext("从您所在的网络地址登录失败的次数过多（涉及多个用户名），该地址已暂停登录，"
                                  "请 10 分钟后再试。")),
}

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    username = request.form.get("username", "").strip()
    if request.method == "GET":
        return render_template("login.html", error=None, username=username)
    with services().work() as work:
        outcome = identity_commands.log_in(work, username=username, password=request.form.get("password", ""),
                                           address=request.remote_addr or "-",
                                           lifetime=current_app.config["SESSION_LIFETIME"])
    if outcome.refused:
        status, message = REFUSALS[outcome.refused]
        return render_template("login.html", error=message, username=username), status
    session.clear()
    session[LOGIN_KEY] = outcome.session_token
    home = url_for(HOME_PAGES.get(outcome.role or "", "inbox.index"))
    return redirect(same_site_path(request.args.get("next")) or home)


@bp.post("/logout")
def logout():
    """End this login on the server too: the cookie, kept or copied, no longer opens a page."""
    token, user = session.get(LOGIN_KEY), current_user()
    if isinstance(token, str) and user is not None:
        with services().work() as work:
            identity_commands.log_out(work, Actor.of(user), token)
    session.clear()
    return redirect(url_for("auth.login"))
