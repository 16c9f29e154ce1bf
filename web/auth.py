"""Login and logout for the pages."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from engine.accounts import verify_password
from engine.models import User
from web.security import LoginThrottle
from web.services import services

# Where each role starts after logging in: its main page (staff and supervisors their inbox of tasks).
HOME_PAGES = {"process_owner": "owner.index", "administrator": "supervise.dashboard"}

bp = Blueprint("auth", __name__)
THROTTLE_KEY = "inspectflow_login_throttle"


def _throttle() -> LoginThrottle:
    return current_app.extensions.setdefault(THROTTLE_KEY, LoginThrottle())


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    username = request.form.get("username", "").strip()
    if request.method == "POST":
        address = request.remote_addr or "-"
        throttle = _throttle()
        if throttle.blocked(username, address):
            return render_template("login.html", error=_("登录失败次数过多，请 10 分钟后再试。"),
                                   username=username), 429
        with services().sessions() as db:
            user = db.scalar(select(User).where(User.username == username))
            valid = user is not None and verify_password(user.password_hash, request.form.get("password", ""))
        if valid and user is not None:
            throttle.succeeded(username, address)
            session.clear()
            session["user_id"] = user.id
            target = request.args.get("next") or url_for(HOME_PAGES.get(user.role, "inbox.index"))
            return redirect(target if target.startswith("/") and not target.startswith("//") else "/")
        throttle.failed(username, address)
        error = _("用户名或密码不正确。")
    return render_template("login.html", error=error, username=username), (401 if error else 200)


@bp.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("auth.login"))
