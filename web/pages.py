"""Wiring of the HTML pages into the app: blueprints, template helpers, CSRF check, error pages.

Errors on the pages are pages (400/403/404/405/409/429/500 with a plain message, never a stack trace);
paths under /api/ and JSON requests from the pages' scripts get the API's JSON error (web.api.errors).
Werkzeug's stock English descriptions are replaced by our own, so a Chinese page never shows an English
sentence; a view's own description is kept.
Registered after the API blueprint, these are the app-wide handlers.
"""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import lazy_gettext
from werkzeug.exceptions import HTTPException, InternalServerError

from web import (
    admin,
    attachments,
    auth,
    calendar_admin,
    cases,
    copies,
    diagrams,
    inbox,
    jobs,
    labels,
    owner,
    papers,
    plan,
    portal,
    supervise,
    task_desk,
)
from web.api import errors as api_errors
from web.decisions import decision_words
from web.presenters import shanghai, shanghai_day
from web.security import check_csrf, csrf_token, current_user

log = logging.getLogger(__name__)

# Per status: the page's heading and what to say when the view gave no description of its own.
ERROR_TEXTS = {
    400: (lazy_gettext("请求有误"), lazy_gettext("请求无法处理，请检查填写的内容后重试。")),
    403: (lazy_gettext("无权访问"), lazy_gettext("您的账号没有访问这个页面的权限。")),
    404: (lazy_gettext("找不到页面"), lazy_gettext("没有这个页面，请检查地址。")),
    405: (lazy_gettext("不支持的操作"), lazy_gettext("这个页面不支持该操作。")),
    409: (lazy_gettext("已被他人处理"), lazy_gettext("这项工作已被他人处理，请刷新页面查看最新情况。")),
    413: (lazy_gettext("文件太大"), lazy_gettext("上传的文件太大。")),
    429: (lazy_gettext("请稍后再试"), lazy_gettext("操作过于频繁，请稍后再试。")),
    500: (lazy_gettext("服务器出错"), lazy_gettext("处理请求时出错，已记录，请稍后重试。")),
}


def init_app(app: Flask) -> None:
    app.register_blueprint(auth.bp)
    app.register_blueprint(inbox.bp)
    app.register_blueprint(cases.bp)
    app.register_blueprint(copies.bp)
    app.register_blueprint(portal.bp)
    app.register_blueprint(supervise.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(calendar_admin.bp)
    app.register_blueprint(owner.bp)
    app.register_blueprint(plan.bp)
    app.register_blueprint(jobs.bp)
    app.register_blueprint(diagrams.bp)
    app.register_blueprint(task_desk.bp)
    app.register_blueprint(attachments.bp)
    app.register_blueprint(papers.bp)
    app.before_request(check_csrf)
    labels.init_app(app)
    app.jinja_env.globals.update(current_user=current_user, csrf_token=csrf_token, shanghai=shanghai,
                                 shanghai_day=shanghai_day, decision_words=decision_words)
    for code in ERROR_TEXTS:
        app.register_error_handler(code, _http_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


def _http_error(error: HTTPException):
    code = error.code or 500
    if request.path.startswith("/api/") or request.is_json:  # scripts posting JSON get JSON errors
        return api_errors.http_error(error)
    title, description = ERROR_TEXTS.get(code, (error.name, error.description))
    if error.description != type(error).description:  # the view said what went wrong: keep its words
        description = error.description
    return render_template("error.html", code=code, title=title, description=description), code


def _unexpected(error: Exception):
    log.exception("unhandled error on %s", request.path)
    return _http_error(InternalServerError())
