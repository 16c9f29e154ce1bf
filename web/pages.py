"""Wiring of the HTML pages into the app: blueprints, template helpers, CSRF check, error pages.

Errors on the pages are pages (400/403/404/405/409/429/500 with a plain message, never a stack trace);
paths under /api/ and JSON requests from the pages' scripts get the API's JSON error (web.api.errors).
Registered after the API blueprint, these are the app-wide handlers.
"""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from web import admin, auth, diagrams, inbox, labels, owner, plan, portal, supervise
from web.api import errors as api_errors
from web.security import check_csrf, csrf_token, current_user

log = logging.getLogger(__name__)

TITLES = {400: "请求有误", 403: "无权访问", 404: "找不到页面", 405: "不支持的操作", 409: "已被他人处理",
          413: "文件太大", 429: "请稍后再试", 500: "服务器出错"}


def init_app(app: Flask) -> None:
    app.register_blueprint(auth.bp)
    app.register_blueprint(inbox.bp)
    app.register_blueprint(portal.bp)
    app.register_blueprint(supervise.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(owner.bp)
    app.register_blueprint(plan.bp)
    app.register_blueprint(diagrams.bp)
    app.before_request(check_csrf)
    labels.init_app(app)
    app.jinja_env.globals.update(current_user=current_user, csrf_token=csrf_token)
    for code in TITLES:
        app.register_error_handler(code, _http_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


def _http_error(error: HTTPException):
    code = error.code or 500
    if request.path.startswith("/api/") or request.is_json:  # scripts posting JSON get JSON errors
        return api_errors.http_error(error)
    return render_template("error.html", code=code, title=TITLES.get(code, error.name),
                           description=error.description), code


def _unexpected(error: Exception):
    log.exception("unhandled error on %s", request.path)
    return _http_error(InternalServerError(description="处理请求时出错，已记录，请稍后重试。"))
