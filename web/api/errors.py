"""Every API error has one JSON shape: {"error": {"code", "message", "details"}}, never an HTML page."""

from __future__ import annotations

from flask import current_app, jsonify, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, InternalServerError

from engine.identity.access import NotPermitted
from engine.runtime import WorkflowError
from web.api import bp


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **details):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def error_response(status: int, code: str, message: str, details: dict | None = None):
    response = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
    response.status_code = status
    return response


@bp.errorhandler(ApiError)
def api_error(err: ApiError):
    return error_response(err.status, err.code, err.message, err.details)


@bp.errorhandler(WorkflowError)
def workflow_error(err: WorkflowError):
    if err.http_status >= 500:
        current_app.logger.error("workflow failure: %s", err.message)
    return error_response(err.http_status, err.code, err.message, err.details)


@bp.errorhandler(NotPermitted)
def not_permitted(err: NotPermitted):
    """An engine command refused the actor: which rule of scope (`reason`) and the record concerned."""
    return error_response(403, "forbidden", err.message, {"reason": err.reason, **err.details})


@bp.errorhandler(ValidationError)
def validation_error(err: ValidationError):
    messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
    return error_response(422, "invalid_input", "the request has errors: " + ", ".join(sorted(map(str, messages))),
                          {"fields": messages})


_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
          409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid_input"}


def _http_error(err: HTTPException):
    status = err.code or 500
    return error_response(status, _CODES.get(status, "server_error" if status >= 500 else "error"),
                          err.description or err.name, getattr(err, "details", None))


@bp.errorhandler(HTTPException)
def http_error(err: HTTPException):
    return _http_error(err)


@bp.errorhandler(Exception)
def unexpected_error(err: Exception):
    if isinstance(err, HTTPException):
        return _http_error(err)
    current_app.logger.exception("unhandled API error")
    return error_response(500, "server_error", "the server could not complete the request")


def _is_api_request() -> bool:
    return request.path == bp.url_prefix or request.path.startswith(f"{bp.url_prefix}/")


# Routing errors (unknown path, wrong method) happen before the blueprint is known, so they are handled app-wide
# and answered as JSON only under /api/v1; other paths keep the default page.
@bp.app_errorhandler(404)
def app_not_found(err: HTTPException):
    return _http_error(err) if _is_api_request() else err


@bp.app_errorhandler(405)
def app_method_not_allowed(err: HTTPException):
    return _http_error(err) if _is_api_request() else err


@bp.app_errorhandler(500)
def app_server_error(err: HTTPException):
    return error_response(500, "server_error", "the server could not complete the request") \
        if _is_api_request() else (err if isinstance(err, HTTPException) else InternalServerError())
