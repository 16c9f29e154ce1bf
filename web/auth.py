"""Login and logout for the pages."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from engine.identity.accounts import verify_password
from engine.identity.login_throttle import clear_failed_logins, login_blocked, record_failed_login
from engine.models import User
from web.security import same_site_path
from web.services import services

# Where each role starts after logging in: its main page (staff and supervisors their inbox of tasks).
HOME_PAGES = {"process_owner": "owner.index", "administrator": "supervise.dashboard"}

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    username = request.form.get("username", "").strip()
    if request.method == "POST":
        address = request.remote_addr or "-"
        svc = services()
        with svc.transaction() as db:
            now = svc.clock().now()
            if login_blocked(db, username, address, now):
                return render_template("login.html", error=_("登录失败次数过多，请 10 分钟后再试。"),
                                       username=username), 429
            user = db.scalar(select(User).where(User.username == username))
            if user is not None and verify_password(user.password_hash, request.form.get("password", "")):
                clear_failed_logins(db, username, address)
                user_id, role = user.id, user.role
            else:
                record_failed_login(db, username, address, now)
                user_id = role = None
        if user_id is not None:
            session.clear()
            session["user_id"] = user_id
            return redirect(same_site_path(request.args.get("next")) or url_for(HOME_PAGES.get(role, "inbox.index")))
        error = _("用户名或密码不正确。")
    return render_template("login.html", error=error, username=username), (401 if error else 200)


@bp.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("auth.login"))
